/**
 * What a handler sees: the task it runs and a context for this attempt. A handler is
 * `async (task, ctx) => result`; its return value is the task's result, a throw or rejection fails
 * the attempt.
 */
import type { WireTask } from '../protocol/messages.ts';
import type { Logger } from '../log/logger.ts';

/** The task a handler runs, with its payload typed as the handler expects. */
export type HandlerTask<Payload = unknown> = Omit<WireTask, 'payload'> & { payload: Payload };

export interface HandlerContext {
  /**
   * Fires when this attempt must stop: its timeout passed, its cancellation was requested, its
   * lease was lost or the worker is stopping. `signal.reason` is a TaskAbortedError saying which.
   * Pass it on (fetch, timers, child processes): once it fires, nothing the handler returns counts.
   */
  signal: AbortSignal;
  /** Reports how far along the task is (0 to 1); latest value wins; never rejects. */
  progress(fraction: number, message?: string | null): Promise<void>;
  /** The worker's logger, with the task's id, type and attempt on every line. */
  log: Logger;
  /** This attempt's number, from 1. */
  attempt: number;
  /** The lease's fencing token. */
  token: number;
  taskId: string;
  type: string;
  queue: string;
  workerId: string;
  /** Epoch ms at which this attempt times out. */
  deadline: number;
}

// `any` so a map of handlers with differently typed payloads is assignable to Handlers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler<Payload = any, Result = unknown> = (task: HandlerTask<Payload>, ctx: HandlerContext) => Result | Promise<Result>;

/** Task type -> handler. */
export type Handlers = Record<string, Handler>;

/** Why an attempt was stopped before its handler finished. */
export type AbortReason = 'timeout' | 'cancelled' | 'lease-lost' | 'stopping';

/**
 * Thrown by a handler when retrying cannot help (a malformed payload, a refused request): the task
 * goes to the dead-letter queue at once, whatever its retries left. Recognised by its name, so an
 * error made by another copy of this library counts too.
 */
export class UnrecoverableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableError';
  }
}

/** The reason of a handler's aborted signal. */
export class TaskAbortedError extends Error {
  readonly reason: AbortReason;

  constructor(reason: AbortReason, message: string) {
    super(message);
    this.name = reason === 'timeout' ? 'TimeoutError' : 'AbortError';
    this.reason = reason;
  }
}
