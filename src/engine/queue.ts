/** Queue administration: pause and resume claiming, drain pending tasks, a queue's settings. */
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import { invalid } from '../model/errors.ts';
import { checkQueueSettings, QUEUE_SETTING_NAMES, queueInfo, type QueueInfo, type QueueSettingsPatch } from '../model/queue.ts';
import { checkFilter, checkLimit, selectTasks } from './select.ts';
import type { Databases, QueueRecord } from './store.ts';
import { checkName } from '../model/task.ts';
import type { Txn } from './txn.ts';

/** Set in meta once the broker's YAML has seeded the queue settings: later seeds change nothing. */
const SEEDED = 'queuesSeeded';

export function setPaused(tx: Txn, queue: string, paused: boolean): QueueInfo {
  checkName('queue', queue);
  return putQueue(tx, queue, { ...tx.db.queues.get(queue), paused });
}

/** Deletes a queue's pending tasks (not running, scheduled or finished ones), bounded per call. */
export function drainQueue(tx: Txn, command: CommandOf<'drainQueue'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const found = selectTasks(tx.db, ['pending'], checkFilter({ queue: checkName('queue', command.queue) }), limit + 1);
  const todo = found.slice(0, limit);
  for (const task of todo) tx.write(task, undefined);
  return { count: todo.length, more: found.length > todo.length };
}

/** Sets the settings given, resets those given as null; tasks submitted from now on take them. */
export function configureQueue(tx: Txn, command: CommandOf<'configureQueue'>): QueueInfo {
  const queue = checkName('queue', command.queue);
  const patch = checkQueueSettings(command.settings);
  return putQueue(tx, queue, patched(tx.db.queues.get(queue), patch));
}

/** Applies the YAML's settings unless some were seeded before, so a restart never undoes `tq queue config`. */
export function seedQueues(tx: Txn, command: CommandOf<'seedQueues'>): { seeded: boolean } {
  if (tx.db.meta.get(SEEDED) !== undefined) return { seeded: false };
  if (command.queues === null || typeof command.queues !== 'object' || Array.isArray(command.queues)) throw invalid('seedQueues needs a map of queue names to settings');
  const patches = Object.entries(command.queues).map(([name, settings]) => [checkName('queue', name), checkQueueSettings(settings, `queues.${name}.`)] as const);
  for (const [name, patch] of patches) putQueue(tx, name, patched(tx.db.queues.get(name), patch));
  tx.db.meta.putSync(SEEDED, tx.time);
  return { seeded: true };
}

function patched(stored: QueueRecord | undefined, patch: QueueSettingsPatch): QueueRecord {
  const record: QueueRecord = { ...stored, paused: stored?.paused ?? false };
  for (const key of QUEUE_SETTING_NAMES) {
    if (patch[key] === null) delete record[key];
    else if (patch[key] !== undefined) record[key] = patch[key];
  }
  return record;
}

function putQueue(tx: Txn, name: string, record: QueueRecord): QueueInfo {
  tx.db.queues.putSync(name, record);
  return queueInfo(name, record.paused, record);
}

/** A stored queue as listings show it; a queue with no record yet has every default. */
export function storedQueue(db: Databases, name: string): QueueInfo {
  const record = db.queues.get(name);
  return queueInfo(name, record?.paused ?? false, record ?? {});
}
