/**
 * The broker's timers on a real broker process: delayed tasks become pending and are pushed once
 * due, a lease that runs out fails its attempt with "lease expired" (dead once the attempts are
 * spent), and retention purges finished tasks past their own state's retention.
 *
 * The purge runs once a minute whatever the tick (PURGE_EVERY_MS in src/broker/timers.ts), and the
 * first one a minute after the broker started. So the retention test waits about a minute; its
 * tasks are finished first of all, and the other tests run while that minute passes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import type { WireTask } from '../../src/protocol/messages.ts';
import { type BrokerProcess, eventually, removeDir, startBroker, tempDir } from '../helpers/broker.ts';
import { ack, type RawSession, RequestFailed, rawWorker } from '../helpers/protocol.ts';

const PURGE_WAIT_MS = 120_000;

describe('timers', () => {
  const dir = tempDir('tq-timers-');
  let broker: BrokerProcess;
  let client: TqClient;
  const sessions: RawSession[] = [];
  /** Finished before the first purge: succeeded (kept 1 ms), cancelled (1 h), dead (the 7 d default); and one pending. */
  const retained: Record<'succeeded' | 'cancelled' | 'dead' | 'pending', string> = { succeeded: '', cancelled: '', dead: '', pending: '' };

  async function worker(queue: string, concurrency = 1): Promise<RawSession> {
    const session = await rawWorker(broker.port, { id: `${queue}-worker`, queues: [queue], concurrency });
    sessions.push(session);
    return session;
  }

  function get(id: string): Promise<WireTask> {
    return client.get(id);
  }

  before(async () => {
    const config = join(dir, 'broker.yaml');
    // Retries after 10-20 ms, so an expired lease's task is soon pending again.
    writeFileSync(config, 'queues:\n  leases:\n    backoffBase: 10ms\n    backoffCap: 20ms\n');
    broker = await startBroker({
      dataDir: join(dir, 'data'),
      args: ['--no-http', '--config', config, '--lease', '1s', '--tick', '50ms'],
      env: { TQ_RETAIN_SUCCEEDED: '1ms', TQ_RETAIN_CANCELLED: '1h' },
    });
    client = await TqClient.connect({ broker: broker.address, reconnect: false });

    const w = await worker('retention', 2);
    const [succeeded, dead, cancelled, pending] = await client.submitMany([
      { type: 'echo', queue: 'retention' },
      { type: 'fail', queue: 'retention', maxRetries: 0 },
      { type: 'echo', queue: 'retention-idle' },
      { type: 'echo', queue: 'retention-idle' },
    ]);
    w.credit(2);
    const [first, second] = await w.pushedAtLeast(2);
    const byId = new Map([first!, second!].map((task) => [task.id, task]));
    assert.deepEqual(await ack(w, byId.get(succeeded!.id)!), { state: 'succeeded' });
    const failing = byId.get(dead!.id)!;
    assert.deepEqual(await w.request('nack', { id: failing.id, token: failing.lease!.token, error: 'no' }), { state: 'dead' });
    assert.equal((await client.cancel(cancelled!.id)).state, 'cancelled');
    Object.assign(retained, { succeeded: succeeded!.id, dead: dead!.id, cancelled: cancelled!.id, pending: pending!.id });
  });

  after(async () => {
    for (const session of sessions) session.close();
    client?.close();
    assert.equal(await broker?.stop(), 0);
    removeDir(dir);
  });

  it('a delayed task is scheduled, then pending once due', async () => {
    const submitted = await client.submit({ type: 'echo', queue: 'delayed-idle', delayMs: 500 });
    const scheduled = await get(submitted.id);
    assert.equal(scheduled.state, 'scheduled');
    assert.ok(scheduled.runAt! > scheduled.createdAt, 'due later than it was submitted');
    const pending = await eventually(async () => {
      const task = await get(submitted.id);
      return task.state === 'pending' ? task : undefined;
    }, 20_000, 'the delayed task to become pending');
    assert.ok(pending.updatedAt >= scheduled.runAt!, 'promoted at its due time, not before');
    assert.deepEqual((await client.stats()).queues.find((queue) => queue.name === 'delayed-idle')!.states.scheduled, 0);
  });

  it('a delayed task is pushed to a waiting worker once due, not before', async () => {
    const w = await worker('delayed');
    w.credit(1);
    await w.settle();
    const submitted = await client.submit({ type: 'echo', queue: 'delayed', delayMs: 500 });
    await w.settle();
    assert.equal(w.pushed.length, 0, 'nothing pushed while it is scheduled');
    const [pushed] = await w.pushedAtLeast(1);
    assert.equal(pushed!.id, submitted.id);
    assert.equal(pushed!.attempts, 1);
    const running = await get(submitted.id);
    assert.equal(running.state, 'running');
    assert.ok(running.startedAt! >= running.runAt!, 'started at or after its due time');
    assert.deepEqual(await ack(w, pushed!), { state: 'succeeded' });
  });

  it('a lease that runs out fails the attempt with "lease expired"; the last allowed one ends dead', async () => {
    const w = await worker('leases');
    const submitted = await client.submit({ type: 'echo', queue: 'leases', maxRetries: 1 });
    w.credit(1);
    const [first] = await w.pushedAtLeast(1);
    // No heartbeat: the 1 s lease runs out. The worker has no credit left, so the retry waits as pending.
    const retried = await eventually(async () => {
      const task = await get(submitted.id);
      return task.state === 'pending' && task.attempts === 1 ? task : undefined;
    }, 20_000, 'the first lease to expire');
    assert.equal(retried.lastError, 'lease expired');
    assert.equal(retried.lease, null);
    assert.deepEqual(retried.history.map((attempt) => [attempt.attempt, attempt.workerId, attempt.error]), [[1, 'leases-worker', 'lease expired']]);
    // The expired lease's token no longer counts.
    await assert.rejects(ack(w, first!), (error: RequestFailed) => error.code === 'STALE_TOKEN');

    w.credit(1);
    const [, second] = await w.pushedAtLeast(2);
    assert.equal(second!.id, submitted.id);
    assert.equal(second!.attempts, 2);
    assert.ok(second!.lease!.token > first!.lease!.token, 'a new fencing token');
    const dead = await eventually(async () => {
      const task = await get(submitted.id);
      return task.state === 'dead' ? task : undefined;
    }, 20_000, 'the second lease to expire');
    assert.equal(dead.attempts, 2);
    assert.equal(dead.lastError, 'lease expired');
    assert.deepEqual(dead.history.map((attempt) => attempt.error), ['lease expired', 'lease expired']);
    await assert.rejects(ack(w, second!), (error: RequestFailed) => error.code === 'STALE_TOKEN');
  });

  it('retention purges finished tasks past their state’s retention, and only those', async () => {
    // The first purge comes a minute after the start; it logs what it purged.
    await eventually(() => (/"msg":"purged finished tasks past retention"/.test(broker.output()) ? true : undefined), PURGE_WAIT_MS, 'the first purge');
    await assert.rejects(get(retained.succeeded), { code: 'NOT_FOUND' });
    assert.equal((await get(retained.cancelled)).state, 'cancelled', 'kept: cancelled tasks are retained for 1 h');
    assert.equal((await get(retained.dead)).state, 'dead', 'kept: dead tasks are retained for 7 days');
    assert.equal((await get(retained.pending)).state, 'pending', 'unfinished tasks are never purged');
    const states = (await client.stats()).queues.find((queue) => queue.name === 'retention')!.states;
    assert.deepEqual([states.succeeded, states.dead], [0, 1]);
  });
});
