/** A graceful stop: running tasks get the grace, the rest go back to the queue unrun, exit 0. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import type { BrokerProcess } from '../helpers/broker.ts';
import { startTestBroker, startWorker, waitForState, removeBrokerDirs } from './helpers.ts';

describe('worker: graceful stop', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  after(async () => {
    client?.close();
    await broker?.stop();
    removeBrokerDirs(broker);
  });

  it('on SIGTERM: a task that ends within the grace succeeds; one that does not is released with its attempt uncounted', async () => {
    broker = await startTestBroker();
    const worker = await startWorker(broker.address, ['--concurrency', '2', '--grace', '2500ms']);
    client = await TqClient.connect({ broker: broker.address });
    const long = await client.submit({ type: 'sleep', payload: { ms: 600_000 } });
    const short = await client.submit({ type: 'sleep', payload: { ms: 800 } });
    await waitForState(client, long.id, 'running');
    await waitForState(client, short.id, 'running');

    assert.equal(await worker.stop('SIGTERM'), 0);
    assert.match(worker.output(), /"msg":"grace over: handing running tasks back to the queue","count":1/);
    assert.match(worker.output(), /"msg":"stopped"/);

    const finished = await client.get(short.id);
    assert.equal(finished.state, 'succeeded');
    assert.equal(finished.attempts, 1);
    const released = await client.get(long.id);
    assert.equal(released.state, 'pending');
    assert.equal(released.attempts, 0);
    assert.equal(released.lease, null);
    assert.equal(released.history.length, 0);
  });
});
