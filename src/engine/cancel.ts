/**
 * `cancel`: pending, scheduled and failed tasks end at once; a running task keeps running with
 * `cancelRequested` until its worker reports, then ends `cancelled` whatever it reports.
 */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { notFound, TqError } from '../model/errors.ts';
import { checkFilter, checkLimit, selectTasks } from './select.ts';
import { CANCELLABLE_STATES, type TaskRecord } from '../model/task.ts';
import type { Txn } from './txn.ts';


export function cancel(tx: Txn, command: CommandOf<'cancel'>): TaskRecord {
  const task = tx.task(command.id);
  if (!task) throw notFound(command.id);
  if (!CANCELLABLE_STATES.includes(task.state)) {
    throw new TqError('INVALID_STATE', `task ${task.id} is ${task.state}: only pending, scheduled, failed or running tasks can be cancelled`);
  }
  return cancelOne(tx, task);
}

function cancelOne(tx: Txn, task: TaskRecord): TaskRecord {
  const next =
    task.state === 'running'
      ? { ...task, cancelRequested: true, updatedAt: tx.time }
      : tx.moved(task, 'cancelled', { finishedAt: tx.time, cancelRequested: true });
  tx.write(task, next);
  return next;
}

export function cancelWhere(tx: Txn, command: CommandOf<'cancelWhere'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const filter = checkFilter(command.filter);
  const found = selectTasks(tx.db, CANCELLABLE_STATES, filter, limit + 1, (task) => !task.cancelRequested);
  const todo = found.slice(0, limit);
  for (const task of todo) cancelOne(tx, task);
  return { count: todo.length, more: found.length > todo.length };
}
