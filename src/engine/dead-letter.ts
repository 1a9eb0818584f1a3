/** The dead-letter queue: tasks that used up their retries. Replay puts them back; purge deletes them. */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { invalid, notFound, TqError } from '../model/errors.ts';
import { requeue, requeueWhere } from './retry.ts';
import { checkLimit, checkFilter, selectTasks } from './select.ts';
import type { Txn } from './txn.ts';

export function dlqReplay(tx: Txn, command: CommandOf<'dlqReplay'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  if (command.ids === undefined) return requeueWhere(tx, ['dead'], checkFilter({ queue: command.queue }), limit);
  if (!Array.isArray(command.ids) || command.ids.length > limit) throw invalid(`ids must be a list of at most ${limit} task ids`);
  const tasks = [...new Set(command.ids)].map((id) => {
    const task = tx.task(id);
    if (!task) throw notFound(id);
    if (task.state !== 'dead') throw new TqError('INVALID_STATE', `task ${id} is ${task.state}, not dead: it is not in the dead-letter queue`);
    return task;
  });
  for (const task of tasks) requeue(tx, task);
  return { count: tasks.length, more: false };
}

export function dlqPurge(tx: Txn, command: CommandOf<'dlqPurge'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const found = selectTasks(tx.db, ['dead'], checkFilter({ queue: command.queue }), limit + 1);
  const todo = found.slice(0, limit);
  for (const task of todo) tx.write(task, undefined);
  return { count: todo.length, more: found.length > todo.length };
}
