/**
 * Retry backoff: min(cap, base·2^(attempt−1)) with full jitter drawn from the command's seed, in
 * integer milliseconds (DESIGN.md, "Attempts"). Checked on the pure functions and through the
 * engine, where a nacked task's runAt − time is the delay it drew.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { draws } from '../../src/engine/backoff.ts';
import { backoffCeilingMs, backoffDelayMs, type Engine, type TaskRecord } from '../../src/engine/index.ts';
import { T0, withEngine } from './helpers.ts';

const MAX_SEED = 0xffff_ffff;

/** The contract's formula, written out independently of the engine. */
function expectedDelay(seed: number, attempt: number, base: number, cap: number): number {
  return Math.floor(((seed >>> 0) / 2 ** 32) * Math.min(cap, base * 2 ** (attempt - 1)));
}

describe('the pure backoff functions', () => {
  test('the ceiling doubles from the base and stops at the cap', () => {
    const ceilings = Array.from({ length: 16 }, (_, i) => backoffCeilingMs(i + 1, 1_000, 3_600_000));
    assert.deepEqual(ceilings, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 1_024_000, 2_048_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000]);
    assert.equal(backoffCeilingMs(200, 1_000, 3_600_000), 3_600_000, 'a huge attempt number stays at the cap');
    assert.equal(backoffCeilingMs(3, 0, 3_600_000), 0, 'base 0 means retry at once');
    assert.equal(backoffCeilingMs(3, 1_000, 0), 0, 'cap 0 means retry at once');
  });

  test('a delay is a whole number of ms in [0, ceiling), scaled by the draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.integer({ min: 0, max: 30 * 86_400_000 }),
        fc.integer({ min: 0, max: MAX_SEED }),
        (attempt, base, cap, seed) => {
          const ceiling = backoffCeilingMs(attempt, base, cap);
          const delay = backoffDelayMs(attempt, base, cap, seed / 2 ** 32);
          assert.ok(Number.isSafeInteger(delay), `${delay} is an integer`);
          assert.ok(delay >= 0 && delay <= Math.max(0, ceiling - 1), `${delay} in [0, ${ceiling})`);
          assert.ok(delay <= cap, 'never past the cap');
          assert.equal(delay, expectedDelay(seed, attempt, base, cap));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test('full jitter: draw 0 gives 0, the largest draw gives ceiling − 1', () => {
    for (let attempt = 1; attempt <= 14; attempt++) {
      const ceiling = backoffCeilingMs(attempt, 1_000, 3_600_000);
      assert.equal(backoffDelayMs(attempt, 1_000, 3_600_000, 0), 0);
      assert.equal(backoffDelayMs(attempt, 1_000, 3_600_000, MAX_SEED / 2 ** 32), ceiling - 1);
      assert.equal(backoffDelayMs(attempt, 1_000, 3_600_000, 0.5), ceiling / 2);
    }
  });

  test('draws(seed) is a deterministic stream of numbers in [0, 1)', () => {
    const take = (seed: number, n: number) => {
      const next = draws(seed);
      return Array.from({ length: n }, () => next());
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SEED }), (seed) => {
        const a = take(seed, 20);
        assert.deepEqual(take(seed, 20), a, 'the same seed gives the same draws');
        for (const value of a) assert.ok(value >= 0 && value < 1, `${value} in [0, 1)`);
        assert.ok(new Set(a).size > 15, 'the draws vary');
      }),
      { numRuns: 200 },
    );
    assert.notDeepEqual(take(1, 5), take(2, 5), 'different seeds, different draws');
    assert.deepEqual(take(-1, 3), take(MAX_SEED, 3), 'the seed is taken as a uint32');
  });
});

/** Claims `id` (the only ready task in its queue) and nacks it with `seed`; returns the record after. */
async function failOnce(engine: Engine, id: string, queue: string, time: number, seed: number): Promise<TaskRecord> {
  const [claimed] = await engine.execute({ kind: 'claim', time, workerId: 'w', queues: [queue], max: 1, leaseMs: 60_000 });
  assert.equal(claimed?.id, id, 'the task is ready again after its backoff');
  return engine.execute({ kind: 'nack', time, id, token: claimed.lease!.token, error: 'boom', seed });
}

/** Promotes what is due at `time` (the task's runAt), so it can be claimed again. */
async function promoteAt(engine: Engine, time: number): Promise<void> {
  const promoted = await engine.execute({ kind: 'promoteDue', time, limit: 100 });
  assert.ok(promoted.count >= 1, 'the failed task falls due at its runAt');
}

describe('backoff through the engine', () => {
  test('with the largest seed, delays double from the base and stop at the cap', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue: 'q', maxRetries: 12, backoffBaseMs: 100, backoffCapMs: 5_000 }] });
      const delays: number[] = [];
      let time = T0;
      for (let attempt = 1; attempt <= 12; attempt++) {
        const after = await failOnce(engine, 'a', 'q', time, MAX_SEED);
        assert.equal(after.state, 'failed');
        assert.equal(after.attempts, attempt);
        delays.push(after.runAt! - time);
        time = after.runAt!;
        assert.equal((await engine.execute({ kind: 'promoteDue', time: time - 1, limit: 100 })).count, 0, 'not due a millisecond early');
        await promoteAt(engine, time);
      }
      assert.deepEqual(delays, [99, 199, 399, 799, 1_599, 3_199, 4_999, 4_999, 4_999, 4_999, 4_999, 4_999]);
      // The 13th failed attempt is past maxRetries: dead, no more backoff.
      const last = await failOnce(engine, 'a', 'q', time, MAX_SEED);
      assert.equal(last.state, 'dead');
      assert.equal(last.attempts, 13);
    }));

  test('the defaults (base 1 s, cap 1 h) grow to the cap and stay there', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', maxRetries: 16 }] });
      let time = T0;
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 16; attempt++) {
        const after = await failOnce(engine, 'a', 'default', time, MAX_SEED);
        delays.push(after.runAt! - time);
        time = after.runAt!;
        await promoteAt(engine, time);
      }
      const ceilings = delays.map((delay) => delay + 1);
      for (let i = 1; i < ceilings.length; i++) {
        assert.equal(ceilings[i], Math.min(3_600_000, ceilings[i - 1]! * 2), `attempt ${i + 1}: the ceiling doubles until the cap`);
      }
      assert.equal(ceilings[0], 1_000);
      assert.equal(ceilings.at(-1), 3_600_000);
    }));

  test('seed 0 retries at once: due at the time of the failure', () =>
    withEngine(async (engine) => {
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', maxRetries: 5 }] });
      const after = await failOnce(engine, 'a', 'default', T0 + 10, 0);
      assert.equal(after.state, 'failed');
      assert.equal(after.runAt, T0 + 10);
      assert.deepEqual(await engine.execute({ kind: 'promoteDue', time: T0 + 10, limit: 10 }), { count: 1, more: false });
      assert.equal(engine.get('a').state, 'pending');
    }));

  test('random seeds: every delay is the formula, within [0, min(cap, base·2^(attempt−1)))', async () => {
    await withEngine(async (engine) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2_000 }),
          fc.integer({ min: 0, max: 50_000 }),
          fc.array(fc.integer({ min: 0, max: MAX_SEED }), { minLength: 1, maxLength: 8 }),
          async (base, cap, seeds) => {
            const id = `task-${run}`;
            const queue = `q${run++}`;
            let time = engine.lastTime + 1;
            await engine.execute({ kind: 'submit', time, tasks: [{ id, type: 'job', queue, maxRetries: seeds.length, backoffBaseMs: base, backoffCapMs: cap }] });
            for (const [i, seed] of seeds.entries()) {
              const attempt = i + 1;
              const after = await failOnce(engine, id, queue, time, seed);
              const delay = after.runAt! - time;
              const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
              assert.ok(delay >= 0 && (delay < ceiling || delay === 0), `attempt ${attempt}: delay ${delay} within [0, ${ceiling})`);
              assert.equal(delay, expectedDelay(seed, attempt, base, cap), `attempt ${attempt}: floor(seed / 2^32 × ceiling)`);
              time = after.runAt!;
              await promoteAt(engine, time);
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  test('an expired lease is a failed attempt whose jitter comes from draws(seed), in lease-expiry order', () =>
    withEngine(async (engine) => {
      const spec = { type: 'job', maxRetries: 3, backoffBaseMs: 10_000, backoffCapMs: 1_000_000 };
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'b', ...spec }, { id: 'a', ...spec }, { id: 'c', ...spec }] });
      // b expires first (shorter lease); a and c expire together, a before c (ties by id).
      await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 1, leaseMs: 500 });
      await engine.execute({ kind: 'claim', time: T0, workerId: 'w', queues: ['default'], max: 2, leaseMs: 1_000 });
      const seed = 12_345;
      const result = await engine.execute({ kind: 'expireLeases', time: T0 + 2_000, limit: 10, seed });
      assert.deepEqual(result, { count: 3, more: false });
      const next = draws(seed);
      for (const id of ['b', 'a', 'c']) {
        const task = engine.get(id);
        assert.equal(task.state, 'failed');
        assert.equal(task.lastError, 'lease expired');
        assert.equal(task.attempts, 1, 'the expired attempt counts');
        assert.equal(task.runAt! - (T0 + 2_000), Math.floor(next() * 10_000), `${id}: its draw in expiry order`);
      }
    }));
});
