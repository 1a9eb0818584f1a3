/**
 * One attempt of one task on this worker: the handler run under a timeout and an abort signal,
 * and the outcome to report. The first thing that ends the attempt wins (the handler's return or
 * throw, the timeout, a cancellation, a lost lease, the worker stopping); whatever the handler does
 * after that is ignored.
 *
 * Two things end separately: the attempt's *outcome* (decided once, then reported to the broker)
 * and the handler's *promise* (settled when the handler's code returns). The worker's slot is held
 * until the promise settles, so a handler that ignores its abort signal keeps its slot: the
 * worker's concurrency stays a true bound on what runs in the process.
 */
import { formatDuration } from '../config/duration.ts';
import type { Logger } from '../log/logger.ts';
import type { WireTask } from '../protocol/messages.ts';
import { type AbortReason, type Handler, type HandlerContext, TaskAbortedError } from './types.ts';

/** What to tell the broker about an attempt; null: nothing (the lease is gone). */
export type Outcome = { op: 'ack'; result: unknown } | { op: 'nack'; error: string; retry?: false } | { op: 'release' } | null;

/** running: the handler has the task; reporting: the outcome is on its way to the broker; done. */
export type JobPhase = 'running' | 'reporting' | 'done';

export interface JobEvents {
  /** The attempt's outcome is known (once per job). */
  decided(job: Job, outcome: Outcome, cause: AbortReason | 'returned' | 'threw'): void;
  /** The handler's promise settled (once per job that ran); the slot is free. */
  settled(job: Job): void;
}

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Job {
  readonly task: WireTask;
  readonly token: number;
  readonly startedAt = Date.now();
  phase: JobPhase = 'running';
  /** The handler's promise settled (or it never ran). */
  settled = false;
  /** Why the attempt was stopped early, if it was. */
  abortedBy: AbortReason | null = null;
  private readonly controller = new AbortController();
  private readonly events: JobEvents;
  private timer: NodeJS.Timeout | null = null;

  constructor(task: WireTask, token: number, events: JobEvents) {
    this.task = task;
    this.token = token;
    this.events = events;
  }

  get id(): string {
    return this.task.id;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get deadline(): number {
    return this.startedAt + this.task.timeoutMs;
  }

  /** Runs the handler; its result or error becomes the outcome unless something ends the attempt first. */
  run(handler: Handler, ctx: HandlerContext): void {
    const timeoutMs = this.task.timeoutMs;
    this.timer = setTimeout(() => this.abort('timeout', `timed out after ${formatDuration(timeoutMs)} (the task's timeout)`), Math.min(Math.max(timeoutMs, 1), MAX_TIMER_MS));
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(handler({ ...this.task, payload: this.task.payload ?? null }, ctx));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (result) => {
        this.settle();
        this.decide({ op: 'ack', result: result === undefined ? null : result }, 'returned');
      },
      (error: unknown) => {
        this.settle();
        const unrecoverable = error instanceof Error && error.name === 'UnrecoverableError';
        this.decide(unrecoverable ? { op: 'nack', error: errorText(error), retry: false } : { op: 'nack', error: errorText(error) }, 'threw');
      },
    );
  }

  /** Ends the attempt without running anything (no handler, or a task the worker cannot take). */
  refuse(outcome: Outcome): void {
    this.settled = true;
    this.decide(outcome, 'threw');
  }

  /**
   * Stops the attempt: decides its outcome now, then fires the handler's signal. Timeout and
   * cancellation fail the attempt (a cancelled task ends `cancelled` whatever is reported); a lost
   * lease reports nothing; a stopping worker hands the task back.
   */
  abort(reason: AbortReason, message: string): void {
    if (this.phase !== 'running') return;
    this.abortedBy = reason;
    const outcome: Outcome =
      reason === 'timeout' ? { op: 'nack', error: message }
      : reason === 'cancelled' ? { op: 'nack', error: message }
      : reason === 'stopping' ? { op: 'release' }
      : null;
    this.decide(outcome, reason);
    this.controller.abort(new TaskAbortedError(reason, message));
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimer();
    this.events.settled(this);
  }

  private decide(outcome: Outcome, cause: AbortReason | 'returned' | 'threw'): void {
    if (this.phase !== 'running') return;
    this.clearTimer();
    this.phase = outcome ? 'reporting' : 'done';
    this.events.decided(this, outcome, cause);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A thrown value as one error text for the task's history: `TypeError: x is not a function`. */
/** A handler this long past its abort without returning gets one warning. */
const IGNORED_ABORT_WARN_MS = 5_000;

/** Warns once if a stopped job's handler has still not returned after IGNORED_ABORT_WARN_MS. */
export function warnIfAbortIgnored(job: Job, log: Logger): void {
  setTimeout(() => {
    if (job.settled) return;
    log.warn('a handler ignores its abort signal: its slot stays taken until it returns', {
      task: job.id,
      type: job.task.type,
      abortedBy: job.abortedBy,
    });
  }, IGNORED_ABORT_WARN_MS).unref();
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message || 'failed';
    return error.name && error.name !== 'Error' && !message.startsWith(error.name) ? `${error.name}: ${message}` : message;
  }
  if (typeof error === 'string') return error || 'failed';
  try {
    return `threw ${JSON.stringify(error)}`;
  } catch {
    return `threw ${String(error)}`;
  }
}
