/** `retry` and `retryWhere`: dead, failed or cancelled tasks go back to pending with attempts reset. */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { notFound, TqError } from '../model/errors.ts';
import { checkFilter, checkLimit, selectTasks } from './select.ts';
import { RETRYABLE_STATES, type TaskRecord, type TaskState } from '../model/task.ts';
import type { Txn } from './txn.ts';


export function retry(tx: Txn, command: CommandOf<'retry'>): TaskRecord {
  const task = tx.task(command.id);
  if (!task) throw notFound(command.id);
  if (!RETRYABLE_STATES.includes(task.state)) {
    throw new TqError('INVALID_STATE', `task ${task.id} is ${task.state}: only dead, failed or cancelled tasks can be retried`);
  }
  return requeue(tx, task);
}

/** Pending again from a fresh start: attempts 0, no lease, no cancellation, no finish time. */
export function requeue(tx: Txn, task: TaskRecord): TaskRecord {
  const next = tx.moved(task, 'pending', {
    attempts: 0,
    runAt: null,
    lease: null,
    cancelRequested: false,
    finishedAt: null,
  });
  tx.write(task, next);
  return next;
}

export function retryWhere(tx: Txn, command: CommandOf<'retryWhere'>): BulkOutcome {
  return requeueWhere(tx, RETRYABLE_STATES, checkFilter(command.filter), checkLimit(command.limit, BULK_LIMIT_MAX));
}

export function requeueWhere(tx: Txn, states: readonly TaskState[], filter: CommandOf<'retryWhere'>['filter'], limit: number): BulkOutcome {
  const found = selectTasks(tx.db, states, filter, limit + 1);
  const todo = found.slice(0, limit);
  for (const task of todo) requeue(tx, task);
  return { count: todo.length, more: found.length > todo.length };
}
