/**
 * How an attempt ends: `ack` (success), `nack` (failure), a lease that expires (failure), or
 * `release` (handed back, not counted). A task whose cancellation was requested ends `cancelled`
 * whatever its worker reports.
 */
import { backoffDelayMs } from './backoff.ts';
import type { CommandOf } from './commands.ts';
import { notFound, TqError } from '../model/errors.ts';
import { encodedValue } from './submit.ts';
import { type Attempt, type TaskRecord, truncateError } from '../model/task.ts';
import { RESULT, type Txn } from './txn.ts';

/** The running task that `token` still holds, or a STALE_TOKEN error. */
export function heldTask(tx: Txn, id: string, token: number): TaskRecord {
  const task = tx.task(id);
  if (!task) throw notFound(id);
  if (task.state !== 'running' || task.lease?.token !== token) {
    throw new TqError(
      'STALE_TOKEN',
      `task ${id}: fencing token ${token} is stale (the lease expired or the task was given to another worker); drop this attempt`,
    );
  }
  return task;
}

function closeAttempt(task: TaskRecord, time: number, error: string | null): Attempt[] {
  const history = task.history.slice();
  const last = history[history.length - 1];
  if (last && last.endedAt === null) history[history.length - 1] = { ...last, endedAt: time, error };
  return history;
}

function cancelled(tx: Txn, task: TaskRecord, error: string | null): TaskRecord {
  return tx.moved(task, 'cancelled', {
    lease: null,
    finishedAt: tx.time,
    history: closeAttempt(task, tx.time, error),
    lastError: error ?? task.lastError,
  });
}

export function ack(tx: Txn, command: CommandOf<'ack'>): TaskRecord {
  const task = heldTask(tx, command.id, command.token);
  const result = encodedValue('result', command.result);
  let next: TaskRecord;
  if (task.cancelRequested) {
    next = cancelled(tx, task, null);
  } else {
    if (result) {
      tx.db.blobs.putSync([task.id, RESULT], result);
      tx.bytes += result.length;
    } else if (task.hasResult) {
      tx.db.blobs.removeSync([task.id, RESULT]); // an earlier run's result, replaced by none
    }
    next = tx.moved(task, 'succeeded', {
      lease: null,
      finishedAt: tx.time,
      hasResult: result !== null,
      history: closeAttempt(task, tx.time, null),
    });
  }
  tx.write(task, next);
  return next;
}

export function nack(tx: Txn, command: CommandOf<'nack'>): TaskRecord {
  const task = heldTask(tx, command.id, command.token);
  const error = truncateError(typeof command.error === 'string' && command.error ? command.error : 'failed');
  const next = failAttempt(tx, task, error, drawFrom(command.seed), command.retry !== false);
  tx.write(task, next);
  return next;
}

function drawFrom(seed: number): number {
  return (seed >>> 0) / 4_294_967_296;
}

/**
 * A failed attempt: cancelled if asked, dead past maxRetries or when its worker says retrying cannot
 * help (`retry` false), else failed until its backoff ends.
 */
export function failAttempt(tx: Txn, task: TaskRecord, error: string, draw: number, retry = true): TaskRecord {
  if (task.cancelRequested) return cancelled(tx, task, error);
  const history = closeAttempt(task, tx.time, error);
  if (!retry || task.attempts > task.maxRetries) {
    return tx.moved(task, 'dead', { lease: null, finishedAt: tx.time, lastError: error, history });
  }
  const runAt = tx.time + backoffDelayMs(task.attempts, task.backoffBaseMs, task.backoffCapMs, draw);
  return tx.moved(task, 'failed', { lease: null, runAt, lastError: error, history });
}

export function release(tx: Txn, command: CommandOf<'release'>): TaskRecord {
  const task = heldTask(tx, command.id, command.token);
  let next: TaskRecord;
  if (task.cancelRequested) {
    next = cancelled(tx, task, null);
  } else {
    const history = task.history.slice(0, -1);
    const startedAt = history[history.length - 1]?.startedAt ?? null;
    next = tx.moved(task, 'pending', { lease: null, attempts: task.attempts - 1, startedAt, history });
  }
  tx.write(task, next);
  return next;
}
