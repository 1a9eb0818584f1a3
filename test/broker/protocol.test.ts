/** A broker faced with bad peers: garbage, oversize frames, wrong versions, unknown requests. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { encodeFrame } from '../../src/protocol/frame.ts';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.ts';
import { type BrokerProcess, startBroker } from '../helpers/broker.ts';
import { hello as helloMessage, rawPeer } from '../helpers/protocol.ts';

function hello(version = PROTOCOL_VERSION) {
  return encodeFrame(helloMessage('client', undefined, version));
}

describe('protocol server', () => {
  let broker: BrokerProcess;
  let client: TqClient;

  before(async () => {
    broker = await startBroker({ env: { TQ_MAX_FRAME_BYTES: String(64 * 1024), TQ_MAX_PAYLOAD_BYTES: String(32 * 1024) } });
    client = await TqClient.connect({ broker: broker.address, reconnect: false });
  });

  after(async () => {
    client.close();
    assert.equal(await broker.stop(), 0);
  });

  it('answers garbage with MALFORMED and a close, and keeps serving others', async () => {
    const peer = await rawPeer(broker.port);
    peer.socket.write(Buffer.from([0, 0, 0, 5, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1]));
    await peer.closed;
    // The broker ends the connection with the error frame, so it arrives before the close.
    const error = peer.messages[0];
    assert.deepEqual([error?.t, error?.code], ['error', 'MALFORMED']);
    assert.match(String(error!.message), /closing this connection/);
    const task = await client.submit({ type: 'echo', payload: 'still here' });
    assert.equal((await client.get(task.id)).payload, 'still here');
  });

  it('closes a connection that sends an oversize frame with FRAME_TOO_LARGE', async () => {
    const peer = await rawPeer(broker.port);
    peer.socket.write(hello());
    assert.equal((await peer.next()).t, 'welcome');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(10 * 1024 * 1024);
    peer.socket.write(header);
    const error = await peer.next();
    assert.equal(error.t, 'error');
    assert.equal(error.code, 'FRAME_TOO_LARGE');
    await peer.closed;
    const task = await client.submit({ type: 'echo', payload: 'after the oversize frame' });
    assert.equal((await client.get(task.id)).payload, 'after the oversize frame');
  });

  it('refuses a protocol version it does not speak, naming both versions', async () => {
    const peer = await rawPeer(broker.port);
    peer.socket.write(hello(99));
    const error = await peer.next();
    assert.equal(error.code, 'UNSUPPORTED_VERSION');
    assert.match(String(error.message), new RegExp(`version ${PROTOCOL_VERSION}.*99`));
    await peer.closed;
  });

  it('refuses a first frame that is not a hello', async () => {
    const peer = await rawPeer(broker.port);
    peer.socket.write(encodeFrame({ t: 'req', id: 1, op: 'stats', args: {} }));
    const error = await peer.next();
    assert.equal(error.code, 'MALFORMED');
    await peer.closed;
  });

  it('answers unknown requests and bad arguments without closing', async () => {
    const peer = await rawPeer(broker.port);
    peer.socket.write(hello());
    await peer.next();
    peer.socket.write(encodeFrame({ t: 'req', id: 1, op: 'explode', args: {} }));
    peer.socket.write(encodeFrame({ t: 'req', id: 2, op: 'submit', args: { tasks: 'nope' } }));
    peer.socket.write(encodeFrame({ t: 'req', id: 3, op: 'ack', args: { id: 'x', token: 1 } }));
    const answers = new Map<number, Record<string, unknown>>();
    for (let i = 0; i < 3; i++) {
      const message = await peer.next();
      answers.set(message.id as number, message.error as Record<string, unknown>);
    }
    assert.equal(answers.get(1)!.code, 'UNKNOWN_OP');
    assert.equal(answers.get(2)!.code, 'INVALID_ARGUMENT');
    assert.equal(answers.get(3)!.code, 'NOT_WORKER');
    peer.socket.destroy();
  });

  it('enqueue with each: a bad task answers its error in its place, the others are written', async () => {
    const peer = await rawPeer(broker.port);
    peer.socket.write(hello());
    await peer.next();
    const tasks = [{ type: 'echo', payload: 'a' }, { type: 'bad type!' }, { type: 'echo', payload: 'x'.repeat(40 * 1024) }, { type: 'echo', payload: 'b' }];
    peer.socket.write(encodeFrame({ t: 'req', id: 1, op: 'enqueue', args: { tasks, each: true } }));
    const answer = await peer.next();
    peer.socket.destroy();
    assert.equal(answer.ok, true);
    const [first, bad, big, last] = answer.value as Record<string, any>[];
    assert.deepEqual([bad!.error.code, big!.error.code], ['INVALID_ARGUMENT', 'TOO_LARGE']);
    for (const [receipt, payload] of [[first, 'a'], [last, 'b']] as const) {
      assert.deepEqual(Object.keys(receipt!).sort(), ['created', 'id', 'state']);
      assert.equal(receipt!.created, true);
      assert.equal((await client.get(receipt!.id)).payload, payload);
    }
  });

  it('enqueue without each is all or nothing', async () => {
    const before = (await client.stats()).totals.pending;
    await assert.rejects(client.submitMany([{ type: 'echo' }, { type: 'bad type!' }]), { code: 'INVALID_ARGUMENT' });
    assert.equal((await client.stats()).totals.pending, before);
  });

  it('gathers the submits of one turn, yet a failing one rejects alone', async () => {
    const results = await Promise.allSettled([
      client.submit({ type: 'echo', payload: 1 }),
      client.submit({ type: 'echo', payload: 'x'.repeat(40 * 1024) }),
      client.submit({ type: 'echo', payload: 3, idempotencyKey: 'turn-key' }),
      client.submit({ type: 'echo', payload: 4, idempotencyKey: 'turn-key' }),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal(((results[1] as PromiseRejectedResult).reason as { code: string }).code, 'TOO_LARGE');
    const [one, , three, four] = results.map((result) => (result.status === 'fulfilled' ? result.value : null));
    assert.equal((await client.get(one!.id)).payload, 1);
    // Two submits with one key in the same request: the first creates, the second names it.
    assert.deepEqual([three!.created, four!.created, four!.id], [true, false, three!.id]);
  });

  it('report applies many outcomes at once, each answering in its place', async () => {
    const peer = await rawPeer(broker.port);
    const worker = { id: 'raw-worker', queues: ['reports'], concurrency: 2 };
    peer.socket.write(encodeFrame(helloMessage('worker', worker)));
    assert.equal((await peer.next()).t, 'welcome');
    await client.submitMany([{ type: 'echo', queue: 'reports' }, { type: 'echo', queue: 'reports' }]);
    peer.socket.write(encodeFrame({ t: 'credit', n: 2 }));
    const pushed: { id: string; lease: { token: number } }[] = [];
    while (pushed.length < 2) pushed.push(...((await peer.next()).tasks as typeof pushed));
    const [first, second] = pushed as [(typeof pushed)[0], (typeof pushed)[0]];
    const reports = [
      { op: 'ack', id: first.id, token: first.lease.token, result: 'done' },
      { op: 'nack', id: second.id, token: second.lease.token + 1_000, error: 'stale' },
      { op: 'explode', id: second.id, token: second.lease.token },
      { op: 'release', id: second.id, token: second.lease.token },
    ];
    peer.socket.write(encodeFrame({ t: 'req', id: 1, op: 'report', args: { reports } }));
    let answer = await peer.next();
    while (answer.t !== 'res') answer = await peer.next();
    peer.socket.destroy();
    const [acked, stale, unknown, released] = answer.value as Record<string, any>[];
    assert.deepEqual(acked, { state: 'succeeded' });
    assert.equal(stale!.error.code, 'STALE_TOKEN');
    assert.equal(unknown!.error.code, 'INVALID_ARGUMENT');
    assert.deepEqual(released, { state: 'pending' });
    assert.equal((await client.get(first.id)).result, 'done');
    assert.deepEqual([(await client.get(second.id)).state, (await client.get(second.id)).attempts], ['pending', 0]);
  });

  it('splits gathered submits that together pass the frame limit, and keeps the connection', async () => {
    const payload = 'x'.repeat(20 * 1024); // each fits; four in one frame would pass the 64 KiB limit
    const receipts = await Promise.all(Array.from({ length: 4 }, (_, i) => client.submit({ type: 'echo', payload: `${i}${payload}` })));
    for (const [i, receipt] of receipts.entries()) assert.equal(((await client.get(receipt.id)).payload as string)[0], String(i));
    // One alone over the frame limit is refused here, before it could cost the connection.
    await assert.rejects(client.submit({ type: 'echo', payload: 'x'.repeat(70 * 1024) }), { code: 'TOO_LARGE' });
    assert.ok((await client.stats()).totals.pending >= 4);
  });

  it('refuses a payload over the limit with TOO_LARGE and stores nothing', async () => {
    const before = (await client.stats()).totals.pending;
    await assert.rejects(client.submit({ type: 'echo', payload: 'x'.repeat(40 * 1024) }), { code: 'TOO_LARGE' });
    assert.equal((await client.stats()).totals.pending, before);
  });

  it('returns the existing task for an idempotency key seen before', async () => {
    const first = await client.submit({ type: 'echo', payload: 1, idempotencyKey: 'order-42' });
    const [second] = await client.submitMany([{ type: 'echo', payload: 2, idempotencyKey: 'order-42' }]);
    assert.equal(second!.created, false);
    assert.equal(second!.id, first.id);
    const page = await client.list({ type: 'echo', limit: 1000 });
    assert.equal(page.tasks.filter((task) => task.idempotencyKey === 'order-42').length, 1);
  });
});
