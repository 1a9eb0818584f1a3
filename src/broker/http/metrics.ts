/**
 * /metrics in the Prometheus text format, with prom-client. Counters and histograms grow from the
 * engine's durable batches (activity.ts); depths, workers and the LMDB size are read at scrape time.
 * Each broker has its own registry, so two brokers in one process do not mix their numbers.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestContext } from '../requests.ts';
import type { Stats } from '../../model/stats.ts';
import type { Activity, Outcome } from './activity.ts';
import { summarizeWorkers } from './history.ts';

type Context = Omit<RequestContext, 'worker'>;

const HELP: Record<Outcome, string> = {
  submitted: 'Tasks created by a submit (a submit that matched an idempotency key creates none).',
  succeeded: 'Tasks that succeeded.',
  failed: 'Attempts that failed and left the task to be retried after its backoff (state failed).',
  dead: 'Tasks that failed their last allowed attempt and went to the dead-letter queue.',
  cancelled: 'Tasks cancelled.',
};

/**
 * prom-client's default metrics, less three whose names promtool rejects (a gauge may not end in
 * _total); their per-type versions stay (nodejs_active_handles{type} and so on), and sum() gives the totals.
 */
const REJECTED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface Metrics {
  registry: Registry;
  contentType: string;
  scrape(): Promise<string>;
  close(): void;
}

export function createMetrics(context: Context, activity: Activity): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of REJECTED_DEFAULTS) registry.removeSingleMetric(name);
  const registers = [registry];

  const outcomes = {} as Record<Outcome, Counter<'queue' | 'type'>>;
  for (const outcome of Object.keys(HELP) as Outcome[]) {
    outcomes[outcome] = new Counter({ name: `tq_tasks_${outcome}_total`, help: HELP[outcome], labelNames: ['queue', 'type'], registers });
  }
  const queueWait = new Histogram({
    name: 'tq_task_queue_wait_seconds',
    help: 'Time from a task becoming ready (pending) to a worker starting it, per attempt.',
    labelNames: ['queue'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  });
  const runTime = new Histogram({
    name: 'tq_task_run_seconds',
    help: 'Time an attempt ran, from its start to its success, failure or cancellation.',
    labelNames: ['queue', 'type'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  });
  const batchSize = new Histogram({
    name: 'tq_commit_batch_commands',
    help: 'Commands applied in one LMDB write transaction (group commit).',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    registers,
  });
  const commitLatency = new Histogram({
    name: 'tq_commit_seconds',
    help: 'Time to write one batch and flush it to disk.',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  const unsubscribe = activity.on((observed) => {
    for (const { outcome, task } of observed.outcomes) outcomes[outcome].inc({ queue: task.queue, type: task.type });
    for (const { task, ms } of observed.waits) queueWait.observe({ queue: task.queue }, ms / 1_000);
    for (const { task, ms } of observed.runs) runTime.observe({ queue: task.queue, type: task.type }, ms / 1_000);
    batchSize.observe(observed.commands);
    commitLatency.observe(observed.commitMs / 1_000);
  });

  // Read at scrape time: the engine's counters are exact and cheap (no scan); once per scrape.
  let scraped: Stats | null = null;
  const stats = () => (scraped ??= context.engine.stats(context.pipeline.now()));
  new Gauge({
    name: 'tq_queue_depth',
    help: 'Tasks by queue, priority and state.',
    labelNames: ['queue', 'priority', 'state'],
    registers,
    collect() {
      this.reset();
      for (const queue of stats().queues) {
        for (const [priority, states] of Object.entries(queue.priorities)) {
          for (const [state, count] of Object.entries(states)) this.set({ queue: queue.name, priority, state }, count ?? 0);
        }
      }
    },
  });
  new Gauge({
    name: 'tq_tasks_running',
    help: 'Tasks running now (leased to a worker), by queue.',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const queue of stats().queues) this.set({ queue: queue.name }, queue.states.running);
    },
  });
  new Gauge({
    name: 'tq_queue_paused',
    help: '1 when the queue is paused (workers get none of its tasks).',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const queue of context.engine.queues()) this.set({ queue: queue.name }, queue.paused ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tq_queue_oldest_pending_age_seconds',
    help: 'How long the oldest ready task of the queue has waited; 0 when none is pending.',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const queue of stats().queues) this.set({ queue: queue.name }, (queue.oldestPendingAgeMs ?? 0) / 1_000);
    },
  });
  new Gauge({
    name: 'tq_workers_connected',
    help: 'Workers connected to this broker.',
    registers,
    collect() {
      this.set(summarizeWorkers(context).connected);
    },
  });
  new Gauge({
    name: 'tq_worker_slots',
    help: 'Task slots (concurrency) of the connected workers, by whether they are free or busy.',
    labelNames: ['status'],
    registers,
    collect() {
      const { slots, busy } = summarizeWorkers(context);
      this.set({ status: 'free' }, slots - busy);
      this.set({ status: 'busy' }, busy);
    },
  });
  new Gauge({
    name: 'tq_lmdb_size_bytes',
    help: 'Size of the LMDB data file (data.mdb).',
    registers,
    collect() {
      try {
        this.set(statSync(join(context.engine.dir, 'data.mdb')).size);
      } catch {
        this.set(0);
      }
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    scrape: async () => {
      scraped = null;
      try {
        return await registry.metrics();
      } finally {
        scraped = null;
      }
    },
    close: () => {
      unsubscribe();
      registry.clear();
    },
  };
}
