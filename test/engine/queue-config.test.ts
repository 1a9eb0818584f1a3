/**
 * A queue's settings (maxRetries, timeout, backoff) live in the engine's state: `configureQueue`
 * sets them, `seedQueues` applies the broker's YAML once, and `submit` stamps them into the tasks
 * that leave them out (DESIGN.md, "Defaults").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { open } from 'lmdb';
import { DEFAULTS, Engine, type Engine as EngineType } from '../../src/engine/index.ts';
import { FORMAT_VERSION } from '../../src/engine/store.ts';
import { makeTempDir, rejectsWith, removeDir, T0, withEngine } from './helpers.ts';

function settingsOf(engine: EngineType, id: string) {
  const { maxRetries, timeoutMs, backoffBaseMs, backoffCapMs } = engine.get(id);
  return { maxRetries, timeoutMs, backoffBaseMs, backoffCapMs };
}

function queueNamed(engine: EngineType, name: string) {
  const queue = engine.queues().find((each) => each.name === name);
  assert.ok(queue, `queue ${name} is listed`);
  return queue;
}

const DEFAULT_SETTINGS = {
  maxRetries: DEFAULTS.maxRetries,
  timeoutMs: DEFAULTS.timeoutMs,
  backoffBaseMs: DEFAULTS.backoffBaseMs,
  backoffCapMs: DEFAULTS.backoffCapMs,
};

describe('configureQueue', () => {
  test("a submit after configureQueue takes the queue's settings; other queues keep the defaults", async () => {
    await withEngine(async (engine) => {
      const info = await engine.execute({
        kind: 'configureQueue',
        time: T0,
        queue: 'emails',
        settings: { maxRetries: 7, timeoutMs: 120_000, backoffBaseMs: 2_000, backoffCapMs: 600_000 },
      });
      assert.deepEqual(info, { name: 'emails', paused: false, maxRetries: 7, timeoutMs: 120_000, backoffBaseMs: 2_000, backoffCapMs: 600_000, overrides: ['maxRetries', 'timeoutMs', 'backoffBaseMs', 'backoffCapMs'] });
      await engine.execute({ kind: 'submit', time: T0 + 1, tasks: [{ id: 'a', type: 'send', queue: 'emails' }, { id: 'b', type: 'send', queue: 'other' }] });
      assert.deepEqual(settingsOf(engine, 'a'), { maxRetries: 7, timeoutMs: 120_000, backoffBaseMs: 2_000, backoffCapMs: 600_000 });
      assert.deepEqual(settingsOf(engine, 'b'), DEFAULT_SETTINGS);
      assert.deepEqual(queueNamed(engine, 'emails'), info, 'the listing shows the settings');
      assert.deepEqual(queueNamed(engine, 'other'), { name: 'other', paused: false, ...DEFAULT_SETTINGS, overrides: [] });
    });
  });

  test("a task's own maxRetries and timeout win over its queue's", async () => {
    await withEngine(async (engine) => {
      await engine.execute({ kind: 'configureQueue', time: T0, queue: 'q', settings: { maxRetries: 7, timeoutMs: 120_000, backoffBaseMs: 5 } });
      await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue: 'q', maxRetries: 0, timeoutMs: 5_000, backoffCapMs: 10 }] });
      assert.deepEqual(settingsOf(engine, 'a'), { maxRetries: 0, timeoutMs: 5_000, backoffBaseMs: 5, backoffCapMs: 10 });
    });
  });

  test('configureQueue and a submit in one batch: the submit sees the settings', async () => {
    await withEngine(async (engine) => {
      const [configured, submitted] = await engine.applyBatch([
        { kind: 'configureQueue', time: T0, queue: 'q', settings: { maxRetries: 9 } },
        { kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue: 'q' }] },
      ]);
      assert.ok(configured!.ok && submitted!.ok);
      assert.equal(engine.get('a').maxRetries, 9);
    });
  });

  test('a partial update sets only the fields given; null resets one to the default', async () => {
    await withEngine(async (engine) => {
      await engine.execute({ kind: 'configureQueue', time: T0, queue: 'q', settings: { maxRetries: 7, timeoutMs: 120_000 } });
      const changed = await engine.execute({ kind: 'configureQueue', time: T0 + 1, queue: 'q', settings: { timeoutMs: null, backoffCapMs: 60_000 } });
      assert.deepEqual(changed, { name: 'q', paused: false, ...DEFAULT_SETTINGS, maxRetries: 7, backoffCapMs: 60_000, overrides: ['maxRetries', 'backoffCapMs'] });
      await engine.execute({ kind: 'submit', time: T0 + 2, tasks: [{ id: 'a', type: 'job', queue: 'q' }] });
      assert.deepEqual(settingsOf(engine, 'a'), { ...DEFAULT_SETTINGS, maxRetries: 7, backoffCapMs: 60_000 });
      await engine.execute({ kind: 'submit', time: T0 + 2, tasks: [{ id: 'b', type: 'job', queue: 'q' }] });
      await engine.execute({ kind: 'configureQueue', time: T0 + 3, queue: 'q', settings: { maxRetries: null, backoffCapMs: null } });
      await engine.execute({ kind: 'submit', time: T0 + 4, tasks: [{ id: 'c', type: 'job', queue: 'q' }] });
      assert.deepEqual(settingsOf(engine, 'c'), DEFAULT_SETTINGS);
      assert.equal(engine.get('b').maxRetries, 7, 'a task keeps the settings it was submitted with');
    });
  });

  test('pausing and resuming keep the settings, and configuring keeps the pause', async () => {
    await withEngine(async (engine) => {
      await engine.execute({ kind: 'configureQueue', time: T0, queue: 'q', settings: { maxRetries: 7 } });
      assert.equal((await engine.execute({ kind: 'pauseQueue', time: T0, queue: 'q' })).maxRetries, 7);
      const configured = await engine.execute({ kind: 'configureQueue', time: T0, queue: 'q', settings: { timeoutMs: 1_000 } });
      assert.equal(configured.paused, true);
      const resumed = await engine.execute({ kind: 'resumeQueue', time: T0, queue: 'q' });
      assert.deepEqual([resumed.paused, resumed.maxRetries, resumed.timeoutMs], [false, 7, 1_000]);
    });
  });

  test('bad settings are refused with INVALID_ARGUMENT and change nothing', async () => {
    await withEngine(async (engine) => {
      await engine.execute({ kind: 'configureQueue', time: T0, queue: 'q', settings: { maxRetries: 7 } });
      const before = queueNamed(engine, 'q');
      const bad: [string, unknown, RegExp][] = [
        ['q', { maxRetries: 2, timeoutMs: 0 }, /timeoutMs must be an integer from 1 to 604800000 \(got 0\)/],
        ['q', { maxRetries: 1_001 }, /maxRetries must be an integer from 0 to 1000/],
        ['q', { backoffBaseMs: 1.5 }, /backoffBaseMs must be an integer/],
        ['q', { backoffCapMs: '1h' }, /backoffCapMs must be an integer/],
        ['q', { maxRetries: 2, retries: 3 }, /unknown queue setting retries: use maxRetries, timeoutMs, backoffBaseMs, backoffCapMs/],
        ['q', [1], /settings must be a map/],
        ['q', null, /settings must be a map/],
        ['bad name', { maxRetries: 2 }, /queue name "bad name" is invalid/],
      ];
      for (const [queue, settings, message] of bad) {
        await rejectsWith(engine.execute({ kind: 'configureQueue', time: T0, queue, settings } as never), 'INVALID_ARGUMENT', message);
      }
      assert.deepEqual(queueNamed(engine, 'q'), before);
      assert.deepEqual(engine.queues().map((queue) => queue.name), ['q'], 'a refused command made no queue');
    });
  });
});

describe('seedQueues', () => {
  test('seeds once: a second seed changes nothing, so a restart keeps what configureQueue set', async () => {
    await withEngine(async (engine) => {
      assert.deepEqual(await engine.execute({ kind: 'seedQueues', time: T0, queues: { emails: { maxRetries: 5, timeoutMs: 60_000 }, reports: {} } }), { seeded: true });
      assert.deepEqual(engine.queues().map((queue) => [queue.name, queue.maxRetries, queue.timeoutMs]), [['emails', 5, 60_000], ['reports', DEFAULTS.maxRetries, DEFAULTS.timeoutMs]]);
      await engine.execute({ kind: 'configureQueue', time: T0 + 1, queue: 'emails', settings: { maxRetries: 2 } });
      assert.deepEqual(await engine.execute({ kind: 'seedQueues', time: T0 + 2, queues: { emails: { maxRetries: 9 }, fresh: { maxRetries: 9 } } }), { seeded: false });
      assert.equal(queueNamed(engine, 'emails').maxRetries, 2);
      assert.equal(engine.queues().find((queue) => queue.name === 'fresh'), undefined);
    });
  });

  test('an empty seed counts too: settings added to the YAML later are left aside', async () => {
    await withEngine(async (engine) => {
      assert.deepEqual(await engine.execute({ kind: 'seedQueues', time: T0, queues: {} }), { seeded: true });
      assert.deepEqual(await engine.execute({ kind: 'seedQueues', time: T0, queues: { q: { maxRetries: 9 } } }), { seeded: false });
      assert.deepEqual(engine.queues(), []);
    });
  });

  test('a bad seed is refused whole and does not count as seeded', async () => {
    await withEngine(async (engine) => {
      await rejectsWith(
        engine.execute({ kind: 'seedQueues', time: T0, queues: { good: { maxRetries: 1 }, bad: { timeoutMs: -1 } } }),
        'INVALID_ARGUMENT',
        /queues\.bad\.timeoutMs must be an integer/,
      );
      assert.deepEqual(engine.queues(), []);
      assert.deepEqual(await engine.execute({ kind: 'seedQueues', time: T0, queues: { good: { maxRetries: 1 } } }), { seeded: true });
    });
  });
});

test('format 2 data opens as format 3: queues keep their pause, get the defaults, and are seeded on the next start', async () => {
  const dir = makeTempDir();
  try {
    const engine = Engine.open({ dir });
    await engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job', queue: 'old' }] });
    await engine.close();
    // What format 2 wrote: a queue record with only `paused`, and no seeded mark.
    const env = open({ path: dir, maxDbs: 16 });
    await env.openDB({ name: 'queues' }).put('old', { paused: true });
    await env.openDB({ name: 'meta' }).put('format', 2);
    await env.close();
    const migrated = Engine.open({ dir });
    try {
      assert.equal(migrated.formatVersion, FORMAT_VERSION);
      assert.deepEqual(queueNamed(migrated, 'old'), { name: 'old', paused: true, ...DEFAULT_SETTINGS, overrides: [] });
      assert.deepEqual(await migrated.execute({ kind: 'seedQueues', time: T0, queues: { old: { maxRetries: 1 } } }), { seeded: true });
      assert.deepEqual([queueNamed(migrated, 'old').paused, queueNamed(migrated, 'old').maxRetries], [true, 1]);
    } finally {
      await migrated.close();
    }
  } finally {
    removeDir(dir);
  }
});
