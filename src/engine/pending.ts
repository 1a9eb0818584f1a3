/**
 * Pending tasks have no `bystate` entry (one write less per submit and per claim): the `ready`
 * index lists them, [queue, 255 - priority, stateSeq], so one range per priority holds them in the
 * order they became pending. Listings merge those ranges by state sequence.
 */
import type { Databases } from './store.ts';

export interface Entry {
  stateSeq: number;
  id: string;
}

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

/**
 * The entries of `sources` (each in stateSeq order, oldest first) merged, oldest first. Stopping
 * early (return, break) closes every source: an LMDB range left open keeps its read transaction,
 * and with it a reader slot, until it is collected.
 */
export function* oldestFirst(sources: Iterator<Entry>[]): Generator<Entry> {
  try {
    const heads = sources.map((source) => source.next());
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (!head.done && (best < 0 || head.value.stateSeq < (heads[best]!.value as Entry).stateSeq)) best = i;
      }
      if (best < 0) return;
      yield heads[best]!.value as Entry;
      heads[best] = sources[best]!.next();
    }
  } finally {
    closeAll(sources);
  }
}

/** Ends iterators that may not have run to their end, so LMDB ranges among them let go of their cursors. */
export function closeAll(sources: Iterator<unknown>[]): void {
  for (const source of sources) source.return?.();
}

/** The id of the queue's task that became pending first, or null. */
export function oldestPendingId(db: Databases, queue: string): string | null {
  let oldest: Entry | null = null;
  for (const priority of pendingPriorities(db, queue)) {
    const prefix = [queue, 255 - priority];
    for (const { key, value } of db.ready.getRange({ start: prefix, end: [...prefix, Number.MAX_SAFE_INTEGER], limit: 1 })) {
      const stateSeq = (key as [string, number, number])[2];
      if (oldest === null || stateSeq < oldest.stateSeq) oldest = { stateSeq, id: value as string };
    }
  }
  return oldest?.id ?? null;
}
