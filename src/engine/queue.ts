/** Queue administration: pause and resume claiming, drain pending tasks. */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { type QueueInfo } from '../model/queue.ts';
import { checkFilter, checkLimit, selectTasks } from './select.ts';
import { checkName } from '../model/task.ts';
import type { Txn } from './txn.ts';

export function setPaused(tx: Txn, queue: string, paused: boolean): QueueInfo {
  checkName('queue', queue);
  tx.db.queues.putSync(queue, { paused });
  return { name: queue, paused };
}

/** Deletes a queue's pending tasks (not running, scheduled or finished ones), bounded per call. */
export function drainQueue(tx: Txn, command: CommandOf<'drainQueue'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const found = selectTasks(tx.db, ['pending'], checkFilter({ queue: checkName('queue', command.queue) }), limit + 1);
  const todo = found.slice(0, limit);
  for (const task of todo) tx.write(task, undefined);
  return { count: todo.length, more: found.length > todo.length };
}
