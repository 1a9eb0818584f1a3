/**
 * Reads (list with filters and cursors, stats, queues) and the administrative commands that work on
 * many tasks at once, each bounded per call with `more` (DESIGN.md, "The contract").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BulkOutcome, Command, Engine, NewTask, TaskRecord, TaskState } from '../../src/engine/index.ts';
import { rejectsWith, scanAll, T0, throwsWith, withEngine } from './helpers.ts';

type Target = 'pending' | 'scheduled' | 'running' | 'succeeded' | 'failed' | 'dead' | 'cancelled';

interface Spec {
  id: string;
  queue?: string;
  type?: string;
  priority?: number;
  state: Target;
}

/**
 * Puts each task into its target state: the ones that need a claim are submitted and claimed first
 * (a claim takes everything pending in their queues, so call it where those hold nothing pending),
 * then finished in the order given; then the rest are submitted in the order given.
 */
async function populate(engine: Engine, specs: Spec[], start = T0): Promise<number> {
  let time = Math.max(start, engine.lastTime);
  const task = (spec: Spec, extra: Partial<NewTask> = {}): NewTask => ({ id: spec.id, type: spec.type ?? 'job', queue: spec.queue ?? 'default', priority: spec.priority, ...extra });
  const claimedStates: Target[] = ['running', 'succeeded', 'failed', 'dead'];
  const claimed = specs.filter((spec) => claimedStates.includes(spec.state));
  if (claimed.length > 0) {
    await engine.execute({
      kind: 'submit',
      time: ++time,
      tasks: claimed.map((spec) => task(spec, { maxRetries: spec.state === 'dead' ? 0 : 3, backoffBaseMs: 3_600_000, backoffCapMs: 3_600_000 })),
    });
    const queues = [...new Set(claimed.map((spec) => spec.queue ?? 'default'))];
    const got = await engine.execute({ kind: 'claim', time: ++time, workerId: 'w', queues, max: 10_000, leaseMs: 3_600_000 });
    const tokens = new Map(got.map((t) => [t.id, t.lease!.token]));
    for (const spec of claimed) {
      const token = tokens.get(spec.id);
      assert.ok(token !== undefined, `${spec.id} was claimed`);
      if (spec.state === 'succeeded') await engine.execute({ kind: 'ack', time: ++time, id: spec.id, token });
      if (spec.state === 'failed' || spec.state === 'dead') await engine.execute({ kind: 'nack', time: ++time, id: spec.id, token, error: 'boom', seed: 0x8000_0000 });
    }
  }
  for (const spec of specs) {
    if (claimedStates.includes(spec.state)) continue;
    await engine.execute({ kind: 'submit', time: ++time, tasks: [task(spec, spec.state === 'scheduled' ? { runAt: time + 3_600_000 } : {})] });
    if (spec.state === 'cancelled') await engine.execute({ kind: 'cancel', time: ++time, id: spec.id });
  }
  for (const spec of specs) assert.equal(engine.get(spec.id).state, spec.state, `${spec.id} is ${spec.state}`);
  return time;
}

const ids = (tasks: { id: string }[]) => tasks.map((task) => task.id);
const sorted = (list: string[]) => [...list].sort();

/** Calls a bounded command until `more` is false; returns the counts of each call. */
async function untilDone(engine: Engine, command: (time: number) => Command): Promise<number[]> {
  const counts: number[] = [];
  for (let call = 0; call < 100; call++) {
    const result = (await engine.execute(command(engine.lastTime + 1))) as BulkOutcome;
    counts.push(result.count);
    if (!result.more) return counts;
  }
  assert.fail('`more` never became false');
}

describe('list', () => {
  const queues = ['alpha', 'beta', 'gamma'];
  const types = ['email', 'resize'];
  const states: Target[] = ['pending', 'scheduled', 'running', 'succeeded', 'failed', 'dead', 'cancelled'];
  const specs: Spec[] = [];
  let n = 0;
  for (const state of states) for (const queue of queues) for (const type of types) for (let k = 0; k < 2; k++) specs.push({ id: `t${String(n++).padStart(3, '0')}`, queue, type, state });

  test('filters by state, queue and type, alone and together', () =>
    withEngine(async (engine) => {
      await populate(engine, specs);
      const options = [undefined, ...queues, 'unknown-queue'].flatMap((queue) =>
        [undefined, ...states, 'waiting' as const].flatMap((state) => [undefined, ...types, 'unknown-type'].map((type) => ({ queue, state, type }))),
      );
      for (const filter of options) {
        const expected = specs.filter((spec) => (filter.queue === undefined || spec.queue === filter.queue) && (filter.state === undefined || spec.state === filter.state) && (filter.type === undefined || spec.type === filter.type));
        const clean = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
        const page = engine.list({ ...clean, limit: 1000 });
        assert.deepEqual(sorted(ids(page.tasks)), sorted(ids(expected)), `list(${JSON.stringify(clean)})`);
        assert.equal(page.nextCursor, null);
      }
    }));

  test('cursor pagination: every task once, no gaps, newest change of state first', () =>
    withEngine(async (engine) => {
      await populate(engine, specs);
      // Then change a few more, in a known order: these must now come first, newest first.
      let time = engine.lastTime;
      const [a, b] = await engine.execute({ kind: 'claim', time: ++time, workerId: 'w', queues: ['alpha'], max: 2, leaseMs: 60_000 });
      await engine.execute({ kind: 'cancel', time: ++time, id: 't020' });
      await engine.execute({ kind: 'ack', time: ++time, id: a!.id, token: a!.lease!.token });
      const all = scanAll(engine, { limit: 1000 }).tasks;
      assert.equal(all.length, specs.length);
      assert.deepEqual(ids(all.slice(0, 3)), [a!.id, 't020', b!.id], 'the latest changes of state come first');
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.stateSeq > all[i]!.stateSeq, 'strictly newest first');
      for (const limit of [1, 2, 7, 50, 999, 1000]) {
        const { tasks, pages } = scanAll(engine, { limit });
        assert.deepEqual(ids(tasks), ids(all), `pages of ${limit}: the same tasks in the same order`);
        assert.equal(pages, Math.max(1, Math.ceil(all.length / limit)), `pages of ${limit}: full pages until the last`);
      }
      for (const filter of [{ state: 'running' as const }, { queue: 'beta' }, { type: 'email' }, { state: 'pending' as const, queue: 'gamma', type: 'resize' }]) {
        const whole = engine.list({ ...filter, limit: 1000 }).tasks;
        assert.deepEqual(ids(scanAll(engine, { ...filter, limit: 3 }).tasks), ids(whole), `pages of 3 with ${JSON.stringify(filter)}`);
        assert.deepEqual(ids(whole), ids(all.filter((task) => Object.entries(filter).every(([key, value]) => task[key as keyof TaskRecord] === value))));
      }
    }));

  test('a page holds at most 1,000 tasks; a bigger limit or a bad cursor is INVALID_ARGUMENT', () =>
    withEngine(async (engine) => {
      const tasks = Array.from({ length: 2_345 }, (_, i) => ({ id: `t${i}`, type: 'job' }));
      await engine.execute({ kind: 'submit', time: T0, tasks });
      const first = engine.list({ limit: 1000 });
      assert.equal(first.tasks.length, 1000);
      assert.ok(first.nextCursor !== null);
      assert.ok(engine.list().tasks.length <= 1000, 'the default page is bounded too');
      assert.equal(scanAll(engine, { limit: 1000 }).pages, 3);
      for (const limit of [0, -1, 1001, 1.5]) throwsWith(() => engine.list({ limit }), 'INVALID_ARGUMENT', /limit must be an integer from 1 to 1000/);
      for (const cursor of ['abc', '-1', '1.5', '']) throwsWith(() => engine.list({ cursor }), 'INVALID_ARGUMENT', /cursor .* is invalid: pass a nextCursor from an earlier page/);
      throwsWith(() => engine.list({ state: 'bogus' as TaskState }), 'INVALID_ARGUMENT', /state "bogus" is invalid/);
    }));

  test('a type filter over many tasks of other types still reaches every match through cursors', () =>
    withEngine(async (engine) => {
      // More non-matching entries than one page examines, with matches on both sides of them.
      const tasks: NewTask[] = [{ id: 'match-old', type: 'rare' }];
      for (let i = 0; i < 25_000; i++) tasks.push({ id: `common-${i}`, type: 'common' });
      tasks.push({ id: 'match-new', type: 'rare' });
      for (let i = 0; i < tasks.length; i += 10_000) await engine.execute({ kind: 'submit', time: T0, tasks: tasks.slice(i, i + 10_000) });
      const found = scanAll(engine, { type: 'rare', limit: 10 });
      assert.deepEqual(ids(found.tasks), ['match-new', 'match-old']);
    }));
});

describe('stats and queues', () => {
  test('counts per queue × priority × state, totals, and the oldest pending age', () =>
    withEngine(async (engine) => {
      await populate(engine, [
        { id: 'a1', queue: 'a', priority: 200, state: 'running' },
        { id: 'a2', queue: 'a', priority: 200, state: 'dead' },
        { id: 'a3', queue: 'a', priority: 50, state: 'succeeded' },
        { id: 'a4', queue: 'a', priority: 200, state: 'pending' },
        { id: 'a5', queue: 'a', priority: 50, state: 'pending' },
        { id: 'a6', queue: 'a', priority: 50, state: 'pending' },
        { id: 'b1', queue: 'b', priority: 100, state: 'scheduled' },
        { id: 'b2', queue: 'b', priority: 100, state: 'cancelled' },
        { id: 'b3', queue: 'b', priority: 100, state: 'failed' },
      ]);
      const now = engine.lastTime + 1_000;
      const stats = engine.stats(now);
      assert.deepEqual(stats.totals, { waiting: 0, scheduled: 1, pending: 3, running: 1, succeeded: 1, failed: 1, dead: 1, cancelled: 1 });
      const a = stats.queues.find((queue) => queue.name === 'a')!;
      const b = stats.queues.find((queue) => queue.name === 'b')!;
      assert.deepEqual(a.states, { waiting: 0, scheduled: 0, pending: 3, running: 1, succeeded: 1, failed: 0, dead: 1, cancelled: 0 });
      assert.deepEqual(a.priorities, { '200': { running: 1, dead: 1, pending: 1 }, '50': { succeeded: 1, pending: 2 } });
      assert.deepEqual(b.priorities, { '100': { scheduled: 1, cancelled: 1, failed: 1 } });
      assert.equal(a.oldestPendingAgeMs, now - engine.get('a4').createdAt, 'a4 became ready first');
      assert.equal(b.oldestPendingAgeMs, null, 'nothing pending in b');
      assert.equal(a.paused, false);
    }));

  test('reads that stop early release their cursors: hundreds of turns of them do not run out of LMDB readers', () =>
    withEngine(async (engine) => {
      const tasks = Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, type: 'job', priority: i % 3 === 0 ? 'high' : 'normal' }));
      await engine.execute({ kind: 'submit', time: T0, tasks });
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'done', type: 'job' }] });
      await engine.execute({ kind: 'cancel', time: T0, id: 'done' });
      // After each commit lmdb-js starts a new read transaction; one a cursor still holds keeps its reader slot.
      for (let i = 0; i < 300; i++) {
        engine.stats(T0 + 1_000);
        engine.list({ state: i % 2 === 0 ? 'pending' : 'cancelled', limit: 1 });
        engine.list({ limit: 2 });
        await engine.execute({ kind: 'progress', time: T0, id: 'nope', token: 1, fraction: 0 }).catch(() => undefined);
        await engine.execute({ kind: 'pauseQueue', time: T0, queue: 'other' });
      }
      const cancelled = await engine.execute({ kind: 'cancelWhere', time: T0 + 2_000, filter: { state: 'pending' }, limit: 1 });
      assert.equal(cancelled.count, 1);
      assert.equal(engine.list({ state: 'pending', queue: 'default', limit: 1_000 }).tasks.length, 29);
    }));

  test('the oldest pending age follows the task that became ready first', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'first', type: 'job' }] });
      await engine.execute({ kind: 'submit', time: T0 + 100, tasks: [{ id: 'second', type: 'job' }, { id: 'later', type: 'job', runAt: T0 + 500 }] });
      const age = (now: number) => engine.stats(now).queues.find((queue) => queue.name === 'default')!.oldestPendingAgeMs;
      assert.equal(age(T0 + 1_000), 1_000);
      assert.equal(age(T0 - 5_000), 0, 'never negative');
      const [claimed] = await engine.execute({ kind: 'claim', time: T0 + 200, workerId: 'w', queues: ['default'], max: 1, leaseMs: 10_000 });
      assert.equal(claimed?.id, 'first');
      assert.equal(age(T0 + 1_000), 900, 'second is now the oldest');
      await engine.execute({ kind: 'release', time: T0 + 300, id: 'first', token: claimed!.lease!.token });
      assert.equal(age(T0 + 1_000), 900, 'a released task arrives again behind the others');
      await engine.execute({ kind: 'promoteDue', time: T0 + 600, limit: 10 });
      await engine.execute({ kind: 'claim', time: T0 + 700, workerId: 'w', queues: ['default'], max: 2, leaseMs: 10_000 });
      assert.equal(age(T0 + 1_000), 400, 'the promoted task became ready at T0+600');
      await engine.execute({ kind: 'claim', time: T0 + 800, workerId: 'w', queues: ['default'], max: 1, leaseMs: 10_000 });
      assert.equal(age(T0 + 1_000), null);
    }));

  test('queues() lists every queue with its paused flag; pausing an unknown queue creates it', () =>
    withEngine(async (engine) => {
      assert.deepEqual(engine.queues(), []);
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue: 'mail' }, { id: 'b', type: 'job' }] });
      // Each queue's settings are test/engine/queue-config.test.ts's business: here only name and paused.
      const flag = ({ name, paused }: { name: string; paused: boolean }) => ({ name, paused });
      assert.deepEqual(flag(await engine.execute({ kind: 'pauseQueue', time: T0, queue: 'mail' })), { name: 'mail', paused: true });
      await engine.execute({ kind: 'pauseQueue', time: T0, queue: 'empty' });
      const byName = (list: { name: string; paused: boolean }[]) => list.map(flag).sort((x, y) => (x.name < y.name ? -1 : 1));
      assert.deepEqual(byName(engine.queues()), [
        { name: 'default', paused: false },
        { name: 'empty', paused: true },
        { name: 'mail', paused: true },
      ]);
      assert.deepEqual(byName(engine.stats(T0).queues.map(({ name, paused }) => ({ name, paused }))), byName(engine.queues()));
      await engine.execute({ kind: 'resumeQueue', time: T0, queue: 'mail' });
      assert.equal(engine.queues().find((queue) => queue.name === 'mail')?.paused, false);
    }));

  test('claim skips paused queues until they are resumed; a paused queue still takes submits and reports', () =>
    withEngine(async (engine) => {
      await engine.execute({
        kind: 'submit',
        time: T0,
        tasks: [
          { id: 'hot', type: 'job', queue: 'p', priority: 'urgent' },
          { id: 'run', type: 'job', queue: 'p', priority: 'urgent' },
          { id: 'cold', type: 'job', queue: 'o', priority: 'low' },
        ],
      });
      const [running] = await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['p'], max: 1, leaseMs: 10_000 });
      assert.equal(running?.id, 'hot');
      await engine.execute({ kind: 'pauseQueue', time: T0 + 1, queue: 'p' });
      assert.deepEqual(ids(await engine.execute({ kind: 'claim', time: T0 + 2, workerId: 'w', queues: ['p'], max: 5, leaseMs: 10_000 })), []);
      assert.deepEqual(ids(await engine.execute({ kind: 'claim', time: T0 + 2, workerId: 'w', queues: ['p', 'o'], max: 5, leaseMs: 10_000 })), ['cold']);
      await engine.execute({ kind: 'submit', time: T0 + 3, tasks: [{ id: 'queued', type: 'job', queue: 'p' }] });
      assert.equal((await engine.execute({ kind: 'ack', time: T0 + 4, id: 'hot', token: running!.lease!.token })).state, 'succeeded', 'running work finishes');
      assert.equal(engine.stats(T0 + 5).queues.find((queue) => queue.name === 'p')!.states.pending, 2);
      await engine.execute({ kind: 'resumeQueue', time: T0 + 5, queue: 'p' });
      assert.deepEqual(ids(await engine.execute({ kind: 'claim', time: T0 + 6, workerId: 'w', queues: ['p'], max: 5, leaseMs: 10_000 })), ['run', 'queued']);
    }));

  test('claim order across queues: highest priority first, ties by arrival into pending', () =>
    withEngine(async (engine) => {
      await engine.execute({
        kind: 'submit',
        time: T0,
        tasks: [
          { id: 'x-normal-1', type: 'job', queue: 'x' },
          { id: 'y-high', type: 'job', queue: 'y', priority: 'high' },
          { id: 'y-normal-2', type: 'job', queue: 'y' },
          { id: 'x-normal-3', type: 'job', queue: 'x' },
          { id: 'z-urgent', type: 'job', queue: 'z', priority: 'urgent' },
          { id: 'x-high', type: 'job', queue: 'x', priority: 150 },
        ],
      });
      const [first] = await engine.execute({ kind: 'claim', time: T0 + 1, workerId: 'w', queues: ['x', 'y'], max: 1, leaseMs: 1_000 });
      assert.equal(first?.id, 'y-high');
      // Released: it arrives into pending again, behind x-high of the same priority.
      await engine.execute({ kind: 'release', time: T0 + 2, id: 'y-high', token: first!.lease!.token });
      const rest = await engine.execute({ kind: 'claim', time: T0 + 3, workerId: 'w', queues: ['y', 'x', 'x'], max: 10, leaseMs: 1_000 });
      assert.deepEqual(ids(rest), ['x-high', 'y-high', 'x-normal-1', 'y-normal-2', 'x-normal-3']);
    }));

  test('nextDueAt and nextLeaseExpiry say when the broker has work to do', () =>
    withEngine(async (engine) => {
      assert.equal(engine.nextDueAt(), null);
      assert.equal(engine.nextLeaseExpiry(), null);
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'later', type: 'job', runAt: T0 + 900 }, { id: 'soon', type: 'job', runAt: T0 + 300 }, { id: 'now', type: 'job' }] });
      assert.equal(engine.nextDueAt(), T0 + 300);
      await engine.execute({ kind: 'claim', time: T0 + 10, workerId: 'w', queues: ['default'], max: 1, leaseMs: 5_000 });
      assert.equal(engine.nextLeaseExpiry(), T0 + 5_010);
    }));
});

describe('what a task keeps', () => {
  test('startedAt, finishedAt, progress and a bounded history of attempts (worker, start, end, error)', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', maxRetries: 20, backoffBaseMs: 0 }] });
      let time = T0;
      const claim = async (workerId: string) => {
        const [task] = await engine.execute({ kind: 'claim', time: (time += 10), workerId, queues: ['default'], max: 1, leaseMs: 1_000 });
        assert.equal(task?.id, 'a');
        return task.lease!.token;
      };
      for (let attempt = 1; attempt <= 12; attempt++) {
        const token = await claim(`w${attempt}`);
        assert.deepEqual([engine.get('a').startedAt, engine.get('a').progress], [time, null], 'a claim starts afresh');
        await engine.execute({ kind: 'progress', time: time + 1, id: 'a', token, fraction: 0.5, message: 'half' });
        assert.deepEqual(engine.get('a').progress, { fraction: 0.5, message: 'half' });
        await engine.execute({ kind: 'nack', time: time + 5, id: 'a', token, error: `error ${attempt}`, seed: 0 });
        await engine.execute({ kind: 'promoteDue', time: time + 5, limit: 10 });
      }
      // A release hands the attempt back: it leaves no trace in the history.
      const quitter = await claim('quitter');
      await engine.execute({ kind: 'release', time: time + 1, id: 'a', token: quitter });
      // An expired lease is an attempt that failed with "lease expired".
      await claim('w13');
      await engine.execute({ kind: 'expireLeases', time: time + 1_000, limit: 10, seed: 0 });
      time += 1_000;
      await engine.execute({ kind: 'promoteDue', time, limit: 10 });
      const token = await claim('w14');
      await engine.execute({ kind: 'ack', time: time + 7, id: 'a', token });
      const task = engine.get('a');
      assert.deepEqual([task.state, task.attempts, task.startedAt, task.finishedAt], ['succeeded', 14, time, time + 7]);
      assert.equal(task.history.length, 10, 'the history keeps the newest attempts only');
      assert.deepEqual(task.history.map((entry) => entry.attempt), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      assert.deepEqual(task.history.map((entry) => entry.workerId), ['w5', 'w6', 'w7', 'w8', 'w9', 'w10', 'w11', 'w12', 'w13', 'w14']);
      assert.deepEqual(task.history.slice(0, 8).map((entry) => entry.error), [5, 6, 7, 8, 9, 10, 11, 12].map((n) => `error ${n}`));
      assert.deepEqual(task.history.slice(-2).map((entry) => entry.error), ['lease expired', null]);
      for (const entry of task.history) assert.ok(entry.endedAt !== null && entry.endedAt >= entry.startedAt, 'every attempt has its start and end');
      assert.deepEqual([task.history.at(-1)!.startedAt, task.history.at(-1)!.endedAt], [time, time + 7]);
    }));
});

describe('bounded bulk commands', () => {
  test('drainQueue deletes only the pending tasks of its queue, bounded with `more`', () =>
    withEngine(async (engine) => {
      const specs: Spec[] = [
        { id: 'run', queue: 'd', state: 'running' },
        { id: 'ok', queue: 'd', state: 'succeeded' },
        { id: 'sched', queue: 'd', state: 'scheduled' },
        { id: 'other', queue: 'e', state: 'pending' },
        ...[1, 2, 3, 4, 5].map((i): Spec => ({ id: `p${i}`, queue: 'd', state: 'pending' })),
      ];
      await populate(engine, specs);
      await engine.execute({ kind: 'submit', time: engine.lastTime, tasks: [{ id: 'keyed', type: 'job', queue: 'd', idempotencyKey: 'once' }] });
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'drainQueue', time, queue: 'd', limit: 2 })), [2, 2, 2]);
      for (const id of ['p1', 'p2', 'p3', 'p4', 'p5', 'keyed']) throwsWith(() => engine.get(id), 'NOT_FOUND');
      assert.deepEqual(sorted(ids(scanAll(engine).tasks)), ['ok', 'other', 'run', 'sched']);
      assert.equal(engine.stats(engine.lastTime).totals.pending, 1);
      const [again] = await engine.execute({ kind: 'submit', time: engine.lastTime, tasks: [{ id: 'keyed-2', type: 'job', queue: 'd', idempotencyKey: 'once' }] });
      assert.equal(again?.created, true, 'the idempotency key went with its task');
      assert.deepEqual(await engine.execute({ kind: 'drainQueue', time: engine.lastTime, queue: 'nowhere', limit: 5 }), { count: 0, more: false });
    }));

  test('dlqPurge deletes dead tasks (of a queue, or all), bounded with `more`', () =>
    withEngine(async (engine) => {
      await populate(engine, [
        ...[1, 2, 3].map((i): Spec => ({ id: `a${i}`, queue: 'a', state: 'dead' })),
        ...[1, 2].map((i): Spec => ({ id: `b${i}`, queue: 'b', state: 'dead' })),
        { id: 'failed', queue: 'a', state: 'failed' },
        { id: 'cancelled', queue: 'a', state: 'cancelled' },
      ]);
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'dlqPurge', time, queue: 'a', limit: 2 })), [2, 1]);
      assert.deepEqual(sorted(ids(scanAll(engine).tasks)), ['b1', 'b2', 'cancelled', 'failed']);
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'dlqPurge', time, limit: 1 })), [1, 1]);
      assert.equal(engine.stats(engine.lastTime).totals.dead, 0);
    }));

  test('dlqReplay puts dead tasks back to pending with attempts reset, bounded with `more`', () =>
    withEngine(async (engine) => {
      await populate(engine, [...[1, 2, 3, 4, 5].map((i): Spec => ({ id: `d${i}`, queue: i <= 3 ? 'a' : 'b', state: 'dead' })), { id: 'f', queue: 'a', state: 'failed' }]);
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'dlqReplay', time, queue: 'a', limit: 2 })), [2, 1]);
      for (const id of ['d1', 'd2', 'd3']) {
        const task = engine.get(id);
        assert.deepEqual([task.state, task.attempts, task.finishedAt], ['pending', 0, null]);
      }
      assert.deepEqual([engine.get('d4').state, engine.get('f').state], ['dead', 'failed']);
      assert.deepEqual(await engine.execute({ kind: 'dlqReplay', time: engine.lastTime, ids: ['d5', 'd4'], limit: 10 }), { count: 2, more: false });
      await rejectsWith(engine.execute({ kind: 'dlqReplay', time: engine.lastTime, ids: ['d1'], limit: 10 }), 'INVALID_STATE', /not dead/);
      await rejectsWith(engine.execute({ kind: 'dlqReplay', time: engine.lastTime, ids: ['a', 'b', 'c'], limit: 2 }), 'INVALID_ARGUMENT', /at most 2 task ids/);
      assert.equal(engine.stats(engine.lastTime).totals.pending, 5);
    }));

  test('dlqReplay naming the same task twice replays it once', () =>
    withEngine(async (engine) => {
      await populate(engine, [{ id: 'a', state: 'dead' }]);
      const result = await engine.execute({ kind: 'dlqReplay', time: engine.lastTime, ids: ['a', 'a'], limit: 10 });
      assert.ok(result.count === 1 || result.count === 2);
      assert.deepEqual(engine.stats(engine.lastTime).totals, { waiting: 0, scheduled: 0, pending: 1, running: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0 });
      const claimed = await engine.execute({ kind: 'claim', time: engine.lastTime, workerId: 'w', queues: ['default'], max: 10, leaseMs: 1_000 });
      assert.deepEqual(ids(claimed), ['a'], 'the task is handed out once');
    }));

  test('cancelWhere cancels what matches, asks running tasks to stop, bounded with `more`', () =>
    withEngine(async (engine) => {
      await populate(engine, [
        { id: 'p1', queue: 'c', state: 'pending' },
        { id: 'p2', queue: 'c', state: 'pending' },
        { id: 's1', queue: 'c', state: 'scheduled' },
        { id: 'f1', queue: 'c', state: 'failed' },
        { id: 'r1', queue: 'c', state: 'running' },
        { id: 'done', queue: 'c', state: 'succeeded' },
        { id: 'dead', queue: 'c', state: 'dead' },
        { id: 'elsewhere', queue: 'other', state: 'pending' },
      ]);
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'cancelWhere', time, filter: { queue: 'c' }, limit: 2 })), [2, 2, 1]);
      for (const id of ['p1', 'p2', 's1', 'f1']) assert.equal(engine.get(id).state, 'cancelled');
      assert.deepEqual([engine.get('r1').state, engine.get('r1').cancelRequested], ['running', true], 'a running task keeps running');
      assert.deepEqual([engine.get('done').state, engine.get('dead').state, engine.get('elsewhere').state], ['succeeded', 'dead', 'pending']);
      assert.deepEqual(await engine.execute({ kind: 'cancelWhere', time: engine.lastTime, filter: { queue: 'c' }, limit: 2 }), { count: 0, more: false }, 'nothing left to do');
      const token = engine.get('r1').lease!.token;
      const beat = await engine.execute({ kind: 'renewLeases', time: engine.lastTime, leases: [{ id: 'r1', token }] });
      assert.deepEqual(beat.cancelRequested, ['r1'], 'the worker hears of it');
      assert.equal((await engine.execute({ kind: 'ack', time: engine.lastTime, id: 'r1', token })).state, 'cancelled', 'it ends cancelled whatever it reports');
      assert.deepEqual(await engine.execute({ kind: 'cancelWhere', time: engine.lastTime, filter: { type: 'job', state: 'pending' }, limit: 10 }), { count: 1, more: false });
    }));

  test('cancelWhere keeps going past running tasks it already asked to stop', () =>
    withEngine(async (engine) => {
      await populate(engine, ['r1', 'r2', 'r3', 'r4'].map((id): Spec => ({ id, state: 'running' })));
      await engine.execute({ kind: 'cancel', time: engine.lastTime, id: 'r1' });
      await engine.execute({ kind: 'cancel', time: engine.lastTime, id: 'r2' });
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'cancelWhere', time, filter: {}, limit: 1 })), [1, 1]);
      for (const id of ['r1', 'r2', 'r3', 'r4']) assert.equal(engine.get(id).cancelRequested, true, `${id} asked to stop`);
    }));

  test('retryWhere puts dead, failed and cancelled tasks back, attempts reset, bounded with `more`', () =>
    withEngine(async (engine) => {
      await populate(engine, [
        { id: 'd1', type: 'email', state: 'dead' },
        { id: 'd2', type: 'resize', state: 'dead' },
        { id: 'f1', type: 'email', state: 'failed' },
        { id: 'c1', type: 'email', state: 'cancelled' },
        { id: 'ok', type: 'email', state: 'succeeded' },
        { id: 'run', type: 'email', state: 'running' },
      ]);
      assert.deepEqual(await untilDone(engine, (time) => ({ kind: 'retryWhere', time, filter: { type: 'email' }, limit: 2 })), [2, 1]);
      for (const id of ['d1', 'f1', 'c1']) assert.deepEqual([engine.get(id).state, engine.get(id).attempts], ['pending', 0]);
      assert.deepEqual([engine.get('d2').state, engine.get('ok').state, engine.get('run').state], ['dead', 'succeeded', 'running']);
      assert.deepEqual(await engine.execute({ kind: 'retryWhere', time: engine.lastTime, filter: { state: 'dead' }, limit: 5 }), { count: 1, more: false });
      assert.deepEqual(await engine.execute({ kind: 'retryWhere', time: engine.lastTime, filter: { state: 'running' }, limit: 5 }), { count: 0, more: false });
    }));

  test('purge deletes finished tasks past their retention, bounded with `more`', () =>
    withEngine(async (engine) => {
      const hour = 3_600_000;
      const day = 24 * hour;
      // Finished at T0+1.., then more finished a day later.
      await populate(engine, [
        { id: 'ok-old-1', state: 'succeeded' },
        { id: 'ok-old-2', queue: 'q2', state: 'succeeded' },
        { id: 'ok-old-3', state: 'succeeded' },
        { id: 'cancel-old', state: 'cancelled' },
        { id: 'dead-old', state: 'dead' },
        { id: 'failed-old', state: 'failed' },
        { id: 'pending-old', queue: 'idle', state: 'pending' },
      ]);
      const firstBatchEnd = engine.lastTime;
      // Just before 24 h have passed for the old ones: nothing goes.
      assert.deepEqual(await engine.execute({ kind: 'purge', time: T0 + day - 1_000, limit: 100 }), { count: 0, more: false });
      await populate(engine, [{ id: 'ok-new', state: 'succeeded' }, { id: 'cancel-new', state: 'cancelled' }, { id: 'dead-new', state: 'dead' }], T0 + day);
      // 24 h after the old ones finished: the old succeeded and cancelled go, two a call; dead stays 7 days.
      const now = Math.max(firstBatchEnd + day, engine.lastTime);
      assert.deepEqual(await engine.execute({ kind: 'purge', time: now, limit: 2 }), { count: 2, more: true });
      assert.deepEqual(await engine.execute({ kind: 'purge', time: now, limit: 2 }), { count: 2, more: false });
      assert.deepEqual(sorted(ids(scanAll(engine).tasks)), sorted(['dead-old', 'failed-old', 'pending-old', 'ok-new', 'cancel-new', 'dead-new']));
      // A week after the new ones finished, everything finished is past retention, the dead included.
      assert.deepEqual(await untilDone(engine, () => ({ kind: 'purge', time: T0 + 9 * day, limit: 1 })), [1, 1, 1, 1]);
      assert.deepEqual(sorted(ids(scanAll(engine).tasks)), ['failed-old', 'pending-old']);
    }));

  test('purge takes a retention per state from the command', () =>
    withEngine(async (engine) => {
      await populate(engine, [
        { id: 'ok', state: 'succeeded' },
        { id: 'cancel', state: 'cancelled' },
        { id: 'dead', state: 'dead' },
      ]);
      const now = engine.lastTime + 10_000;
      assert.deepEqual(await engine.execute({ kind: 'purge', time: now, limit: 10, retention: { deadMs: 5_000 } }), { count: 1, more: false });
      assert.deepEqual(sorted(ids(scanAll(engine).tasks)), ['cancel', 'ok']);
      assert.deepEqual(await engine.execute({ kind: 'purge', time: now, limit: 10, retention: { succeededMs: 0, cancelledMs: 20_000 } }), { count: 1, more: false });
      assert.deepEqual(ids(scanAll(engine).tasks), ['cancel']);
    }));

  test('purge refuses a retention that is not a number of ms', () =>
    withEngine(async (engine) => {
      await populate(engine, [{ id: 'young', state: 'cancelled' }]);
      for (const cancelledMs of ['1s', -5, Number.NaN, null]) {
        const result = engine.execute({ kind: 'purge', time: engine.lastTime + 1, limit: 10, retention: { cancelledMs: cancelledMs as number } });
        await rejectsWith(result, 'INVALID_ARGUMENT', /retention|cancelledMs/);
      }
      // An absent value keeps the default (24 h), so a young cancelled task stays.
      assert.deepEqual(await engine.execute({ kind: 'purge', time: engine.lastTime + 1, limit: 10, retention: { cancelledMs: undefined } }), { count: 0, more: false });
      assert.equal(engine.get('young').state, 'cancelled');
    }));

  test('rearmLeases gives every live lease one full period from now', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'short', type: 'job' }, { id: 'long', type: 'job' }] });
      await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 });
      await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 1, leaseMs: 30_000 });
      // A broker restarts much later: the leases ran out while it was down.
      const restart = T0 + 60_000;
      assert.deepEqual(await engine.execute({ kind: 'rearmLeases', time: restart }), { count: 2, more: false });
      assert.equal(engine.get('short').lease!.expiresAt, restart + 1_000);
      assert.equal(engine.get('long').lease!.expiresAt, restart + 30_000);
      assert.deepEqual(await engine.execute({ kind: 'expireLeases', time: restart, limit: 10, seed: 0 }), { count: 0, more: false }, 'not punished for the restart');
      assert.deepEqual(await engine.execute({ kind: 'expireLeases', time: restart + 1_000, limit: 10, seed: 0 }), { count: 1, more: false });
      assert.deepEqual([engine.get('short').state, engine.get('short').lastError], ['failed', 'lease expired']);
      assert.equal(engine.get('long').state, 'running');
    }));

  test('expireLeases is bounded with `more`, soonest expiry first', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [1, 2, 3, 4, 5].map((i) => ({ id: `t${i}`, type: 'job' })) });
      for (const [i, leaseMs] of [500, 100, 400, 200, 300].entries()) {
        await engine.execute({ kind: 'claim', time: T0, workerId: `w${i}`, queues: ['default'], max: 1, leaseMs });
      }
      const order: string[] = [];
      for (const expected of [{ count: 2, more: true }, { count: 2, more: true }, { count: 1, more: false }]) {
        const running = new Set(ids(engine.list({ state: 'running' }).tasks));
        assert.deepEqual(await engine.execute({ kind: 'expireLeases', time: T0 + 1_000, limit: 2, seed: 1 }), expected);
        order.push(...[...running].filter((id) => engine.get(id).state !== 'running').sort((a, b) => engine.get(a).stateSeq - engine.get(b).stateSeq));
      }
      assert.deepEqual(order, ['t2', 't4', 't5', 't3', 't1']);
    }));
});
