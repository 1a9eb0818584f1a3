/**
 * Processes dying under the worker: a worker killed mid-task (its task runs again elsewhere once the
 * lease expires), a broker restarted under a running worker, a broker not there yet at start.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { parseAddress } from '../../src/client/address.ts';
import { Connection } from '../../src/client/connection.ts';
import { RemoteError } from '../../src/protocol/errors.ts';
import { type BrokerProcess, removeDir, tempDir } from '../helpers/broker.ts';
import { freePort, restartBroker, startTestBroker, startWorker, waitForState, type WorkerProcess, removeBrokerDirs } from './helpers.ts';

describe('worker: crashes and restarts', () => {
  const brokers: BrokerProcess[] = [];
  const workers: WorkerProcess[] = [];
  const clients: TqClient[] = [];
  const dirs: string[] = [];
  after(async () => {
    clients.forEach((client) => client.close());
    await Promise.all(workers.map((worker) => worker.kill()));
    await Promise.all(brokers.map((broker) => broker.stop()));
    brokers.forEach(removeBrokerDirs);
    dirs.forEach(removeDir);
  });

  it('a worker killed with SIGKILL mid-task: the task runs again on another worker after the lease expires, once; the old token is stale', async () => {
    const broker = await startTestBroker();
    brokers.push(broker);
    const first = await startWorker(broker.address, ['--concurrency', '1']);
    workers.push(first);
    const client = await TqClient.connect({ broker: broker.address });
    clients.push(client);
    const task = await client.submit({ type: 'sleep', payload: { ms: 1_500 } });
    const running = await waitForState(client, task.id, 'running');
    const oldLease = running.lease!;
    await first.kill();

    const second = await startWorker(broker.address, ['--concurrency', '1']);
    workers.push(second);
    const done = await client.wait(task.id, { timeoutMs: 30_000 });
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 2);
    assert.equal(done.history.length, 2);
    assert.equal(done.history[0]!.workerId, oldLease.workerId);
    assert.equal(done.history[0]!.error, 'lease expired');
    assert.notEqual(done.history[1]!.workerId, oldLease.workerId);
    assert.equal(done.history[1]!.error, null);

    // The dead worker's late ack, as a worker connection would send it, is refused.
    const late = new Connection({
      address: parseAddress(broker.address),
      name: 'late',
      role: 'worker',
      worker: { id: oldLease.workerId, queues: ['default'], concurrency: 1 },
      reconnect: false,
    });
    try {
      await late.whenReady();
      await assert.rejects(late.request('ack', { id: task.id, token: oldLease.token, result: 'late' }), (error: RemoteError) => error.code === 'STALE_TOKEN');
    } finally {
      late.close();
    }
    const after = await client.get(task.id);
    assert.deepEqual(after.result, { sleptMs: 1_500 });
    assert.equal(after.attempts, 2);
  });

  it('a broker restarted under a running worker: the worker re-attaches, outcomes kept during the outage are reported, each task completes once', async () => {
    const broker = await startTestBroker();
    brokers.push(broker);
    const worker = await startWorker(broker.address, ['--concurrency', '4']);
    workers.push(worker);
    const client = await TqClient.connect({ broker: broker.address, reconnect: false });
    const long = await client.submit({ type: 'sleep', payload: { ms: 4_000 } });
    const short = await client.submit({ type: 'sleep', payload: { ms: 500 } });
    await waitForState(client, long.id, 'running');
    await waitForState(client, short.id, 'running');
    client.close();

    await broker.kill();
    await worker.waitFor(/"msg":"lost the connection to the broker/);
    // Long enough for the short task to finish while the broker is away.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const again = await restartBroker(broker);
    brokers.push(again);
    await worker.waitFor(/"msg":"reconnected to the broker"/);

    const reader = await TqClient.connect({ broker: again.address });
    clients.push(reader);
    for (const id of [long.id, short.id]) {
      const done = await reader.wait(id, { timeoutMs: 30_000 });
      assert.equal(done.state, 'succeeded', `task ${id}: ${done.lastError}`);
      assert.equal(done.attempts, 1);
      assert.equal(done.history.length, 1);
      assert.equal(done.history[0]!.error, null);
    }
  });

  it('a broker not there yet: the worker warns once, keeps trying and starts working when it comes', async () => {
    const port = await freePort();
    const worker = await startWorker(`127.0.0.1:${port}`, ['--concurrency', '2'], { connected: false });
    workers.push(worker);
    await worker.waitFor(/cannot reach the tq broker at 127\.0\.0\.1:\d+; retrying/);
    const dir = tempDir();
    dirs.push(dir);
    const broker = await startTestBroker({ dataDir: `${dir}/data`, port });
    brokers.push(broker);
    await worker.waitFor(/"msg":"connected to the broker"/);
    assert.equal(worker.output().match(/cannot reach the tq broker/g)!.length, 1);
    const client = await TqClient.connect({ broker: broker.address });
    clients.push(client);
    const task = await client.submit({ type: 'echo', payload: 'late start' });
    assert.equal((await client.wait(task.id, { timeoutMs: 20_000 })).result, 'late start');
  });
});
