/** Hellos the broker refuses, each with an error frame naming the field, while it serves others. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerWithClient } from './helpers.ts';
import { closedWith, hello, rawPeer } from '../../helpers/protocol.ts';

const worker = { id: 'w-1', queues: ['default'], concurrency: 4 };

describe('tcp: hello validation', () => {
  const setup = brokerWithClient();

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['a queue name that is a number', hello('worker', { ...worker, queues: [123 as unknown as string] }), /worker\.queues\[0\]: queue name 123 is invalid/],
    ['a queue name with a space', hello('worker', { ...worker, queues: ['default', 'a b'] }), /worker\.queues\[1\]: queue name "a b" is invalid/],
    ['no queues', hello('worker', { ...worker, queues: [] }), /worker\.queues must list 1 to 256/],
    ['concurrency 1e15', hello('worker', { ...worker, concurrency: 1e15 }), /worker\.concurrency must be an integer from 1 to 10000 \(got 1000000000000000\)/],
    ['concurrency 0', hello('worker', { ...worker, concurrency: 0 }), /worker\.concurrency must be an integer from 1 to 10000/],
    ['a 60 KB worker id', hello('worker', { ...worker, id: 'x'.repeat(60_000) }), /worker\.id must be a string of 1 to 256 characters \(got "x{30,}… \(60002 characters\)\)/],
    ['role admin', { ...hello('client'), role: 'admin' }, /role "admin" is unknown: use client or worker/],
    ['a worker with no worker field', hello('worker'), /a worker hello needs worker: \{id, queues, concurrency\}/],
    ['a name that is not a string', { ...hello('client'), name: ['x'] }, /name must be a string of at most 256 characters/],
  ];
  for (const [what, message, expected] of refused) {
    it(`refuses a hello with ${what}`, async () => {
      const peer = await rawPeer(setup.broker().port);
      peer.send(message);
      const error = await closedWith(peer);
      assert.equal(error?.code, 'INVALID_ARGUMENT');
      assert.match(String(error?.message), /^bad hello: /);
      assert.match(String(error?.message), expected);
      assert.equal(peer.messages.some((m) => m.t === 'welcome'), false);
    });
  }

  it('a 1 MB worker id cannot even be sent: the hello frame is over the limit before the hello', async () => {
    const peer = await rawPeer(setup.broker().port);
    peer.send(hello('worker', { ...worker, id: 'x'.repeat(1_000_000) }));
    const error = await closedWith(peer);
    assert.equal(error?.code, 'FRAME_TOO_LARGE');
    assert.match(String(error?.message), /over the limit of 65536/);
  });

  it('accepts a good worker hello, and no refused one was attached', async () => {
    const peer = await rawPeer(setup.broker().port);
    peer.send(hello('worker', worker));
    assert.equal((await peer.next()).t, 'welcome');
    const workers = await setup.client().workers();
    assert.deepEqual(workers.map((w) => [w.id, w.queues, w.concurrency]), [['w-1', ['default'], 4]]);
    peer.socket.destroy();
    const task = await setup.client().submit({ type: 'echo', payload: 'still served' });
    assert.equal((await setup.client().get(task.id)).payload, 'still served');
  });
});
