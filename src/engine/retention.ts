/** `purge`: finished tasks past their retention period are deleted, oldest first, bounded per call. */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { checkLimit, queueNames } from './select.ts';
import { invalid } from '../model/errors.ts';
import { checkInteger, DEFAULTS, type Retention, type TaskState } from '../model/task.ts';
import type { Txn } from './txn.ts';

export function purge(tx: Txn, command: CommandOf<'purge'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const retention: Retention = { ...DEFAULTS.retention };
  for (const [key, value] of Object.entries(command.retention ?? {}) as [keyof Retention, unknown][]) {
    if (!(key in retention)) throw invalid(`unknown retention ${JSON.stringify(key)}: use succeededMs, cancelledMs or deadMs`);
    if (value !== undefined) retention[key] = checkInteger(`retention.${key}`, value, 0, Number.MAX_SAFE_INTEGER);
  }
  const keep: [TaskState, number][] = [
    ['succeeded', retention.succeededMs],
    ['cancelled', retention.cancelledMs],
    ['dead', retention.deadMs],
  ];
  const expired: string[] = [];
  let more = false;
  for (const [state, keepMs] of keep) {
    const cutoff = tx.time - keepMs;
    for (const queue of queueNames(tx.db)) {
      // bystate keeps each queue's finished tasks in the order they finished: stop at the first young one.
      for (const { value } of tx.db.bystate.getRange({ start: [state, queue], end: [state, queue, Number.MAX_SAFE_INTEGER] })) {
        if (tx.task(value)!.finishedAt! > cutoff) break;
        if (expired.length === limit) {
          more = true;
          break;
        }
        expired.push(value);
      }
    }
  }
  for (const id of expired) tx.write(tx.task(id)!, undefined);
  return { count: expired.length, more };
}
