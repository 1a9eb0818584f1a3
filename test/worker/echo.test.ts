/** Many tasks, two worker processes: every task succeeds exactly once. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import type { WireTask } from '../../src/protocol/messages.ts';
import { type BrokerProcess, eventually } from '../helpers/broker.ts';
import { startTestBroker, startWorker, type WorkerProcess, removeBrokerDirs } from './helpers.ts';

describe('worker: echo at volume', () => {
  let broker: BrokerProcess;
  const workers: WorkerProcess[] = [];
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await broker?.stop();
    removeBrokerDirs(broker);
  });

  it('runs 1,000 echo tasks on 2 worker processes, each exactly once', async () => {
    broker = await startTestBroker();
    workers.push(...(await Promise.all([startWorker(broker.address, ['--concurrency', '16']), startWorker(broker.address, ['--concurrency', '16'])])));
    const client = await TqClient.connect({ broker: broker.address });
    try {
      const submitted = await client.submitMany(Array.from({ length: 1_000 }, (_, i) => ({ type: 'echo', payload: { i } })));
      assert.equal(submitted.length, 1_000);
      await eventually(async () => ((await client.stats()).totals.succeeded === 1_000 ? true : undefined), 60_000, '1,000 succeeded tasks');
      const tasks: WireTask[] = [];
      let cursor: string | null = null;
      do {
        const page: { tasks: WireTask[]; nextCursor: string | null } = await client.list({ limit: 1_000, cursor });
        tasks.push(...page.tasks);
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(tasks.length, 1_000);
      const byId = new Map(tasks.map((task) => [task.id, task]));
      for (const input of submitted) {
        const task = byId.get(input.id)!;
        assert.equal(task.state, 'succeeded');
        assert.equal(task.attempts, 1, `task ${task.id} ran ${task.attempts} times`);
        assert.equal(task.history.length, 1);
        assert.equal(task.history[0]!.error, null);
      }
      // `list` leaves results out: check some through `get`.
      for (const [i, input] of submitted.slice(0, 20).entries()) assert.deepEqual((await client.get(input.id)).result, { i });
      // Both workers were connected, with credit, when the 1,000 arrived: both ran some.
      const ran = new Set(tasks.map((task) => task.history[0]!.workerId));
      const connected = (await client.workers()).filter((worker) => worker.connected).map((worker) => worker.id);
      assert.equal(connected.length, 2);
      assert.deepEqual([...ran].sort(), connected.sort());
    } finally {
      client.close();
    }
  });
});
