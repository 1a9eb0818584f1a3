/**
 * `tq top` with stdout not a terminal (a real `bin/run.js top` child process with piped output):
 * one snapshot as text or JSON, exit 0; and the one-line errors for a missing broker and a bad
 * interval.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { createLogger } from '../../src/log/logger.ts';
import { TopModel } from '../../src/top/model.ts';
import { snapshotData, snapshotText } from '../../src/top/snapshot.ts';
import { TqWorker } from '../../src/worker/index.ts';
import { type BrokerProcess, eventually, startBroker, runTq } from '../helpers/broker.ts';
import { failsWithOneLine } from '../cli/helpers.ts';
import { freePort, removeBrokerDirs, TEST_LEASE, startWorker, type WorkerProcess } from '../worker/helpers.ts';
import { queueRow, submitBacklog } from './helpers.ts';

let broker: BrokerProcess;
let worker: WorkerProcess | undefined;

before(async () => {
  // No fast-retry config file: its queues: would seed a `default` queue onto the screen.
  broker = await startBroker({ args: ['--lease', TEST_LEASE] });
  const client = await TqClient.connect({ broker: broker.address, reconnect: false });
  try {
    await submitBacklog(client);
    worker = await startWorker(broker.address, ['--queues', 'billing', '--concurrency', '3', '--name', 'snapshot-worker']);
    await eventually(async () => ((await client.stats()).queues.find((queue) => queue.name === 'billing')?.states.dead === 2 ? true : undefined), 20_000, 'dead billing tasks');
  } finally {
    client.close();
  }
});

after(async () => {
  await worker?.stop();
  await broker?.stop();
  removeBrokerDirs(broker);
});

test('not a terminal: one text snapshot of queues, each queue in detail, workers and failures; exit 0', async () => {
  const result = await runTq(['top', '--broker', broker.address, '--interval', '200ms'], { env: { COLUMNS: '120' } });
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout;
  assert.match(text, new RegExp(`^tq top ${broker.address} ● live · 3 queues · 1 worker · 0/3 slots busy`));
  assert.match(queueRow(text, 'emails')!, /█+\s+10\s/);
  assert.match(queueRow(text, 'reports')!, /█+\s+4\s/);
  for (const queue of ['billing', 'emails', 'reports']) assert.match(text, new RegExp(`^▌${queue}\\s+depth`, 'm'));
  assert.match(text, /prio 200 urgent\s+█+\s+3/);
  assert.match(text, /submitted\s+0\/s/, 'rates, without sparklines');
  assert.match(text, /snapshot-worker\s+\S+\s+0\/3/);
  assert.match(text, /billing\s+fail\s+× dead\s+1\/1 card declined/);
  assert.doesNotMatch(text, /\u001B/, 'no escape sequences');
  assert.ok(text.split('\n').every((line) => line.length <= 120), 'fits $COLUMNS');
  assert.equal(result.stderr, '');
});

test('--output json: the snapshot as data, rates measured over one interval', async () => {
  const result = await runTq(['top', '--broker', broker.address, '--interval', '200ms', '--output', 'json']);
  assert.equal(result.code, 0, result.stderr);
  const snapshot = JSON.parse(result.stdout);
  assert.equal(snapshot.broker, broker.address);
  assert.match(snapshot.takenAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(snapshot.rateIntervalMs, 200);
  assert.deepEqual(snapshot.queues.map((queue: { name: string }) => queue.name), ['billing', 'emails', 'reports']);
  const emails = snapshot.queues.find((queue: { name: string }) => queue.name === 'emails');
  assert.equal(emails.depth, 10);
  assert.equal(emails.paused, false);
  assert.equal(emails.states.pending, 10);
  assert.deepEqual(emails.priorities['200'], { pending: 3 });
  assert.deepEqual(emails.rates, { submittedPerSecond: 0, completedPerSecond: 0, failedPerSecond: 0 });
  assert.equal(snapshot.queues.find((queue: { name: string }) => queue.name === 'billing').states.dead, 2);
  assert.equal(snapshot.totals.states.pending, 14);
  assert.equal(snapshot.workers.length, 1);
  assert.equal(snapshot.workers[0].name, 'snapshot-worker');
  assert.equal(snapshot.workers[0].concurrency, 3);
  assert.equal(snapshot.failures.length, 2);
  assert.deepEqual(
    snapshot.failures.map((failure: { queue: string; state: string; lastError: string }) => [failure.queue, failure.state, failure.lastError]),
    [
      ['billing', 'dead', 'card declined'],
      ['billing', 'dead', 'card declined'],
    ],
  );
  assert.match(snapshot.failures[0].failedAt, /^\d{4}-\d\d-\d\dT/);
});

test('no broker: one line saying so, exit 1; a bad --interval: a usage error, exit 2', async () => {
  const port = await freePort();
  failsWithOneLine(await runTq(['top', '--broker', `127.0.0.1:${port}`]), /cannot reach the tq broker at 127\.0\.0\.1:\d+/, 1);
  failsWithOneLine(await runTq(['top', '--broker', broker.address, '--interval', 'soon']), /--interval "soon" is invalid/, 2);
  failsWithOneLine(await runTq(['top', '--broker', broker.address, '--interval', '10ms']), /--interval 10ms is out of range: use 100ms to 1h/, 2);
});

test('rates from real activity: the growth of each count between two polls, per second of the polls’ clock', async () => {
  const client = await TqClient.connect({ broker: broker.address, reconnect: false });
  const worker = new TqWorker({
    broker: broker.address,
    queues: ['rated'],
    log: createLogger('worker', 'error'),
    handlers: { ok: () => 'fine', bad: () => Promise.reject(new Error('no')) },
  });
  // The polls' clock is the test's, so the interval between them is exactly 2 s.
  let now = 1_000_000;
  const model = new TopModel(client, { intervalMs: 2_000, now: () => now });
  try {
    await worker.start();
    await model.poll();
    await client.submitMany([
      ...Array.from({ length: 4 }, () => ({ type: 'ok', queue: 'rated' })),
      ...Array.from({ length: 2 }, () => ({ type: 'bad', queue: 'rated', maxRetries: 0 })),
    ]);
    await eventually(async () => {
      const rated = (await client.stats()).queues.find((queue) => queue.name === 'rated');
      return rated?.states.succeeded === 4 && rated.states.dead === 2 ? true : undefined;
    }, 20_000, '4 succeeded and 2 dead tasks in rated');
    now += 2_000;
    await model.poll();
    const data = snapshotData(model.getState(), broker.address, 2_000) as {
      queues: { name: string; rates: unknown }[];
      totals: { rates: unknown };
    };
    // 6 submitted, 4 succeeded, 2 dead in 2 s; the other queues did not change.
    const expected = { submittedPerSecond: 3, completedPerSecond: 2, failedPerSecond: 1 };
    assert.deepEqual(data.queues.find((queue) => queue.name === 'rated')!.rates, expected);
    assert.deepEqual(data.queues.find((queue) => queue.name === 'emails')!.rates, { submittedPerSecond: 0, completedPerSecond: 0, failedPerSecond: 0 });
    assert.deepEqual(data.totals.rates, expected);
    const text = snapshotText(model.getState(), broker.address, 120, now);
    const rated = text.slice(text.search(/^▌rated\s/m)).split('\n\n')[0]!;
    assert.match(rated, /submitted\s+3\.0\/s/);
    assert.match(rated, /completed\s+2\.0\/s/);
    assert.match(rated, /failed\s+1\.0\/s/);
  } finally {
    model.stop();
    await worker.stop();
    client.close();
  }
});
