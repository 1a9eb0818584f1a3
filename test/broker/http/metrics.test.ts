/**
 * /metrics on a real broker after real work: promtool (Debian's prometheus package, which CI
 * installs) accepts the scrape, and the counters, gauges and histograms the issue names are there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../helpers/broker.ts';
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
    assert.ok(sample(text, 'tq_commit_batch_commands_count')! > 0);
    assert.ok(sample(text, 'tq_commit_seconds_count')! > 0);
    assert.ok(sample(text, 'tq_commit_seconds_bucket', 'le="+Inf"')! > 0);
  });

  it('reports the LMDB size and process metrics', () => {
    assert.ok(sample(text, 'tq_lmdb_size_bytes')! > 0);
    assert.ok(sample(text, 'process_cpu_seconds_total')! > 0);
    assert.ok(sample(text, 'nodejs_eventloop_lag_seconds') !== undefined);
  });
});
