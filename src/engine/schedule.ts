/** `promoteDue`: scheduled tasks and failed tasks waiting out their backoff become pending when due. */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { checkLimit } from './select.ts';
import type { Txn } from './txn.ts';

export function promoteDue(tx: Txn, command: CommandOf<'promoteDue'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const due: string[] = [];
  for (const { value } of tx.db.due.getRange({ end: [tx.time + 1], limit: limit + 1 })) due.push(value);
  const todo = due.slice(0, limit);
  for (const id of todo) {
    const task = tx.task(id)!;
    tx.write(task, tx.moved(task, 'pending', { runAt: null }));
  }
  return { count: todo.length, more: due.length > todo.length };
}

/** When the next scheduled or failed task falls due, so a broker can sleep until then. */
export function nextDueAt(tx: Pick<Txn, 'db'>): number | null {
  for (const key of tx.db.due.getKeys({ limit: 1 })) return (key as [number, number])[0];
  return null;
}
