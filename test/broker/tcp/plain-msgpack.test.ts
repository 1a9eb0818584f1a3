/**
 * Plain msgpack only: an extension value (a Date is msgpack's timestamp, type -1) in a request is
 * refused with INVALID_ARGUMENT naming it, and stores nothing; in a hello it closes the connection.
 * Our own client and worker refuse one before sending it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Packr } from 'msgpackr';
import { createLogger } from '../../../src/log/logger.ts';
import { encodeFrame, extensionIn } from '../../../src/protocol/frame.ts';
import { TqWorker } from '../../../src/worker/index.ts';
import { brokerWithClient } from './helpers.ts';
import { closedWith, hello, rawClient, rawPeer, RequestFailed } from '../../helpers/protocol.ts';

describe('tcp: plain msgpack', () => {
  it('finds extension values at any depth and passes every plain type', () => {
    const plain = new Packr({ useRecords: false, moreTypes: false });
    const rich = new Packr({ useRecords: false, moreTypes: true });
    const value = { n: [0, -1, 200, -200, 70_000, 2 ** 40, -(2 ** 40), 1.5], s: ['x', 'y'.repeat(300), 'z'.repeat(70_000)], b: [new Uint8Array(3), new Uint8Array(300)], o: { a: { b: [] } }, t: [null, true, false] };
    assert.equal(extensionIn(plain.pack(value)), null);
    assert.match(String(extensionIn(plain.pack({ ...value, deep: { when: new Date() } }))), /msgpack extension value \(type -1, timestamp, e\.g\. a Date\)/);
    assert.match(String(extensionIn(rich.pack({ x: new Set([1]) }))), /type 115, Set/);
    assert.match(String(extensionIn(rich.pack([undefined]))), /type 0, undefined/);
    assert.match(String(extensionIn(new Packr({ useRecords: true }).pack([{ a: 1 }, { a: 2 }]))), /type 114, record/);
    // 100,000 nested arrays around a timestamp: found without recursion.
    const deep = Buffer.concat([Buffer.alloc(100_000, 0x91), Buffer.from([0xd6, 0xff, 0, 0, 0, 0])]);
    assert.match(String(extensionIn(deep)), /type -1.*offset 100000/);
    assert.match(String(extensionIn(Buffer.from([0x92, 0x01, 0xc1]))), /byte 0xc1 at offset 2/);
  });

  const setup = brokerWithClient();

  it('refuses a Date in a payload with INVALID_ARGUMENT, stores nothing, keeps the connection', async () => {
    const session = await rawClient(setup.broker().port);
    const pending = (await setup.client().stats()).totals.pending;
    await assert.rejects(session.request('submit', { tasks: [{ type: 'echo', payload: { when: new Date() } }] }), (error: RequestFailed) => {
      assert.equal(error.code, 'INVALID_ARGUMENT');
      assert.match(error.message, /timestamp, e\.g\. a Date.*plain msgpack only/);
      return true;
    });
    assert.equal((await setup.client().stats()).totals.pending, pending);
    // The same connection goes on: a plain submit right after is stored.
    const [receipt] = await session.request<{ task: { id: string } }[]>('submit', { tasks: [{ type: 'echo', payload: 'plain' }] });
    assert.equal((await setup.client().get(receipt!.task.id)).payload, 'plain');
    session.close();
  });

  it('TqClient refuses a Date before sending it, saying what to send instead', async () => {
    await assert.rejects(setup.client().submit({ type: 'echo', payload: [new Date(0)] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ENCODE_FAILED');
      assert.match(error.message, /cannot send \w+: it holds a msgpack extension value \(type -1, timestamp, e\.g\. a Date\).*ISO-8601 string or epoch milliseconds/);
      return true;
    });
  });

  it('a worker whose handler returns a Date fails that attempt without sending it, and the results sent with it are stored', async () => {
    const worker = new TqWorker({
      broker: setup.broker().address,
      queues: ['dates'],
      concurrency: 4,
      log: createLogger('worker', 'error'),
      handlers: { when: (task) => (task.payload === 'date' ? new Date(0) : 'plain') },
    });
    await worker.start();
    try {
      const tasks = await setup.client().submitMany(['date', 'text', 'text'].map((payload) => ({ type: 'when', queue: 'dates', payload, maxRetries: 0 })));
      const done = await Promise.all(tasks.map((task) => setup.client().wait(task.id, { timeoutMs: 20_000 })));
      assert.deepEqual(done.map((task) => [task.state, task.result ?? null]), [['dead', null], ['succeeded', 'plain'], ['succeeded', 'plain']]);
      assert.match(String(done[0]!.lastError), /the result cannot be sent to the broker: .*timestamp, e\.g\. a Date/);
    } finally {
      await worker.stop();
    }
  });

  it('closes a connection whose hello holds an extension value', async () => {
    const peer = await rawPeer(setup.broker().port);
    peer.socket.write(encodeFrame({ ...hello('client'), name: new Date() }));
    const error = await closedWith(peer);
    assert.equal(error?.code, 'MALFORMED');
    assert.match(String(error?.message), /type -1/);
  });
});
