/**
 * Rates per queue from successive stats() snapshots. The broker keeps counts of tasks per state,
 * not counters of events, so each rate is the growth of a count between two snapshots, divided by
 * the time between them, and never below zero:
 *
 * - submitted/s: growth of the queue's tasks in every state. Tasks only enter the count by being
 *   submitted; they leave it when retention, `dlq purge` or `queue drain` deletes them, so in an
 *   interval with deletions this undercounts (and shows 0 rather than a negative rate).
 * - completed/s: growth of `succeeded`. Retention purging finished tasks lowers it the same way.
 * - failed/s: growth of `failed` + `dead`: attempts that failed, whether they will be retried or
 *   went to the dead-letter queue. A failed task that becomes pending again for its retry leaves
 *   the count, and `dlq replay`/purge empties `dead`, so this is a net figure, a lower bound.
 *
 * Exact rates need event counters kept by the broker; these are what the counts allow.
 */
import type { Stats } from '../model/stats.ts';
import type { TaskState } from '../model/task.ts';

/** How far back the sparklines reach. */
export const RATE_WINDOW_MS = 60_000;

export interface Rates {
  submitted: number;
  completed: number;
  failed: number;
}

export interface RateSample extends Rates {
  /** When the later of the two snapshots was taken (epoch ms). */
  at: number;
}

export interface QueueRates {
  /** The latest rates, or null before a second snapshot. */
  current: Rates | null;
  /** Rates over the last minute, oldest first. */
  history: RateSample[];
}

interface Counts {
  total: number;
  succeeded: number;
  failed: number;
}

function counts(states: Record<TaskState, number>): Counts {
  let total = 0;
  for (const value of Object.values(states)) total += value;
  return { total, succeeded: states.succeeded, failed: states.failed + states.dead };
}

const ZERO: Counts = { total: 0, succeeded: 0, failed: 0 };

export class RateTracker {
  private last: { at: number; counts: Map<string, Counts> } | null = null;
  private readonly history = new Map<string, RateSample[]>();

  /** Takes a snapshot made at `at` (epoch ms); snapshots taken less than 1 ms apart are ignored. */
  add(stats: Stats, at: number): void {
    const now = new Map(stats.queues.map((queue) => [queue.name, counts(queue.states)]));
    const last = this.last;
    if (last !== null && at - last.at < 1) return;
    if (last !== null) {
      const seconds = (at - last.at) / 1_000;
      for (const [name, current] of now) {
        // A queue that appears between two snapshots had no tasks at the first.
        const before = last.counts.get(name) ?? ZERO;
        const perSecond = (after: number, prior: number) => Math.max(0, after - prior) / seconds;
        const sample: RateSample = {
          at,
          submitted: perSecond(current.total, before.total),
          completed: perSecond(current.succeeded, before.succeeded),
          failed: perSecond(current.failed, before.failed),
        };
        const samples = this.history.get(name) ?? [];
        samples.push(sample);
        while (samples.length > 0 && samples[0]!.at <= at - RATE_WINDOW_MS) samples.shift();
        this.history.set(name, samples);
      }
    }
    for (const name of this.history.keys()) if (!now.has(name)) this.history.delete(name);
    this.last = { at, counts: now };
  }

  rates(queue: string): QueueRates {
    const history = this.history.get(queue) ?? [];
    const latest = history.at(-1);
    const current = latest && latest.at === this.last?.at ? { submitted: latest.submitted, completed: latest.completed, failed: latest.failed } : null;
    return { current, history: [...history] };
  }

  /** Every queue's latest rates summed, or null before a second snapshot. */
  total(queues: string[]): Rates | null {
    let sum: Rates | null = null;
    for (const queue of queues) {
      const { current } = this.rates(queue);
      if (current === null) continue;
      sum ??= { submitted: 0, completed: 0, failed: 0 };
      sum.submitted += current.submitted;
      sum.completed += current.completed;
      sum.failed += current.failed;
    }
    return sum;
  }
}
