/**
 * /metrics on a real broker after real work: promtool (Debian's prometheus package, which CI
 * installs) accepts the scrape, and the counters, gauges and histograms the issue names are there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../helpers/broker.ts';
import { rawWorker } from '../../helpers/protocol.ts';
import { startWorker, type WorkerProcess } from '../../worker/helpers.ts';
import { call, type HttpBroker, startHttpBroker, stopHttpBroker } from './helpers.ts';

function promtool(): string | null {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return found.error ? null : 'promtool';
}

/** The value of one sample line `name{labels} value`, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] ?? '';
    if (labels.split(',').filter(Boolean).every((pair) => have.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  let broker: HttpBroker;
  let worker: WorkerProcess;
  let text = '';

  before(async () => {
    broker = await startHttpBroker();
    worker = await startWorker(broker.address, ['--queues', 'm', '--concurrency', '3']);
    const submitted = await call(broker, 'POST', '/api/v1/tasks', [
      { type: 'echo', queue: 'm', payload: 1 },
      { type: 'echo', queue: 'm', payload: 2 },
      { type: 'fail', queue: 'm', maxRetries: 0, payload: { message: 'no' } },
      { type: 'sleep', queue: 'm', payload: { ms: 60_000 } },
      { type: 'echo', queue: 'later', priority: 'urgent', delayMs: 3_600_000 },
    ]);
    assert.equal(submitted.status, 201, submitted.text);
    const cancel = await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'idle' });
    await call(broker, 'DELETE', `/api/v1/tasks/${cancel.body.task.id}`);
    await eventually(async () => {
      const stats = (await call(broker, 'GET', '/api/v1/stats')).body;
      const m = stats.queues.find((queue: any) => queue.name === 'm');
      return m && m.states.succeeded === 2 && m.states.dead === 1 && m.states.running === 1 ? true : undefined;
    }, 20_000, 'the worker to run the tasks');
    // Heartbeats tell the broker what each worker runs; wait for the slots to show the sleeper.
    await eventually(async () => {
      const scrape = await fetch(`${broker.base}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      text = await scrape.text();
      return sample(text, 'tq_worker_slots', 'status="busy"') === 1 ? true : undefined;
    }, 20_000, 'one busy slot');
  });
  after(async () => {
    await worker?.kill(); // its sleep task would hold a graceful stop for its whole grace period
    await stopHttpBroker(broker);
  });

  it('passes promtool check metrics', (t) => {
    const tool = promtool();
    if (!tool) {
      t.skip('promtool is not installed (apt-get install prometheus); CI installs it');
      return;
    }
    const checked = spawnSync(tool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(checked.status, 0, `promtool check metrics failed:\n${checked.stdout}${checked.stderr}`);
  });

  it('counts tasks by queue and type', () => {
    assert.equal(sample(text, 'tq_tasks_submitted_total', 'queue="m",type="echo"'), 2);
    assert.equal(sample(text, 'tq_tasks_submitted_total', 'queue="later",type="echo"'), 1);
    assert.equal(sample(text, 'tq_tasks_succeeded_total', 'queue="m",type="echo"'), 2);
    assert.equal(sample(text, 'tq_tasks_dead_total', 'queue="m",type="fail"'), 1);
    assert.equal(sample(text, 'tq_tasks_cancelled_total', 'queue="idle",type="echo"'), 1);
    assert.match(text, /# TYPE tq_tasks_failed_total counter/);
  });

  it('reads depth by queue, priority and state, running tasks, workers and free slots', () => {
    assert.equal(sample(text, 'tq_queue_depth', 'queue="later",priority="200",state="scheduled"'), 1);
    assert.equal(sample(text, 'tq_queue_depth', 'queue="m",priority="100",state="succeeded"'), 2);
    assert.equal(sample(text, 'tq_tasks_running', 'queue="m"'), 1);
    assert.equal(sample(text, 'tq_workers_connected'), 1);
    assert.equal(sample(text, 'tq_worker_slots', 'status="free"'), 2);
    assert.equal(sample(text, 'tq_queue_paused', 'queue="m"'), 0);
  });

  it('has histograms of queue wait, run time, commit batch size and commit latency', () => {
    assert.equal(sample(text, 'tq_task_queue_wait_seconds_count', 'queue="m"'), 4);
    assert.equal(sample(text, 'tq_task_run_seconds_count', 'queue="m",type="echo"'), 2);
    assert.equal(sample(text, 'tq_task_run_seconds_count', 'queue="m",type="fail"'), 1);
    // Each durable batch is observed once in both commit histograms.
    const batches = sample(text, 'tq_commit_batch_commands_count');
    assert.equal(typeof batches, 'number', 'tq_commit_batch_commands_count is scraped');
    assert.equal(sample(text, 'tq_commit_seconds_count'), batches);
    assert.equal(sample(text, 'tq_commit_seconds_bucket', 'le="+Inf"'), batches);
    assert.ok(sample(text, 'tq_commit_batch_commands_sum')! >= batches!, 'a batch holds one command or more');
  });

  it('leaves out the default metrics whose names promtool rejects, keeping their per-type versions', () => {
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      assert.doesNotMatch(text, new RegExp(`^(# TYPE )?${name}\\b`, 'm'));
    }
    assert.match(text, /^# TYPE nodejs_active_handles gauge$/m);
  });
});

/** A broker with no worker but the test's raw one: nothing commits but what the test does, so the counts are exact. */
describe('/metrics on an idle broker', () => {
  let broker: HttpBroker;
  const scrape = async () => (await fetch(`${broker.base}/metrics`)).text();

  before(async () => {
    broker = await startHttpBroker();
  });
  after(() => stopHttpBroker(broker));

  it('counts each durable batch and the commands in it', async () => {
    const before = await scrape();
    const count0 = sample(before, 'tq_commit_batch_commands_count') ?? 0;
    const sum0 = sample(before, 'tq_commit_batch_commands_sum') ?? 0;
    // One request of three tasks is one submit command: one batch.
    const submitted = await call(broker, 'POST', '/api/v1/tasks', [{ type: 'echo', queue: 'q' }, { type: 'echo', queue: 'q' }, { type: 'echo', queue: 'q' }]);
    assert.equal(submitted.status, 201, submitted.text);
    let text = await scrape();
    assert.equal(sample(text, 'tq_commit_batch_commands_count'), count0 + 1);
    assert.equal(sample(text, 'tq_commit_batch_commands_sum'), sum0 + 1);
    assert.equal(sample(text, 'tq_commit_seconds_count'), count0 + 1);
    assert.equal(sample(text, 'tq_tasks_submitted_total', 'queue="q",type="echo"'), 3);
    assert.equal(sample(text, 'tq_queue_depth', 'queue="q",priority="100",state="pending"'), 3);
    assert.equal(sample(text, 'tq_workers_connected'), 0);

    const cancelled = await call(broker, 'DELETE', `/api/v1/tasks/${submitted.body.tasks[0].task.id}`);
    assert.equal(cancelled.status, 200, cancelled.text);
    text = await scrape();
    assert.equal(sample(text, 'tq_commit_batch_commands_count'), count0 + 2);
    assert.equal(sample(text, 'tq_commit_batch_commands_sum'), sum0 + 2);
    assert.equal(sample(text, 'tq_commit_batch_commands_bucket', 'le="1"'), count0 + 2);
    assert.equal(sample(text, 'tq_tasks_cancelled_total', 'queue="q",type="echo"'), 1);
    assert.equal(sample(text, 'tq_queue_depth', 'queue="q",priority="100",state="pending"'), 2);
    assert.equal(sample(text, 'tq_queue_depth', 'queue="q",priority="100",state="cancelled"'), 1);

    // A worker's claim is a batch of one command; its report of two outcomes, one batch of two.
    const worker = await rawWorker(broker.port, { id: 'metrics-worker', queues: ['q'], concurrency: 2 });
    try {
      worker.credit(2);
      const pushed = await worker.pushedAtLeast(2);
      text = await scrape();
      assert.equal(sample(text, 'tq_commit_batch_commands_count'), count0 + 3);
      assert.equal(sample(text, 'tq_commit_batch_commands_sum'), sum0 + 3);
      const reports = pushed.map((task) => ({ op: 'ack', id: task.id, token: task.lease!.token }));
      assert.deepEqual(await worker.request('report', { reports }), [{ state: 'succeeded' }, { state: 'succeeded' }]);
      text = await scrape();
      assert.equal(sample(text, 'tq_commit_batch_commands_count'), count0 + 4);
      assert.equal(sample(text, 'tq_commit_batch_commands_sum'), sum0 + 5);
      assert.equal(sample(text, 'tq_commit_batch_commands_bucket', 'le="1"'), count0 + 3);
      assert.equal(sample(text, 'tq_commit_batch_commands_bucket', 'le="2"'), count0 + 4);
      assert.equal(sample(text, 'tq_tasks_succeeded_total', 'queue="q",type="echo"'), 2);
      assert.equal(sample(text, 'tq_task_run_seconds_count', 'queue="q",type="echo"'), 2);
      assert.equal(sample(text, 'tq_task_queue_wait_seconds_count', 'queue="q"'), 2);
    } finally {
      worker.close();
    }
  });

  it('reports the size of the LMDB data file', async () => {
    const text = await scrape();
    assert.equal(sample(text, 'tq_lmdb_size_bytes'), statSync(join(broker.dataDir, 'data.mdb')).size);
  });
});
