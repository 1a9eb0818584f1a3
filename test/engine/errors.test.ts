/**
 * Errors a caller can cause: each is a TqError with a stable code and a one-line message that says
 * what went wrong, and a command that fails changes nothing (DESIGN.md, "The contract" and
 * "Conventions"). Also the data directory's lock, its format version, and backups.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { open } from 'lmdb';
import { Engine, TqError, type Command, type Outcome, type Stats } from '../../src/engine/index.ts';
import { FORMAT_VERSION } from '../../src/engine/store.ts';
import { makeTempDir, packed, rejectsWith, removeDir, scanAll, T0, throwsWith, withEngine } from './helpers.ts';

function totals(engine: Engine): Stats['totals'] {
  return engine.stats(engine.lastTime).totals;
}

function taskCount(engine: Engine): number {
  return Object.values(totals(engine)).reduce((sum, n) => sum + n, 0);
}

/** Runs one task to `running` and returns its fencing token. */
async function claimOne(engine: Engine, id: string, time: number, queue = 'default'): Promise<number> {
  const [task] = await engine.execute({ kind: 'claim', time, workerId: 'w', queues: [queue], max: 1, leaseMs: 1_000 });
  assert.equal(task?.id, id);
  return task.lease!.token;
}

function outcomeCodes(outcomes: Outcome[]): string[] {
  return outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code));
}

/** Resolves with the outcomes, or with 'never settled' if the engine loses the batch. */
function settledOrLost(promise: Promise<Outcome[]>): Promise<Outcome[] | 'never settled'> {
  let timer: NodeJS.Timeout | undefined;
  const lost = new Promise<'never settled'>((resolve) => (timer = setTimeout(() => resolve('never settled'), 5_000)));
  return Promise.race([promise, lost]).finally(() => clearTimeout(timer));
}

describe('unknown tasks', () => {
  test('every command on an unknown id is NOT_FOUND, naming the id', () =>
    withEngine(async (engine) => {
      const id = 'no-such-task';
      throwsWith(() => engine.get(id), 'NOT_FOUND', /no-such-task/);
      const commands: Command[] = [
        { kind: 'ack', time: T0, id, token: 1 },
        { kind: 'nack', time: T0, id, token: 1, error: 'x', seed: 0 },
        { kind: 'release', time: T0, id, token: 1 },
        { kind: 'progress', time: T0, id, token: 1, fraction: 0.5 },
        { kind: 'cancel', time: T0, id },
        { kind: 'retry', time: T0, id },
        { kind: 'dlqReplay', time: T0, ids: [id], limit: 10 },
      ];
      for (const command of commands) await rejectsWith(engine.execute(command), 'NOT_FOUND', /task no-such-task not found/);
      // A renewal does not fail: it tells the worker to drop that task.
      assert.deepEqual(await engine.execute({ kind: 'renewLeases', time: T0, leases: [{ id, token: 1 }] }), { extended: [], rejected: [id], cancelRequested: [] });
    }));
});

describe('priorities', () => {
  test('names and numbers are stored as the number; higher runs first', () =>
    withEngine(async (engine) => {
      const priorities = { low: 'low', normal: 'normal', high: 'high', urgent: 'urgent', zero: 0, top: 255, dflt: undefined, seven: 7 } as const;
      await engine.execute({ kind: 'submit', time: T0, tasks: Object.entries(priorities).map(([id, priority]) => ({ id, type: 'job', priority })) });
      const stored = Object.fromEntries(Object.keys(priorities).map((id) => [id, engine.get(id).priority]));
      assert.deepEqual(stored, { low: 50, normal: 100, high: 150, urgent: 200, zero: 0, top: 255, dflt: 100, seven: 7 });
      const claimed = await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 100, leaseMs: 1_000 });
      assert.deepEqual(claimed.map((task) => task.id), ['top', 'urgent', 'high', 'normal', 'dflt', 'low', 'seven', 'zero']);
    }));

  test('a bad priority is INVALID_ARGUMENT that names the valid ones, and nothing is written', () =>
    withEngine(async (engine) => {
      for (const priority of [256, -1, 1.5, Number.NaN, 'extreme', '', 'URGENT', true, {}]) {
        await rejectsWith(
          engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'ok', type: 'job' }, { id: 'bad', type: 'job', priority: priority as never }] }),
          'INVALID_ARGUMENT',
          /priority .* is invalid: use urgent, high, normal, low or an integer 0-255/,
        );
      }
      assert.equal(taskCount(engine), 0);
    }));
});

describe('fencing tokens', () => {
  /** a: claimed (token 1), its lease expired, claimed again (token 2): token 1 is stale. */
  async function reclaimed(engine: Engine): Promise<{ stale: number; live: number }> {
    await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', backoffBaseMs: 0 }] });
    const stale = await claimOne(engine, 'a', T0);
    assert.deepEqual(await engine.execute({ kind: 'expireLeases', time: T0 + 5_000, limit: 10, seed: 1 }), { count: 1, more: false });
    await engine.execute({ kind: 'promoteDue', time: T0 + 5_000, limit: 10 });
    const live = await claimOne(engine, 'a', T0 + 5_000);
    assert.notEqual(stale, live);
    return { stale, live };
  }

  test('ack, nack, release and progress with a stale token are STALE_TOKEN and change nothing', () =>
    withEngine(async (engine) => {
      const { stale, live } = await reclaimed(engine);
      const before = engine.get('a');
      const statsBefore = engine.stats(T0 + 5_000);
      const commands: Command[] = [
        { kind: 'ack', time: T0 + 6_000, id: 'a', token: stale, result: packed('late') },
        { kind: 'nack', time: T0 + 6_000, id: 'a', token: stale, error: 'late', seed: 0 },
        { kind: 'release', time: T0 + 6_000, id: 'a', token: stale },
        { kind: 'progress', time: T0 + 6_000, id: 'a', token: stale, fraction: 0.5 },
        { kind: 'ack', time: T0 + 6_000, id: 'a', token: live + 1000 },
      ];
      for (const command of commands) {
        await rejectsWith(engine.execute(command), 'STALE_TOKEN', /task a: fencing token \d+ is stale .*drop this attempt/);
      }
      assert.deepEqual(engine.get('a'), before, 'the task is unchanged');
      assert.deepEqual(engine.stats(T0 + 5_000), statsBefore);
      // The live token still works.
      assert.equal((await engine.execute({ kind: 'ack', time: T0 + 7_000, id: 'a', token: live })).state, 'succeeded');
      // And once the task is finished, its last token is stale too.
      await rejectsWith(engine.execute({ kind: 'nack', time: T0 + 7_000, id: 'a', token: live, error: 'x', seed: 0 }), 'STALE_TOKEN');
    }));

  test('a renewal reports a stale token in `rejected` and does not extend that lease', () =>
    withEngine(async (engine) => {
      const { stale, live } = await reclaimed(engine);
      const before = engine.get('a');
      const outcome = await engine.execute({ kind: 'renewLeases', time: T0 + 6_000, leases: [{ id: 'a', token: stale }] });
      assert.deepEqual(outcome, { extended: [], rejected: ['a'], cancelRequested: [] });
      assert.deepEqual(engine.get('a').lease, before.lease);
      const good = await engine.execute({ kind: 'renewLeases', time: T0 + 6_000, leases: [{ id: 'a', token: live }] });
      assert.deepEqual(good, { extended: ['a'], rejected: [], cancelRequested: [] });
      assert.equal(engine.get('a').lease!.expiresAt, T0 + 7_000);
      // To when it was heard, never past the command's time, never shorter than it is.
      await engine.execute({ kind: 'renewLeases', time: T0 + 6_500, leases: [{ id: 'a', token: live, heardAt: T0 + 6_400 }] });
      assert.equal(engine.get('a').lease!.expiresAt, T0 + 7_400);
      await engine.execute({ kind: 'renewLeases', time: T0 + 6_600, leases: [{ id: 'a', token: live, heardAt: T0 + 9_999 }] });
      assert.equal(engine.get('a').lease!.expiresAt, T0 + 7_600, 'a heardAt after the command time counts as the command time');
      await engine.execute({ kind: 'renewLeases', time: T0 + 6_700, leases: [{ id: 'a', token: live, heardAt: T0 + 5_000 }] });
      assert.equal(engine.get('a').lease!.expiresAt, T0 + 7_600, 'an older hearing does not shorten the lease');
    }));

  test('release invalidates the token; the next claim gets a new one', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] });
      const first = await claimOne(engine, 'a', T0);
      const released = await engine.execute({ kind: 'release', time: T0 + 1, id: 'a', token: first });
      assert.equal(released.state, 'pending');
      assert.equal(released.attempts, 0, 'a release does not count an attempt');
      await rejectsWith(engine.execute({ kind: 'ack', time: T0 + 2, id: 'a', token: first }), 'STALE_TOKEN');
      const second = await claimOne(engine, 'a', T0 + 3);
      assert.ok(second > first);
      assert.equal(engine.get('a').attempts, 1);
    }));

  test('tokens are never reused, also after the engine is closed and reopened', async () => {
    const dir = makeTempDir();
    try {
      const seen = new Set<number>();
      for (let round = 0; round < 3; round++) {
        const engine = Engine.open({ dir });
        const time = T0 + round * 1_000;
        await engine.execute({ kind: 'submit', time, tasks: [0, 1, 2].map((i) => ({ id: `r${round}-${i}`, type: 'job' })) });
        const claimed = await engine.execute({ kind: 'claim', time, workerId: 'w', queues: ['default'], max: 10, leaseMs: 100 });
        for (const task of claimed) {
          assert.ok(!seen.has(task.lease!.token), `token ${task.lease!.token} was given before`);
          seen.add(task.lease!.token);
        }
        // Release them: the tasks go back, the tokens must still never come back.
        for (const task of claimed) await engine.execute({ kind: 'release', time, id: task.id, token: task.lease!.token });
        await engine.close();
      }
      assert.equal(seen.size, 3 + 6 + 9);
    } finally {
      removeDir(dir);
    }
  });
});

describe('batches', () => {
  test('a failing command in a batch fails alone', () =>
    withEngine(async (engine) => {
      const outcomes = await engine.applyBatch([
        { kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] },
        { kind: 'submit', time: T0, tasks: [{ id: 'b1', type: 'job' }, { id: 'b2', type: 'job', priority: 999 }] },
        { kind: 'submit', time: T0, tasks: [{ id: 'c', type: 'job' }] },
      ]);
      assert.deepEqual(outcomeCodes(outcomes), ['ok', 'INVALID_ARGUMENT', 'ok']);
      assert.ok(!outcomes[1]!.ok && outcomes[1]!.error instanceof TqError);
      assert.deepEqual(scanAll(engine).tasks.map((task) => task.id).sort(), ['a', 'c']);
      assert.equal(totals(engine).pending, 2);
    }));

  test('a failing command leaves what an earlier command of the batch did, and later ones see it', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', maxRetries: 0 }] });
      const token = await claimOne(engine, 'a', T0);
      const outcomes = await engine.applyBatch([
        { kind: 'nack', time: T0 + 1, id: 'a', token, error: 'boom', seed: 0 },
        { kind: 'ack', time: T0 + 1, id: 'a', token },
        { kind: 'dlqReplay', time: T0 + 2, ids: ['a', 'missing'], limit: 10 },
        { kind: 'cancel', time: T0 + 2, id: 'a' },
        { kind: 'retry', time: T0 + 3, id: 'a' },
      ]);
      assert.deepEqual(outcomeCodes(outcomes), ['ok', 'STALE_TOKEN', 'NOT_FOUND', 'INVALID_STATE', 'ok']);
      assert.equal(engine.get('a').state, 'pending');
      assert.deepEqual(totals(engine), { ...totals(engine), pending: 1, dead: 0, running: 0 });
    }));

  test('dlqReplay with one task not dead replays none of them', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'dead', type: 'job', maxRetries: 0 }, { id: 'alive', type: 'job' }] });
      const token = await claimOne(engine, 'dead', T0);
      await engine.execute({ kind: 'nack', time: T0, id: 'dead', token, error: 'x', seed: 0 });
      await rejectsWith(engine.execute({ kind: 'dlqReplay', time: T0, ids: ['dead', 'alive'], limit: 10 }), 'INVALID_STATE', /task alive is pending, not dead/);
      assert.equal(engine.get('dead').state, 'dead');
    }));

  test('a command that throws something other than a validation error still fails alone and settles', () =>
    withEngine(async (engine) => {
      const outcomes = await settledOrLost(
        engine.applyBatch([
          { kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] },
          { kind: 'renewLeases', time: T0, leases: [null as never] },
          { kind: 'submit', time: T0, tasks: [{ id: 'c', type: 'job' }] },
        ]),
      );
      assert.notEqual(outcomes, 'never settled', 'applyBatch settles');
      assert.deepEqual(outcomeCodes(outcomes as Outcome[]), ['ok', 'INVALID_ARGUMENT', 'ok']);
    }));

  test('when no transaction can start, queued commands fail with STORAGE_ERROR rather than wait forever', async () => {
    const dir = makeTempDir();
    const engine = Engine.open({ dir });
    try {
      // The real LMDB environment closed under the engine: every transaction fails to begin.
      await (engine as unknown as { store: { env: { close(): Promise<void> } } }).store.env.close();
      const small = settledOrLost(engine.applyBatch([{ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] }]));
      const big = settledOrLost(engine.applyBatch([{ kind: 'submit', time: T0, tasks: Array.from({ length: 50 }, (_, i) => ({ id: `b${i}`, type: 'job' })) }]));
      for (const outcomes of [await small, await big]) {
        assert.notEqual(outcomes, 'never settled', 'applyBatch settles');
        assert.deepEqual(outcomeCodes(outcomes as Outcome[]), ['STORAGE_ERROR']);
      }
      // A batch too big for this thread goes to the write thread, and fails there the same way.
      const later = await settledOrLost(engine.applyBatch(Array.from({ length: 40 }, (_, i) => ({ kind: 'submit', time: T0, tasks: [{ id: `c${i}`, type: 'job' }] }) as Command)));
      assert.notEqual(later, 'never settled', 'applyBatch settles');
      assert.ok((later as Outcome[]).every((outcome) => !outcome.ok && outcome.error.code === 'STORAGE_ERROR'));
    } finally {
      await engine.close().catch(() => undefined);
      removeDir(dir);
    }
  });

  test('a command that is not an object fails alone', () =>
    withEngine(async (engine) => {
      const outcomes = await settledOrLost(engine.applyBatch([{ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] }, null as never]));
      assert.notEqual(outcomes, 'never settled', 'applyBatch settles');
      assert.deepEqual(outcomeCodes(outcomes as Outcome[]), ['ok', 'INVALID_ARGUMENT']);
      assert.equal(engine.get('a').state, 'pending');
    }));

  test('malformed commands are INVALID_ARGUMENT', () =>
    withEngine(async (engine) => {
      const bad: [unknown, RegExp][] = [
        [{ kind: 'explode', time: T0 }, /unknown command "explode"/],
        [{ kind: 'submit', tasks: [{ id: 'a', type: 'job' }] }, /needs a time/],
        [{ kind: 'submit', time: Number.NaN, tasks: [{ id: 'a', type: 'job' }] }, /needs a time/],
        [{ kind: 'submit', time: T0, tasks: [] }, /at least one task/],
        [{ kind: 'submit', time: T0, tasks: [{ type: 'job' }] }, /task id must be/],
        [{ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', maxRetries: -1 }] }, /maxRetries must be an integer/],
        [{ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 10_001, leaseMs: 1_000 }, /max must be an integer/],
        [{ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 1, leaseMs: 0 }, /leaseMs must be an integer/],
        [{ kind: 'claim', time: T0, workerId: '', queues: ['default'], max: 1, leaseMs: 1_000 }, /workerId/],
        [{ kind: 'claim', time: T0, workerId: 'w', queues: [], max: 1, leaseMs: 1_000 }, /at least one queue/],
        [{ kind: 'promoteDue', time: T0, limit: 0 }, /limit must be an integer/],
        [{ kind: 'cancelWhere', time: T0, filter: { state: 'bogus' }, limit: 10 }, /state "bogus" is invalid/],
      ];
      for (const [command, message] of bad) await rejectsWith(engine.execute(command as Command), 'INVALID_ARGUMENT', message);
      assert.equal(taskCount(engine), 0);
    }));

  test('bounded commands validate their limit', () =>
    withEngine(async (engine) => {
      for (const limit of [undefined, -1, 0, 1.5, '5', 10_001]) {
        await rejectsWith(engine.execute({ kind: 'expireLeases', time: T0, limit: limit as never, seed: 0 }), 'INVALID_ARGUMENT', /limit/);
      }
    }));
});

describe('names', () => {
  const badNames = ['', 'has space', 'a/b', 'ünïcode', 'x'.repeat(129), 'tab\t', 'semi;colon'];

  test('invalid queue names are INVALID_ARGUMENT everywhere, saying which characters are allowed', () =>
    withEngine(async (engine) => {
      const message = /queue name .* is invalid: use 1-128 characters from A-Z a-z 0-9 \. _ : -/;
      for (const queue of badNames) {
        await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue }] }), 'INVALID_ARGUMENT', message);
        await rejectsWith(engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default', queue], max: 1, leaseMs: 1_000 }), 'INVALID_ARGUMENT', message);
        await rejectsWith(engine.execute({ kind: 'pauseQueue', time: T0, queue }), 'INVALID_ARGUMENT', message);
        await rejectsWith(engine.execute({ kind: 'resumeQueue', time: T0, queue }), 'INVALID_ARGUMENT', message);
        await rejectsWith(engine.execute({ kind: 'drainQueue', time: T0, queue, limit: 10 }), 'INVALID_ARGUMENT', message);
        await rejectsWith(engine.execute({ kind: 'cancelWhere', time: T0, filter: { queue }, limit: 10 }), 'INVALID_ARGUMENT', message);
        await rejectsWith(engine.execute({ kind: 'dlqPurge', time: T0, queue, limit: 10 }), 'INVALID_ARGUMENT', message);
        throwsWith(() => engine.list({ queue }), 'INVALID_ARGUMENT', message);
      }
      await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue: 42 as never }] }), 'INVALID_ARGUMENT');
      assert.equal(taskCount(engine), 0);
      assert.deepEqual(engine.queues(), []);
    }));

  test('invalid type names are INVALID_ARGUMENT', () =>
    withEngine(async (engine) => {
      for (const type of badNames) {
        await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type }] }), 'INVALID_ARGUMENT', /type name .* is invalid/);
      }
      throwsWith(() => engine.list({ type: 'has space' }), 'INVALID_ARGUMENT', /type name/);
    }));

  test('every allowed character and 128 characters are fine', () =>
    withEngine(async (engine) => {
      const names = ['A-Z_a-z.0-9:x', 'q'.repeat(128), '-', '...'];
      await engine.execute({ kind: 'submit', time: T0, tasks: names.map((name, i) => ({ id: `t${i}`, type: name, queue: name })) });
      assert.deepEqual(engine.queues().map((queue) => queue.name).sort(), [...names].sort());
      const claimed = await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: names, max: 10, leaseMs: 1_000 });
      assert.equal(claimed.length, names.length);
    }));
});

describe('idempotency keys', () => {
  test('a second submit with a seen key returns the existing task, even with another payload', () =>
    withEngine(async (engine) => {
      const [first] = await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', payload: packed({ v: 1 }), idempotencyKey: 'order-17' }] });
      const [second] = await engine.execute({ kind: 'submit', time: T0 + 1, tasks: [{ id: 'b', type: 'other', payload: packed({ v: 2 }), idempotencyKey: 'order-17' }] });
      assert.equal(first?.created, true);
      assert.equal(second?.created, false);
      assert.equal(second?.task.id, 'a');
      assert.deepEqual(engine.get('a').payload, { v: 1 });
      throwsWith(() => engine.get('b'), 'NOT_FOUND');
      assert.equal(taskCount(engine), 1);
    }));

  test('the same key twice within one submit makes one task', () =>
    withEngine(async (engine) => {
      const outcomes = await engine.execute({
        kind: 'submit',
        time: T0,
        tasks: [
          { id: 'a', type: 'job', idempotencyKey: 'k' },
          { id: 'b', type: 'job', idempotencyKey: 'k' },
          { id: 'c', type: 'job' },
        ],
      });
      assert.deepEqual(outcomes.map((outcome) => [outcome.task.id, outcome.created]), [['a', true], ['a', false], ['c', true]]);
      assert.equal(taskCount(engine), 2);
    }));

  test('the key holds whatever the task’s state, and lives as long as its task', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', idempotencyKey: 'k' }] });
      const token = await claimOne(engine, 'a', T0);
      await engine.execute({ kind: 'ack', time: T0, id: 'a', token });
      const [again] = await engine.execute({ kind: 'submit', time: T0 + 1, tasks: [{ id: 'b', type: 'job', idempotencyKey: 'k' }] });
      assert.deepEqual([again?.task.id, again?.created, again?.task.state], ['a', false, 'succeeded']);
      // Retention deletes the task; the key goes with it.
      assert.deepEqual(await engine.execute({ kind: 'purge', time: T0 + 10, limit: 10, retention: { succeededMs: 5 } }), { count: 1, more: false });
      const [fresh] = await engine.execute({ kind: 'submit', time: T0 + 11, tasks: [{ id: 'c', type: 'job', idempotencyKey: 'k' }] });
      assert.deepEqual([fresh?.task.id, fresh?.created], ['c', true]);
    }));

  test('keys of any length up to the limit are hashed, not used as LMDB keys', () =>
    withEngine(async (engine) => {
      const long = 'k'.repeat(1_024); // longer than LMDB's 511-byte default key limit
      const [first] = await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', idempotencyKey: long }] });
      const [second] = await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'b', type: 'job', idempotencyKey: long }] });
      assert.deepEqual([first?.created, second?.created, second?.task.id], [true, false, 'a']);
      await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'c', type: 'job', idempotencyKey: 'k'.repeat(1_025) }] }), 'INVALID_ARGUMENT', /idempotencyKey/);
    }));

  test('resubmitting the same task (same id and key) returns the existing task', () =>
    withEngine(async (engine) => {
      const task = { id: 'a', type: 'job', idempotencyKey: 'k' };
      await engine.execute({ kind: 'submit', time: T0, tasks: [task] });
      const [again] = await engine.execute({ kind: 'submit', time: T0 + 1, tasks: [task] });
      assert.deepEqual([again?.task.id, again?.created], ['a', false]);
    }));

  test('a task id that is taken, without a key, is INVALID_ARGUMENT', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] });
      await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] }), 'INVALID_ARGUMENT', /task id a is already taken/);
      await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'b', type: 'job' }, { id: 'b', type: 'job' }] }), 'INVALID_ARGUMENT', /already taken/);
      assert.equal(taskCount(engine), 1);
    }));
});

describe('the data directory', () => {
  const engineUrl = new URL('../../src/engine/index.ts', import.meta.url).href;
  const childScript = `
    import { Engine } from ${JSON.stringify(engineUrl)};
    const engine = Engine.open({ dir: process.env.TQ_TEST_DIR });
    await engine.execute({ kind: 'submit', time: 1, tasks: [{ id: 'from-child', type: 'job' }] });
    process.stdout.write('ready\\n');
    process.stdin.on('end', async () => { await engine.close(); process.exit(0); });
    process.stdin.resume();
  `;

  /** A broker in another process: it opens the directory for writing and holds it until stdin ends. */
  async function startWriter(dir: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript], {
      env: { ...process.env, TQ_TEST_DIR: dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the writer exited early (${code}): ${stderr}`)));
    });
    return child;
  }

  function exited(child: ChildProcess): Promise<void> {
    return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
  }

  test('a second writer is refused with DATA_DIR_LOCKED while a read-only opener works', async () => {
    const dir = makeTempDir();
    const child = await startWriter(dir);
    try {
      const error = throwsWith(() => Engine.open({ dir }), 'DATA_DIR_LOCKED', /in use by another tq broker \(pid \d+\): stop it or choose another --data-dir/);
      assert.match(error.message, new RegExp(`pid ${child.pid}\\b`));
      const reader = Engine.open({ dir, readOnly: true });
      try {
        assert.equal(reader.get('from-child').state, 'pending');
        assert.equal(reader.stats(1).totals.pending, 1);
        await rejectsWith(reader.execute({ kind: 'submit', time: 2, tasks: [{ id: 'x', type: 'job' }] }), 'READ_ONLY');
      } finally {
        await reader.close();
      }
      // The read-only opener took no lock and left the writer's in place.
      throwsWith(() => Engine.open({ dir }), 'DATA_DIR_LOCKED');
      child.stdin!.end();
      await exited(child);
      assert.equal(child.exitCode, 0);
      // The writer is gone and released its lock: now this process may write.
      const engine = Engine.open({ dir });
      assert.equal(engine.get('from-child').state, 'pending');
      await engine.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
      removeDir(dir);
    }
  });

  test('the lock of a writer that was killed is taken over', async () => {
    const dir = makeTempDir();
    const child = await startWriter(dir);
    try {
      child.kill('SIGKILL');
      await exited(child);
      assert.ok(existsSync(join(dir, 'broker.lock')), 'a killed writer leaves its lock file behind');
      const engine = Engine.open({ dir });
      assert.equal(engine.get('from-child').state, 'pending');
      await engine.close();
    } finally {
      removeDir(dir);
    }
  });

  test('a read-only opener of a directory without data is NOT_FOUND', () => {
    const dir = makeTempDir();
    try {
      throwsWith(() => Engine.open({ dir, readOnly: true }), 'NOT_FOUND', /no tq data in/);
    } finally {
      removeDir(dir);
    }
  });

  test('a newer data format is refused with UNSUPPORTED_FORMAT', async () => {
    const dir = makeTempDir();
    try {
      const engine = Engine.open({ dir });
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] });
      await engine.close();
      const setFormat = async (format: number) => {
        const env = open({ path: dir, maxDbs: 16 });
        await env.openDB({ name: 'meta' }).put('format', format);
        await env.close();
      };
      await setFormat(FORMAT_VERSION + 1);
      throwsWith(() => Engine.open({ dir }), 'UNSUPPORTED_FORMAT', new RegExp(`holds tq data format ${FORMAT_VERSION + 1}, newer than this tq's ${FORMAT_VERSION}: upgrade tq`));
      throwsWith(() => Engine.open({ dir, readOnly: true }), 'UNSUPPORTED_FORMAT');
      assert.ok(!existsSync(join(dir, 'broker.lock')), 'the refused open left no lock behind');
      await setFormat(FORMAT_VERSION);
      const again = Engine.open({ dir });
      assert.equal(again.get('a').state, 'pending');
      await again.close();
    } finally {
      removeDir(dir);
    }
  });

  test('format 1 data is migrated: its pending tasks lose their bystate entries, and still list', async () => {
    const dir = makeTempDir();
    try {
      const engine = Engine.open({ dir });
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }, { id: 'b', type: 'job', priority: 'high' }] });
      await engine.close();
      // What format 1 wrote besides: a bystate entry per pending task.
      const env = open({ path: dir, maxDbs: 16 });
      const raw = { meta: env.openDB({ name: 'meta' }), bystate: env.openDB({ name: 'bystate' }) };
      await raw.meta.put('format', 1);
      await raw.bystate.put(['pending', 'default', 1], 'a');
      await raw.bystate.put(['pending', 'default', 3], 'b');
      await env.close();
      const readOnly = Engine.open({ dir, readOnly: true });
      assert.deepEqual(readOnly.list({ state: 'pending' }).tasks.map((task) => task.id), ['b', 'a'], 'a reader sees format 1 as it is');
      await readOnly.close();
      const migrated = Engine.open({ dir });
      assert.equal(migrated.formatVersion, FORMAT_VERSION);
      assert.deepEqual(migrated.list({ state: 'pending' }).tasks.map((task) => task.id), ['b', 'a']);
      await migrated.close();
      const check = open({ path: dir, maxDbs: 16 });
      assert.deepEqual([...check.openDB({ name: 'bystate' }).getKeys({ start: ['pending'], end: ['pending', '\uffff'] })], []);
      await check.close();
    } finally {
      removeDir(dir);
    }
  });

  test('a closed engine refuses commands with CLOSED', async () => {
    const dir = makeTempDir();
    try {
      const engine = Engine.open({ dir });
      await engine.close();
      await rejectsWith(engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }] }), 'CLOSED');
    } finally {
      removeDir(dir);
    }
  });

  test('tasks, time and counters survive closing and reopening', async () => {
    const dir = makeTempDir();
    try {
      const engine = Engine.open({ dir });
      await engine.execute({ kind: 'submit', time: T0 + 500, tasks: [{ id: 'a', type: 'job', payload: packed([1, 2]) }, { id: 'b', type: 'job' }] });
      const token = await claimOne(engine, 'a', T0 + 600);
      await engine.close();
      const reopened = Engine.open({ dir });
      try {
        assert.equal(reopened.lastTime, T0 + 600);
        assert.equal(reopened.get('a').lease?.token, token);
        assert.deepEqual(reopened.get('a').payload, [1, 2]);
        // The clock does not go back after a restart either.
        const [task] = await reopened.execute({ kind: 'submit', time: T0, tasks: [{ id: 'c', type: 'job' }] });
        assert.equal(task?.task.createdAt, T0 + 600);
        // The ready order carries on after b.
        const claimed = await reopened.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 5, leaseMs: 100 });
        assert.deepEqual(claimed.map((t) => t.id), ['b', 'c']);
        assert.ok(claimed.every((t) => t.lease!.token > token));
      } finally {
        await reopened.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});

describe('backup', () => {
  test('backup(dir) while commands keep running produces a copy that opens and has the tasks', () =>
    withEngine(async (engine) => {
      const ids = Array.from({ length: 200 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      await engine.execute({ kind: 'submit', time: T0, tasks: ids.map((id, i) => ({ id, type: 'job', queue: `q${i % 3}`, payload: packed({ i }) })) });
      const claimed = await engine.execute({ kind: 'claim', time: T0 + 1, workerId: 'w', queues: ['q0'], max: 10, leaseMs: 60_000 });
      for (const task of claimed.slice(0, 5)) await engine.execute({ kind: 'ack', time: T0 + 2, id: task.id, token: task.lease!.token });
      const root = makeTempDir();
      const target = join(root, 'copy');
      try {
        // Writes keep arriving while the backup runs.
        const writes = Array.from({ length: 20 }, (_, i) =>
          engine.execute({ kind: 'submit', time: T0 + 3, tasks: [{ id: `during-${i}`, type: 'job' }] }),
        );
        await engine.backup(target);
        await Promise.all(writes);
        const copy = Engine.open({ dir: target });
        try {
          for (const id of ids) assert.deepEqual(copy.get(id).payload, engine.get(id).payload);
          for (const task of claimed.slice(0, 5)) assert.equal(copy.get(task.id).state, 'succeeded');
          for (const task of claimed.slice(5)) assert.equal(copy.get(task.id).lease?.token, task.lease!.token);
          // The copy is consistent in itself: its counters equal a scan of its tasks.
          const scanned = scanAll(copy, { limit: 1000 }).tasks;
          assert.ok(scanned.length >= ids.length);
          const counted = copy.stats(copy.lastTime).totals;
          assert.equal(Object.values(counted).reduce((sum, n) => sum + n, 0), scanned.length);
          assert.equal(counted.succeeded, 5);
          assert.equal(counted.running, 5);
          // And it is a working engine: it can claim what was pending.
          const more = await copy.execute({ kind: 'claim', time: T0 + 10, workerId: 'w', queues: ['q1'], max: 1_000, leaseMs: 1_000 });
          assert.equal(more.length, ids.filter((_, i) => i % 3 === 1).length);
        } finally {
          await copy.close();
        }
        await rejectsWith(engine.backup(target), 'INVALID_ARGUMENT', /already holds tq data: back up into an empty directory/);
      } finally {
        removeDir(root);
      }
    }));
});
