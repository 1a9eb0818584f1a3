/**
 * Pending tasks have no `bystate` entry (one write less per submit and per claim): the `ready`
 * index lists them, [queue, 255 - priority, stateSeq], so one range per priority holds them in the
 * order they became pending. Listings merge those ranges by state sequence (merge.ts).
 */
import { type Entry, merged } from './merge.ts';
import type { Databases } from './store.ts';

/** The priorities with a pending task in `queue`, from the counters (no scan of the tasks). */
function pendingPriorities(db: Databases, queue: string): number[] {
  const priorities: number[] = [];
  for (const { key } of db.counts.getRange({ start: [queue], end: [queue, Number.MAX_SAFE_INTEGER] })) {
    const [, priority, state] = key as [string, number, string];
    if (state === 'pending') priorities.push(priority);
  }
  return priorities;
}

/** One range per priority: newest first below `below`, or oldest first. */
export function pendingRanges(db: Databases, queue: string, order: 'newest' | 'oldest', below = Number.MAX_SAFE_INTEGER): Iterator<Entry>[] {
  return pendingPriorities(db, queue).map((priority) => rangeOf(db, [queue, 255 - priority], order, below));
}

function* rangeOf(db: Databases, prefix: [string, number], order: 'newest' | 'oldest', below: number): Generator<Entry> {
  const range =
    order === 'newest'
      ? db.ready.getRange({ start: [...prefix, below], end: prefix, reverse: true })
      : db.ready.getRange({ start: prefix, end: [...prefix, Number.MAX_SAFE_INTEGER] });
  for (const { key, value } of range) {
    const stateSeq = (key as [string, number, number])[2];
    if (stateSeq < below) yield { stateSeq, id: value as string };
  }
}

/** The id of the queue's task that became pending first, or null. */
export function oldestPendingId(db: Databases, queue: string): string | null {
  const first = merged(pendingRanges(db, queue, 'oldest'), 'oldest');
  try {
    const next = first.next();
    return next.done ? null : next.value.id;
  } finally {
    first.return(undefined);
  }
}
