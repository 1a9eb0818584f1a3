/** TqWorker used from code, in this process, against a real broker process. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type HandlerContext, TqWorker, UnrecoverableError } from '../../src/worker/index.ts';
import { type BrokerProcess, eventually } from '../helpers/broker.ts';
import { startTestBroker, waitForState, removeBrokerDirs } from './helpers.ts';

const quiet = createLogger('worker', 'error');

describe('worker: the TqWorker API', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  before(async () => {
    broker = await startTestBroker({ yaml: 'maxPayloadBytes: 4096\n' });
    client = await TqClient.connect({ broker: broker.address });
  });
  after(async () => {
    client?.close();
    await broker?.stop();
    removeBrokerDirs(broker);
  });

  it('gives each attempt its context: attempt, lease token, ids, a deadline', async () => {
    const seen: (Omit<HandlerContext, 'signal' | 'progress' | 'log'> & { enteredAt: number })[] = [];
    const worker = new TqWorker({
      broker: broker.address,
      queues: ['ctx'],
      log: quiet,
      handlers: {
        inspect: (_task, ctx) => {
          const { signal, progress, log, ...rest } = ctx;
          seen.push({ ...rest, enteredAt: Date.now() });
          if (ctx.attempt < 2) throw new Error('again');
          return 'ok';
        },
      },
    });
    await worker.start();
    try {
      const submittedAt = Date.now();
      const task = await client.submit({ type: 'inspect', queue: 'ctx', maxRetries: 3, timeoutMs: 45_000 });
      const done = await client.wait(task.id, { timeoutMs: 20_000 });
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(seen.map((ctx) => ctx.attempt), [1, 2]);
      // Each attempt's deadline is its own start plus the task's timeout (45 s: not the lease, not the default).
      let startedAfter = submittedAt;
      for (const ctx of seen) {
        assert.equal(ctx.taskId, task.id);
        assert.equal(ctx.type, 'inspect');
        assert.equal(ctx.queue, 'ctx');
        assert.equal(ctx.workerId, worker.id);
        assert.ok(ctx.deadline >= startedAfter + 45_000 && ctx.deadline <= ctx.enteredAt + 45_000, `attempt ${ctx.attempt}: deadline ${ctx.deadline}`);
        startedAfter = ctx.enteredAt;
      }
      assert.notEqual(seen[0]!.token, seen[1]!.token);
    } finally {
      await worker.stop();
    }
  });

  it('a handler that ignores its abort signal: the attempt fails on timeout, the slot stays taken until the handler returns', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = new TqWorker({
      broker: broker.address,
      queues: ['stuck'],
      concurrency: 1,
      log: quiet,
      handlers: { stubborn: () => gate.then(() => 'too late'), quick: () => 'quick' },
    });
    await worker.start();
    try {
      const stuck = await client.submit({ type: 'stubborn', queue: 'stuck', timeoutMs: 200, maxRetries: 0 });
      const timedOut = await client.wait(stuck.id, { timeoutMs: 20_000 });
      assert.equal(timedOut.state, 'dead');
      assert.match(timedOut.lastError!, /^timed out after 200ms/);
      assert.equal(worker.stats.running, 1);
      const next = await client.submit({ type: 'quick', queue: 'stuck' });
      // The only slot is still the stubborn handler's: the next task waits.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await client.get(next.id)).state, 'pending');
      release();
      assert.equal((await client.wait(next.id, { timeoutMs: 20_000 })).result, 'quick');
      // What the stubborn handler returned in the end does not count.
      assert.equal((await client.get(stuck.id)).state, 'dead');
    } finally {
      release();
      await worker.stop();
    }
  });

  it('a lease lost while the handler runs (a blocked event loop): its signal fires, nothing is reported, the task runs again', async () => {
    const reasons: string[] = [];
    const worker = new TqWorker({
      broker: broker.address,
      queues: ['default'],
      concurrency: 2,
      log: quiet,
      handlers: {
        hog: async (_task, ctx) => {
          if (ctx.attempt > 1) return 'second time';
          // Starve the heartbeats for longer than the 2 s lease.
          const until = Date.now() + 3_500;
          while (Date.now() < until);
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          reasons.push((ctx.signal.reason as { reason: string }).reason);
          return 'first time';
        },
      },
    });
    await worker.start();
    try {
      const task = await client.submit({ type: 'hog', maxRetries: 3 });
      const done = await client.wait(task.id, { timeoutMs: 20_000 });
      assert.equal(done.state, 'succeeded');
      assert.equal(done.result, 'second time');
      assert.equal(done.attempts, 2);
      assert.equal(done.history[0]!.error, 'lease expired');
      await eventually(() => (reasons.length > 0 ? true : undefined));
      assert.deepEqual(reasons, ['lease-lost']);
    } finally {
      await worker.stop();
    }
  });

  it('coalesces progress reports: the latest value wins', async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const worker = new TqWorker({
      broker: broker.address,
      queues: ['progress'],
      log: quiet,
      handlers: {
        count: async (_task, ctx) => {
          const reports: Promise<void>[] = [];
          for (let i = 1; i <= 1_000; i++) reports.push(ctx.progress(i / 1_000, `step ${i}`));
          await Promise.all(reports);
          await finished;
          return 'counted';
        },
      },
    });
    await worker.start();
    try {
      const task = await client.submit({ type: 'count', queue: 'progress' });
      const running = await waitForState(client, task.id, 'running', (t) => t.progress?.fraction === 1);
      assert.deepEqual(running.progress, { fraction: 1, message: 'step 1000' });
      finish();
      assert.equal((await client.wait(task.id, { timeoutMs: 20_000 })).result, 'counted');
    } finally {
      finish();
      await worker.stop();
    }
  });

  it('stop({graceMs}) hands back what runs past the grace, and a second stop hurries the first', async () => {
    const worker = new TqWorker({ broker: broker.address, queues: ['stop'], log: quiet, concurrency: 2 });
    await worker.start();
    const task = await client.submit({ type: 'sleep', queue: 'stop', payload: { ms: 600_000 } });
    await waitForState(client, task.id, 'running');
    const stopping = worker.stop({ graceMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await worker.stop({ graceMs: 0 });
    await stopping;
    await worker.done;
    const released = await client.get(task.id);
    assert.equal(released.state, 'pending');
    assert.equal(released.attempts, 0);
    await assert.rejects(worker.start(), /stopped/);
  });

  it('a result the broker cannot take fails the attempt, saying why', async () => {
    const worker = new TqWorker({
      broker: broker.address,
      queues: ['results'],
      log: quiet,
      handlers: { huge: () => 'x'.repeat(5_000), bigint: () => 10n ** 30n, fine: () => 'ok' },
    });
    await worker.start();
    try {
      const huge = await client.submit({ type: 'huge', queue: 'results', maxRetries: 0 });
      const hugeDone = await client.wait(huge.id, { timeoutMs: 20_000 });
      assert.equal(hugeDone.state, 'dead');
      assert.match(hugeDone.lastError!, /^the result was refused by the broker: /);
      const bigint = await client.submit({ type: 'bigint', queue: 'results', maxRetries: 0 });
      const bigintDone = await client.wait(bigint.id, { timeoutMs: 20_000 });
      assert.equal(bigintDone.state, 'dead');
      assert.match(bigintDone.lastError!, /^the result cannot be sent to the broker: /);
      // Finishing in the same turn, their outcomes share one request: the bad result spoils only its own.
      const [bad, good] = await client.submitMany([
        { type: 'bigint', queue: 'results', maxRetries: 0 },
        { type: 'fine', queue: 'results', maxRetries: 0 },
      ]);
      assert.equal((await client.wait(bad!.id, { timeoutMs: 20_000 })).state, 'dead');
      assert.deepEqual(await client.wait(good!.id, { timeoutMs: 20_000 }).then((task) => [task.state, task.result]), ['succeeded', 'ok']);
    } finally {
      await worker.stop();
    }
  });

  it('a handler that throws UnrecoverableError sends its task to the dead-letter queue at once, retries left or not', async () => {
    let calls = 0;
    const worker = new TqWorker({
      broker: broker.address,
      queues: ['unrecoverable'],
      log: quiet,
      handlers: {
        parse: (task) => {
          calls++;
          if (task.payload === 'garbage') throw new UnrecoverableError('the payload is not an invoice');
          throw new Error('try again');
        },
      },
    });
    await worker.start();
    try {
      const bad = await client.submit({ type: 'parse', queue: 'unrecoverable', payload: 'garbage', maxRetries: 5 });
      const done = await client.wait(bad.id, { timeoutMs: 20_000 });
      assert.deepEqual([done.state, done.attempts, done.lastError], ['dead', 1, 'UnrecoverableError: the payload is not an invoice']);
      // An ordinary error still retries: two attempts for maxRetries 1.
      const flaky = await client.submit({ type: 'parse', queue: 'unrecoverable', payload: 'later', maxRetries: 1 });
      const flakyDone = await client.wait(flaky.id, { timeoutMs: 20_000 });
      assert.deepEqual([flakyDone.state, flakyDone.attempts], ['dead', 2]);
      assert.equal(calls, 3);
    } finally {
      await worker.stop();
    }
  });

  it('refuses bad options with a clear error', () => {
    assert.throws(() => new TqWorker({ concurrency: 0 }), /concurrency must be an integer from 1 to 10000/);
    assert.throws(() => new TqWorker({ queues: [] }), /at least one queue/);
    assert.throws(() => new TqWorker({ queues: ['no spaces'] }), /queue name "no spaces" is invalid/);
    assert.throws(() => new TqWorker({ broker: 'nowhere' }), /broker address "nowhere" is invalid/);
  });

  it('stops cleanly even if it never reached a broker', async () => {
    const worker = new TqWorker({ broker: '127.0.0.1:1', log: quiet });
    const starting = worker.start();
    await worker.stop();
    await assert.rejects(starting, /stopped before it reached the broker/);
    await eventually(() => (worker.stats.connected ? undefined : true));
  });
});
