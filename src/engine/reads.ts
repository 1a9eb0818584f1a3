/** Reads: a task by id, listings by filter with cursors, stats and queues. No write transaction. */
import type { QueueInfo } from '../model/queue.ts';
import type { QueueStats, Stats } from '../model/stats.ts';
import { MAX_PAGE, type TaskFilter } from '../model/bulk.ts';
import { invalid, notFound } from '../model/errors.ts';
import { type Entry, merged } from './merge.ts';
import { oldestPendingId, pendingRanges } from './pending.ts';
import { storedQueue } from './queue.ts';
import { checkFilter, queueNames, runningTasks } from './select.ts';
import type { Databases } from './store.ts';
import { TASK_STATES, type Task, type TaskRecord, type TaskState } from '../model/task.ts';
import { PAYLOAD, RESULT } from './txn.ts';
import { plain } from '../model/value.ts';

/** A listing with a type filter examines at most this many entries per page before returning a cursor. */
const SCAN_BUDGET = 20_000;

export function getTask(db: Databases, id: string): Task {
  const record = typeof id === 'string' ? db.tasks.get(id) : undefined;
  if (!record) throw notFound(String(id));
  return withValues(db, record);
}

export function withValues(db: Databases, record: TaskRecord): Task {
  const result = record.hasResult ? db.blobs.getBinary([record.id, RESULT]) : undefined;
  return { ...record, payload: readPayload(db, record), result: result ? plain.unpack(result) : null };
}

/** The task's payload, from inside its record or, when big, from `blobs`. */
export function readPayload(db: Databases, record: TaskRecord): unknown {
  if (record.inlinePayload) return plain.unpack(record.inlinePayload);
  const bytes = record.payloadBytes > 0 ? db.blobs.getBinary([record.id, PAYLOAD]) : undefined;
  return bytes ? plain.unpack(bytes) : null;
}

export interface ListOptions extends TaskFilter {
  limit?: number;
  cursor?: string | null;
}

export interface Page {
  tasks: TaskRecord[];
  nextCursor: string | null;
}

/**
 * Tasks matching the filter, the most recent change of state first, at most 1,000 a page. The
 * cursor is the state sequence of the last task returned: the next page starts below it.
 */
export function listTasks(db: Databases, options: ListOptions = {}): Page {
  const filter = checkFilter({ queue: options.queue, state: options.state, type: options.type });
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid(`limit must be an integer from 1 to ${MAX_PAGE}`);
  let below = Number.MAX_SAFE_INTEGER;
  if (options.cursor !== undefined && options.cursor !== null) {
    below = Number(options.cursor);
    if (!/^\d+$/.test(options.cursor) || !Number.isSafeInteger(below)) throw invalid(`cursor ${JSON.stringify(options.cursor)} is invalid: pass a nextCursor from an earlier page`);
  }
  const states = filter.state ? [filter.state] : TASK_STATES;
  const queues = filter.queue ? [filter.queue] : queueNames(db);
  const sources: Iterator<Entry>[] = [];
  for (const state of states) {
    if (state === 'running') sources.push(runningEntries(db, filter.queue, below));
    else if (state === 'pending') for (const queue of queues) sources.push(...pendingRanges(db, queue, 'newest', below));
    else for (const queue of queues) sources.push(stateEntries(db, state, queue, below));
  }
  const entries = merged(sources, 'newest');
  const tasks: TaskRecord[] = [];
  let examined = 0;
  let last: number | null = null;
  try {
    for (let next = entries.next(); !next.done; next = entries.next()) {
      // A full page (or scan budget) with an entry still to come: the next page starts below the last.
      if (tasks.length >= limit || examined >= SCAN_BUDGET) return { tasks, nextCursor: String(last) };
      examined++;
      last = next.value.stateSeq;
      const task = db.tasks.get(next.value.id);
      if (task && (filter.type === undefined || task.type === filter.type)) tasks.push(task);
    }
    return { tasks, nextCursor: null };
  } finally {
    entries.return(undefined); // a page ends before its ranges do: let go of their cursors
  }
}

function* stateEntries(db: Databases, state: TaskState, queue: string, below: number): Generator<Entry> {
  for (const { key, value } of db.bystate.getRange({ start: [state, queue, below], end: [state, queue], reverse: true })) {
    const stateSeq = (key as [string, string, number])[2];
    if (stateSeq < below) yield { stateSeq, id: value };
  }
}

function* runningEntries(db: Databases, queue: string | undefined, below: number): Generator<Entry> {
  const entries = runningTasks(db, queue)
    .map(({ id, stateSeq }) => ({ id, stateSeq }))
    .filter((entry) => entry.stateSeq < below)
    .sort((a, b) => b.stateSeq - a.stateSeq);
  yield* entries;
}



function zeroStates(): Record<TaskState, number> {
  return Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
}

/** Depth per queue, priority and state from the counters: O(queues × priorities), no scan. */
export function stats(db: Databases, now: number): Stats {
  const totals = zeroStates();
  const byQueue = new Map<string, QueueStats>();
  for (const name of queueNames(db)) {
    byQueue.set(name, { name, paused: db.queues.get(name)?.paused ?? false, states: zeroStates(), priorities: {}, oldestPendingAgeMs: null });
  }
  for (const { key, value } of db.counts.getRange()) {
    const [queue, priority, state] = key as [string, number, TaskState];
    const entry = byQueue.get(queue);
    if (!entry) continue;
    entry.states[state] += value;
    totals[state] += value;
    const byPriority = (entry.priorities[String(priority)] ??= {});
    byPriority[state] = value;
  }
  for (const entry of byQueue.values()) {
    if (entry.states.pending > 0) entry.oldestPendingAgeMs = oldestPendingAge(db, entry.name, now);
  }
  return { totals, queues: [...byQueue.values()] };
}

/** The age of the queue's task that became pending first. */
function oldestPendingAge(db: Databases, queue: string, now: number): number | null {
  const id = oldestPendingId(db, queue);
  const task = id === null ? undefined : db.tasks.get(id);
  return task ? Math.max(0, now - task.updatedAt) : null;
}

export function listQueues(db: Databases): QueueInfo[] {
  return queueNames(db).map((name) => storedQueue(db, name));
}
