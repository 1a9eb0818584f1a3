/**
 * `wait` requests on a real broker process: they are bounded (MAX_WAITERS in
 * src/broker/waiters.ts, 10,000), so one past the bound is refused at once with a clear error
 * instead of being queued; they wake when their task finishes and when the broker stops.
 *
 * The bound is met with 10,000 real waiting requests, pipelined over two raw connections (one
 * connection stops being read at 10,000 requests in flight, docs/protocol.md): a few MB of frames,
 * about a second.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import type { WireTask } from '../../src/protocol/messages.ts';
import { type BrokerProcess, removeDir, startBroker } from '../helpers/broker.ts';
import { ack, type RawSession, rawClient, RequestFailed, rawWorker } from '../helpers/protocol.ts';

const MAX_WAITERS = 10_000;
/** Longer than any test here, so no wait is answered by its timeout. */
const LONG_MS = 60_000;

describe('waiters', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  const sessions: RawSession[] = [];

  async function raw(): Promise<RawSession> {
    const session = await rawClient(broker.port);
    sessions.push(session);
    return session;
  }

  before(async () => {
    broker = await startBroker();
    client = await TqClient.connect({ broker: broker.address, reconnect: false });
  });
  after(async () => {
    for (const session of sessions) session.close();
    client?.close();
    if (broker.proc.exitCode === null) await broker.stop();
    removeDir(broker.dataDir.replace(/\/data$/, ''));
  });

  it('a wait that outlives its timeout answers with the task as it is', async () => {
    const task = await client.submit({ type: 'echo', queue: 'nobody' });
    const session = await raw();
    const answer = await session.request<WireTask>('wait', { id: task.id, timeoutMs: 200 });
    assert.deepEqual([answer.id, answer.state], [task.id, 'pending']);
  });

  it(`refuses a wait past ${MAX_WAITERS} with UNAVAILABLE; the waiting ones wake when their task finishes`, async () => {
    const [awaited, other, finished] = await client.submitMany([
      { type: 'echo', queue: 'awaited', payload: 'in' },
      { type: 'echo', queue: 'nobody' },
      { type: 'echo', queue: 'nobody' },
    ]);
    await client.cancel(finished!.id);
    const halves = [await raw(), await raw()];
    const waits: Promise<WireTask>[] = [];
    for (const session of halves) {
      const requests = Array.from({ length: MAX_WAITERS / 2 }, () => ({ op: 'wait', args: { id: awaited!.id, timeoutMs: LONG_MS } }));
      waits.push(...session.requestMany<WireTask>(requests));
      // A read after the waits on the same connection: once it is answered, every wait before it is waiting.
      assert.equal((await session.request<WireTask>('get', { id: awaited!.id })).state, 'pending');
    }
    let answered = 0;
    for (const wait of waits) void wait.then(() => answered++, () => undefined);

    const late = await raw();
    // Accepted instead, it would answer after 5 s with the task pending: no rejection, the test fails.
    await assert.rejects(late.request('wait', { id: other!.id, timeoutMs: 5_000 }), (error: RequestFailed) => {
      assert.equal(error.code, 'UNAVAILABLE');
      assert.match(error.message, /10000 requests are already waiting/);
      return true;
    });
    // A task that has already finished needs no waiting: answered even now.
    assert.equal((await late.request<WireTask>('wait', { id: finished!.id, timeoutMs: LONG_MS })).state, 'cancelled');
    assert.equal(answered, 0, 'none of the waits was answered before its task finished');

    const worker = await rawWorker(broker.port, { id: 'awaited-worker', queues: ['awaited'], concurrency: 1 });
    sessions.push(worker);
    worker.credit(1);
    const [task] = await worker.pushedAtLeast(1);
    assert.deepEqual(await ack(worker, task!, 'out'), { state: 'succeeded' });
    // The waits were woken by the commit that the ack's answer followed, so on each connection their
    // answers come before the answer to a read sent now (rather than, wrongly, after their timeout).
    for (const session of halves) await session.request('get', { id: awaited!.id });
    assert.equal(answered, MAX_WAITERS, 'every wait answered once its task finished');
    const woken = await Promise.all(waits);
    assert.equal(woken.length, MAX_WAITERS);
    for (const done of woken) assert.deepEqual([done.id, done.state, done.result], [awaited!.id, 'succeeded', 'out']);

    // The slots are free again: a new wait waits rather than being refused.
    assert.equal((await late.request<WireTask>('wait', { id: other!.id, timeoutMs: 300 })).state, 'pending');
  });

  it('a waiting request is answered when the broker stops, before its connection closes', async () => {
    const task = await client.submit({ type: 'echo', queue: 'nobody' });
    const session = await raw();
    const wait = session.request<WireTask>('wait', { id: task.id, timeoutMs: LONG_MS });
    // Answered after the wait was read, so the wait is waiting.
    await session.request('get', { id: task.id });
    const code = broker.stop();
    const answer = await wait;
    assert.deepEqual([answer.id, answer.state], [task.id, 'pending']);
    assert.equal(await code, 0);
  });
});
