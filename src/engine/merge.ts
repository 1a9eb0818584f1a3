/**
 * Merging index ranges by state sequence: a listing reads one range per state and queue (and, for
 * pending tasks, per priority) and interleaves them in the order their tasks changed state.
 */

export interface Entry {
  stateSeq: number;
  id: string;
}

/**
 * The entries of `sources`, each already in `order`, merged in that order. Stopping early (return,
 * break) closes every source: an LMDB range left open keeps its read transaction, and with it a
 * reader slot, until it is collected.
 */
export function* merged(sources: Iterator<Entry>[], order: 'newest' | 'oldest'): Generator<Entry> {
  const before = order === 'newest' ? (a: Entry, b: Entry) => a.stateSeq > b.stateSeq : (a: Entry, b: Entry) => a.stateSeq < b.stateSeq;
  try {
    const heads = sources.map((source) => source.next());
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (!head.done && (best < 0 || before(head.value, heads[best]!.value as Entry))) best = i;
      }
      if (best < 0) return;
      yield heads[best]!.value as Entry;
      heads[best] = sources[best]!.next();
    }
  } finally {
    for (const source of sources) source.return?.();
  }
}
