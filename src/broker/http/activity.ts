/**
 * What the engine's durable batches mean for people watching: each change of a task read once
 * into outcomes (submitted, succeeded, ...), queue waits, run times and events, then handed to
 * whoever listens (metrics, the live events stream, the stats history). Everything here comes from
 * the pipeline's onCommitted, so nothing is told before it is on disk.
 */
import type { BatchInfo, Pipeline } from '../pipeline.ts';
import type { TaskRecord, TaskState } from '../../model/task.ts';
import type { Change } from '../../engine/txn.ts';

export const OUTCOMES = ['submitted', 'succeeded', 'failed', 'dead', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A change worth telling a watcher: created, deleted, a new state, a cancel request or progress. */
export interface TaskEvent {
  change: 'created' | 'updated' | 'deleted';
  previousState: TaskState | null;
  /** The task after the change (before it, for a deletion). */
  task: TaskRecord;
}

export interface Observed {
  commands: number;
  commitMs: number;
  events: TaskEvent[];
  outcomes: { outcome: Outcome; task: TaskRecord }[];
  /** Time from ready (pending) to started, per attempt. */
  waits: { task: TaskRecord; ms: number }[];
  /** Time an attempt ran, from its start to its end. */
  runs: { task: TaskRecord; ms: number }[];
}

const INTO_STATE: Partial<Record<TaskState, Outcome>> = { succeeded: 'succeeded', failed: 'failed', dead: 'dead', cancelled: 'cancelled' };

export function observe(info: BatchInfo): Observed {
  const observed: Observed = { commands: info.commands, commitMs: info.commitMs, events: [], outcomes: [], waits: [], runs: [] };
  for (const change of info.changes) read(change, observed);
  return observed;
}

function read({ before, after }: Change, into: Observed): void {
  if (!after) {
    if (before) into.events.push({ change: 'deleted', previousState: before.state, task: before });
    return;
  }
  if (!before) {
    into.outcomes.push({ outcome: 'submitted', task: after });
    into.events.push({ change: 'created', previousState: null, task: after });
    return;
  }
  if (before.state !== after.state) {
    const outcome = INTO_STATE[after.state];
    if (outcome) into.outcomes.push({ outcome, task: after });
    if (before.state === 'pending' && after.state === 'running' && after.startedAt !== null) {
      // A pending task's updatedAt is when it became ready (submit, promotion, retry, release).
      into.waits.push({ task: after, ms: Math.max(0, after.startedAt - before.updatedAt) });
    }
    if (before.state === 'running' && after.state !== 'pending') {
      const attempt = after.history[after.history.length - 1];
      if (attempt && attempt.endedAt !== null) into.runs.push({ task: after, ms: Math.max(0, attempt.endedAt - attempt.startedAt) });
    }
    into.events.push({ change: 'updated', previousState: before.state, task: after });
    return;
  }
  if (before.cancelRequested !== after.cancelRequested || before.progress?.fraction !== after.progress?.fraction || before.progress?.message !== after.progress?.message) {
    into.events.push({ change: 'updated', previousState: before.state, task: after });
  }
}

export type ActivityListener = (observed: Observed) => void;

/** One engine listener for the HTTP server; keeps running totals of each outcome for rates. */
export class Activity {
  readonly totals: Record<Outcome, number> = { submitted: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0 };
  private readonly listeners = new Set<ActivityListener>();
  private readonly unsubscribe: () => void;

  constructor(pipeline: Pipeline) {
    this.unsubscribe = pipeline.onCommitted((info) => this.batch(info));
  }

  on(listener: ActivityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private batch(info: BatchInfo): void {
    const observed = observe(info);
    for (const { outcome } of observed.outcomes) this.totals[outcome]++;
    for (const listener of this.listeners) listener(observed);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
