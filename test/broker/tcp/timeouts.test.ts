/**
 * Timeouts on a real broker with short settings: the hello, a frame begun and not finished, and
 * idleness after the hello. A worker that only heartbeats and a client waiting on a long request
 * are healthy and are never cut. No elapsed time is asserted: each step waits for the event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../../src/client/client.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { encodeFrame } from '../../../src/protocol/frame.ts';
import type { WireTask } from '../../../src/protocol/messages.ts';
import { TqWorker } from '../../../src/worker/index.ts';
import { type BrokerProcess, startBroker } from '../../helpers/broker.ts';
import { closedWith, hello, rawClient, rawPeer } from '../../helpers/protocol.ts';

describe('tcp: timeouts', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ args: ['--no-http', '--lease', '1s', '--idle-timeout', '2s', '--partial-frame-timeout', '300ms', '--hello-timeout', '300ms'] });
  });
  after(async () => {
    assert.equal(await broker?.stop(), 0);
  });

  it('closes a connection that says no hello in time', async () => {
    const peer = await rawPeer(broker.port);
    const error = await closedWith(peer);
    assert.deepEqual([error?.code, error?.message], ['MALFORMED', 'no hello within 300 ms']);
  });

  it('closes a connection that begins a frame after its hello and never finishes it', async () => {
    const peer = await rawPeer(broker.port);
    peer.send(hello('client'));
    assert.equal((await peer.next()).t, 'welcome');
    const frame = encodeFrame({ t: 'req', id: 1, op: 'stats', args: {} });
    peer.socket.write(frame.subarray(0, frame.length - 3));
    const error = await closedWith(peer);
    assert.equal(error?.code, 'TIMEOUT');
    assert.match(String(error?.message), /a frame begun 300 ms ago is still not whole \(partialFrameTimeout\)/);
    assert.equal(peer.messages.some((m) => m.t === 'res'), false);
  });

  it('closes an idle connection, but not a worker that only heartbeats nor a client waiting on a request', async () => {
    const worker = new TqWorker({ broker: broker.address, queues: ['timeouts'], log: createLogger('worker', 'error'), handlers: { echo: (task) => task.payload } });
    await worker.start();
    const waiting = await rawClient(broker.port);
    // Quiet while the test waits, so cut like any idle connection: TqClient connects again by itself.
    const client = await TqClient.connect({ broker: broker.address });
    try {
      const task = await client.submit({ type: 'echo', queue: 'nobody-runs-this' });
      // A wait longer than the idle timeout: a request in progress is not idleness.
      const wait = waiting.request<WireTask>('wait', { id: task.id, timeoutMs: 3_000 });
      const idle = await rawPeer(broker.port);
      idle.send(hello('client'));
      assert.equal((await idle.next()).t, 'welcome');
      const error = await closedWith(idle);
      assert.equal(error?.code, 'TIMEOUT');
      assert.match(String(error?.message), /nothing received for 2000 ms and no request in progress \(idleTimeout\)/);
      // The idle timeout has passed for the others too: they are still served on their connections.
      assert.equal((await wait).state, 'pending');
      assert.equal((await waiting.request<{ totals: unknown }>('stats')).totals !== undefined, true);
      const done = await client.wait((await client.submit({ type: 'echo', queue: 'timeouts', payload: 'ran' })).id, { timeoutMs: 10_000 });
      assert.deepEqual([done.state, done.result], ['succeeded', 'ran']);
      assert.doesNotMatch(broker.output(), /worker disconnected/);
      assert.equal((await client.workers()).find((w) => w.id === worker.id)?.connected, true);
    } finally {
      waiting.close();
      client.close();
      await worker.stop();
    }
  });
});
