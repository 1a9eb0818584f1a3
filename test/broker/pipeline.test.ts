/**
 * The command pipeline over a real engine: it stamps what varies in one place, refuses values over
 * this broker's limits before a command exists, gathers concurrent commands into bounded batches
 * (group commit), and tells listeners of a batch only once it is durable.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pipeline, type BatchInfo, type PipelineOptions } from '../../src/broker/pipeline.ts';
import { Engine, type Limits, type Outcome } from '../../src/engine/index.ts';
import { makeTempDir, rejectsWith, removeDir, T0, throwsWith } from '../engine/helpers.ts';

const LIMITS = { maxPayloadBytes: 64, maxResultBytes: 32 };

/** A pipeline on a fresh engine whose clock is `clock.now`, advanced by the test. */
async function withPipeline(fn: (pipeline: Pipeline, clock: { now: number }) => Promise<void>, options: Partial<PipelineOptions> = {}, limits: Partial<Limits> = {}): Promise<void> {
  const dir = makeTempDir();
  const engine = Engine.open({ dir, limits });
  const clock = { now: T0 };
  const pipeline = new Pipeline(engine, { ...LIMITS, clock: () => clock.now, ...options });
  try {
    await fn(pipeline, clock);
  } finally {
    await pipeline.close();
    await engine.close();
    removeDir(dir);
  }
}

function codes(outcomes: Outcome[]): string[] {
  return outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code));
}

describe('stamping', () => {
  test('time, ids, run times and seeds come from the pipeline, in one place', () =>
    withPipeline(async (pipeline, clock) => {
      const [a, b] = await pipeline.execute({ kind: 'submit', tasks: [{ type: 'job' }, { type: 'job', delayMs: 5_000 }] });
      assert.equal(a!.task.createdAt, T0, 'the command took the pipeline clock');
      assert.match(a!.task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv7 id');
      assert.equal(Number.parseInt(a!.task.id.replace(/-/g, '').slice(0, 12), 16), T0, 'the id carries the stamped time');
      assert.ok(b!.task.id > a!.task.id, 'ids of one stamp increase');
      assert.equal(b!.task.state, 'scheduled');
      assert.equal(b!.task.runAt, T0 + 5_000, 'a delay becomes a run time from the stamped time');
      clock.now = T0 + 1_000;
      const [claimed] = await pipeline.execute({ kind: 'claim', workerId: 'w', queues: ['default'], max: 1, leaseMs: 2_000 });
      assert.equal(claimed!.lease!.expiresAt, T0 + 3_000);
      const nacked = await pipeline.execute({ kind: 'nack', id: claimed!.id, token: claimed!.lease!.token, error: 'boom' });
      assert.equal(nacked.state, 'failed');
      // Each failure draws its backoff with a seed of its own: two 1 h full-jitter delays differ.
      const slow = { type: 'job', backoffBaseMs: 3_600_000, backoffCapMs: 3_600_000 };
      await pipeline.execute({ kind: 'submit', tasks: [slow, slow] });
      const pair = await pipeline.execute({ kind: 'claim', workerId: 'w', queues: ['default'], max: 2, leaseMs: 2_000 });
      const [x, y] = await Promise.all(pair.map((task) => pipeline.execute({ kind: 'nack', id: task.id, token: task.lease!.token, error: 'boom' })));
      assert.notEqual(x!.runAt, y!.runAt, 'the two failures were given different seeds');
      assert.equal(pipeline.engine.lastTime, T0 + 1_000);
    }));

  test('a delay that is not a non-negative integer fails its command alone', () =>
    withPipeline(async (pipeline) => {
      const outcomes = await pipeline.submitBatch([
        { kind: 'submit', tasks: [{ type: 'job', delayMs: -1 }] },
        { kind: 'submit', tasks: [{ type: 'job' }] },
      ]);
      assert.deepEqual(codes(outcomes), ['INVALID_ARGUMENT', 'ok']);
      assert.match((outcomes[0] as { error: Error }).error.message, /delayMs must be a non-negative integer/);
    }));
});

describe('payload and result size limits, checked before the command exists', () => {
  test('an oversize payload is TOO_LARGE, the message says what to do, and nothing is written', () =>
    withPipeline(async (pipeline) => {
      const error = await rejectsWith(
        pipeline.execute({ kind: 'submit', tasks: [{ type: 'job', payload: 'x'.repeat(100), idempotencyKey: 'k' }] }),
        'TOO_LARGE',
        /payload is \d+ bytes, over the limit of 64/,
      );
      assert.match(error.message, /store big data elsewhere/);
      assert.deepEqual(pipeline.engine.queues(), [], 'not even the queue was created');
      assert.equal(pipeline.engine.appliedPosition, 0, 'no batch was applied');
      const [outcome] = await pipeline.execute({ kind: 'submit', tasks: [{ type: 'job', payload: 'ok', idempotencyKey: 'k' }] });
      assert.equal(outcome?.created, true, 'the idempotency key was not taken');
    }));

  test('one oversize task fails the whole submit; a payload exactly at the limit is accepted', () =>
    withPipeline(async (pipeline) => {
      await rejectsWith(pipeline.execute({ kind: 'submit', tasks: [{ type: 'job', payload: 'fine' }, { type: 'job', payload: 'x'.repeat(100) }] }), 'TOO_LARGE');
      assert.equal(pipeline.engine.list().tasks.length, 0);
      // msgpack: a str8 header (2 bytes) then the characters.
      const [edge] = await pipeline.execute({ kind: 'submit', tasks: [{ type: 'job', payload: 'x'.repeat(62) }] });
      assert.equal(pipeline.engine.get(edge!.task.id).payload, 'x'.repeat(62));
      await rejectsWith(pipeline.execute({ kind: 'submit', tasks: [{ type: 'job', payload: 'x'.repeat(63) }] }), 'TOO_LARGE');
    }));

  test('an oversize result is TOO_LARGE and the task keeps running under the same lease', () =>
    withPipeline(async (pipeline) => {
      await pipeline.execute({ kind: 'submit', tasks: [{ type: 'job' }] });
      const [task] = await pipeline.execute({ kind: 'claim', workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 });
      const before = pipeline.engine.get(task!.id);
      await rejectsWith(pipeline.execute({ kind: 'ack', id: task!.id, token: task!.lease!.token, result: 'y'.repeat(100) }), 'TOO_LARGE', /result is \d+ bytes/);
      assert.deepEqual(pipeline.engine.get(task!.id), before);
      const done = await pipeline.execute({ kind: 'ack', id: task!.id, token: task!.lease!.token, result: 'small' });
      assert.equal(done.state, 'succeeded');
      assert.equal(pipeline.engine.get(task!.id).result, 'small');
    }));

  test('more tasks in one submit than the batch limit is TOO_LARGE', () =>
    withPipeline(
      async (pipeline) => {
        await rejectsWith(pipeline.execute({ kind: 'submit', tasks: Array.from({ length: 6 }, () => ({ type: 'job' })) }), 'TOO_LARGE', /at most 5 tasks/);
      },
      {},
      { maxBatchTasks: 5 },
    ));
});

describe('group commit', () => {
  test('listeners hear each change with the task before and after it, after the batch is durable', () =>
    withPipeline(async (pipeline) => {
      const batches: BatchInfo[] = [];
      const stop = pipeline.onCommitted((info) => batches.push(info));
      const submitted = pipeline.execute({ kind: 'submit', tasks: [{ type: 'job' }, { type: 'job', delayMs: 1_000 }] });
      assert.equal(batches.length, 0, 'nothing is told before the batch is written');
      const [a] = await submitted;
      const [claimed] = await pipeline.execute({ kind: 'claim', workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 });
      await pipeline.submitBatch([
        { kind: 'ack', id: a!.task.id, token: claimed!.lease!.token },
        { kind: 'cancel', id: 'nope' },
        { kind: 'drainQueue', queue: 'default', limit: 10 },
      ]);
      const name = (id: string) => (id === a!.task.id ? 'a' : 'b');
      const seen = batches.flatMap((batch) => batch.changes.map(({ before, after }) => `${name((before ?? after)!.id)}:${before?.state ?? '-'}>${after?.state ?? '-'}`));
      assert.deepEqual(seen, ['a:->pending', 'b:->scheduled', 'a:pending>running', 'a:running>succeeded']);
      assert.deepEqual(batches.map((batch) => batch.commands), [1, 1, 3]);
      stop();
      await pipeline.execute({ kind: 'cancel', id: a!.task.id }).catch(() => undefined);
      assert.equal(batches.length, 3, 'a removed listener hears nothing');
    }));

  test('a transaction is bounded by command count and by payload bytes; every command still lands, in order', async () => {
    for (const [limits, payload] of [
      [{ maxBatchTasks: 3 }, undefined],
      [{ maxBatchTasks: 1_000, maxBatchBytes: 100 }, 'y'.repeat(40)],
    ] as const) {
      await withPipeline(
        async (pipeline) => {
          const sizes: number[] = [];
          pipeline.onCommitted((info) => sizes.push(info.commands));
          const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pipeline.execute({ kind: 'submit', tasks: [{ type: 'job', payload, tags: [`t${i}`] }] })));
          assert.equal(sizes.reduce((sum, n) => sum + n, 0), 10);
          assert.ok(sizes.length > 1 && sizes.every((n) => n <= 3), `batches of at most 3 commands (${JSON.stringify(limits)}): ${sizes}`);
          assert.equal(pipeline.engine.appliedPosition, sizes.length, 'one applied position per batch');
          const claimed = await pipeline.execute({ kind: 'claim', workerId: 'w', queues: ['default'], max: 20, leaseMs: 1_000 });
          assert.deepEqual(claimed.map((task) => task.id), results.map(([outcome]) => outcome!.task.id), 'arrival order is kept across transactions');
        },
        { maxPayloadBytes: 1_000 },
        limits,
      );
    }
  });

  test('commands that arrive while batches overlap on the write thread get fencing tokens that never repeat', () =>
    withPipeline(async (pipeline) => {
      await pipeline.execute({ kind: 'submit', tasks: Array.from({ length: 200 }, () => ({ type: 'job' })) });
      const sizes: number[] = [];
      pipeline.onCommitted((info) => sizes.push(info.commands));
      // One claim per turn of the event loop: each arrives while earlier batches are still committing.
      const pending = [];
      for (let i = 0; i < 200; i++) {
        pending.push(pipeline.execute({ kind: 'claim', workerId: `w${i % 7}`, queues: ['default'], max: 1, leaseMs: 10_000 }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const claims = await Promise.all(pending);
      const tokens = claims.flat().map((task) => task.lease!.token);
      assert.equal(tokens.length, 200);
      assert.equal(new Set(tokens).size, 200, 'every claim has a token of its own');
      assert.ok(sizes.length > 1, `more than one batch (${sizes})`);
    }));

  test('when no transaction can start, queued commands fail with STORAGE_ERROR rather than wait forever', () =>
    withPipeline(async (pipeline) => {
      // The real LMDB environment closed under the engine: every transaction fails to begin.
      await (pipeline.engine as unknown as { store: { env: { close(): Promise<void> } } }).store.env.close();
      const small = pipeline.submitBatch([{ kind: 'submit', tasks: [{ type: 'job' }] }]);
      const big = pipeline.submitBatch([{ kind: 'submit', tasks: Array.from({ length: 50 }, () => ({ type: 'job' })) }]);
      // A batch too big for this thread goes to the write thread, and fails there the same way.
      const many = pipeline.submitBatch(Array.from({ length: 40 }, () => ({ kind: 'submit', tasks: [{ type: 'job' }] }) as const));
      for (const outcomes of await Promise.all([small, big, many])) assert.ok(codes(outcomes).every((code) => code === 'STORAGE_ERROR'), codes(outcomes).join());
    }));

  test('once closing, the pipeline refuses new commands with CLOSED and lets started ones finish', () =>
    withPipeline(async (pipeline) => {
      const started = pipeline.execute({ kind: 'submit', tasks: [{ type: 'job' }] });
      const closed = pipeline.close();
      await rejectsWith(pipeline.execute({ kind: 'submit', tasks: [{ type: 'job' }] }), 'CLOSED');
      const [outcome] = await started;
      await closed;
      assert.equal(pipeline.engine.get(outcome!.task.id).state, 'pending');
      throwsWith(() => pipeline.engine.get('missing'), 'NOT_FOUND');
    }));
});
