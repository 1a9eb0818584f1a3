/**
 * `tq top` when stdout is not a terminal (or with --output json|yaml): one snapshot, printed once.
 * Rates need two readings, so it polls twice, one interval apart; the text is the screen's own
 * sections without a height limit (every queue in detail, every worker, the latest failures).
 */
import { detailLines } from './components/detail.ts';
import { failureLines } from './components/failures.ts';
import { headerLine } from './components/header.ts';
import { plain, type Segs } from './components/segs.ts';
import { queueTableLines } from './components/queues.ts';
import { workerLines } from './components/workers.ts';
import { depth, failedAt, type TopData, TopModel, type TopSource } from './model.ts';

/** How many failures the text snapshot lists. */
const TEXT_FAILURES = 20;

/** Polls twice, `intervalMs` apart; rejects with the reason when the broker does not answer. */
export async function takeSnapshot(source: TopSource, intervalMs: number): Promise<TopData> {
  const model = new TopModel(source, { intervalMs });
  const check = () => {
    const data = model.getState();
    if (data.connection !== 'live') throw Object.assign(new Error(data.error ?? 'the broker did not answer'), { code: 'UNAVAILABLE' });
  };
  await model.poll();
  check();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  await model.poll();
  check();
  return model.getState();
}

/** The snapshot as data, for --output json|yaml (times end in `At`, so they print as ISO-8601). */
export function snapshotData(data: TopData, broker: string, intervalMs: number): unknown {
  const rates = (name: string) => {
    const current = data.rates.get(name)?.current ?? null;
    return current && { submittedPerSecond: round(current.submitted), completedPerSecond: round(current.completed), failedPerSecond: round(current.failed) };
  };
  const queues = data.stats?.queues ?? [];
  return {
    broker,
    takenAt: data.updatedAt,
    rateIntervalMs: intervalMs,
    totals: {
      states: data.stats?.totals ?? null,
      rates: data.totalRates && {
        submittedPerSecond: round(data.totalRates.submitted),
        completedPerSecond: round(data.totalRates.completed),
        failedPerSecond: round(data.totalRates.failed),
      },
    },
    queues: queues.map((queue) => ({
      name: queue.name,
      paused: queue.paused,
      depth: depth(queue.states),
      states: queue.states,
      priorities: queue.priorities,
      oldestPendingAgeMs: queue.oldestPendingAgeMs,
      rates: rates(queue.name),
    })),
    workers: data.workers,
    failures: data.failures.map((task) => ({
      id: task.id,
      queue: task.queue,
      type: task.type,
      state: task.state,
      attempts: task.attempts,
      maxRetries: task.maxRetries,
      failedAt: failedAt(task),
      lastError: task.lastError,
    })),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The snapshot as text `width` cells wide, without styles or trailing spaces. */
export function snapshotText(data: TopData, broker: string, width: number, now = Date.now()): string {
  const queues = data.stats?.queues ?? [];
  const lines: Segs[] = [headerLine(data, broker, width, now, { keysHint: false }), []];
  const empty = 'no queues yet: a queue appears with its first task (tq submit)';
  lines.push(...queueTableLines({ queues, rates: data.rates, selected: null, width, height: Math.max(1, queues.length), empty }));
  for (const queue of queues) {
    lines.push([], ...detailLines({ queue, rates: data.rates.get(queue.name), width, height: Infinity, sparklines: false }));
  }
  lines.push([], ...workerLines({ workers: data.workers, width, height: Infinity, now }));
  lines.push([], ...failureLines({ failures: data.failures, width, height: TEXT_FAILURES + 1, now }));
  return `${lines.map((segs) => plain(segs).trimEnd()).join('\n')}\n`;
}
