/** Finding tasks by state, queue and type through the indexes, for bulk commands and listings. */
import type { TaskFilter } from '../model/bulk.ts';
import { invalid } from '../model/errors.ts';
import { merged } from './merge.ts';
import { pendingRanges } from './pending.ts';
import type { Databases } from './store.ts';
import { checkInteger, checkName, TASK_STATES, type TaskRecord, type TaskState } from '../model/task.ts';

export function queueNames(db: Databases): string[] {
  return [...db.queues.getKeys()] as string[];
}

export function checkLimit(limit: unknown, max: number): number {
  return checkInteger('limit', limit, 1, max);
}

export function checkFilter(filter: TaskFilter | undefined): TaskFilter {
  if (filter === undefined || filter === null) return {};
  if (typeof filter !== 'object') throw invalid('filter must be an object with queue, state or type');
  if (filter.queue !== undefined) checkName('queue', filter.queue);
  if (filter.type !== undefined) checkName('type', filter.type);
  if (filter.state !== undefined && !TASK_STATES.includes(filter.state)) {
    throw invalid(`state ${JSON.stringify(filter.state)} is invalid: use one of ${TASK_STATES.join(', ')}`);
  }
  return filter;
}

/**
 * Up to `limit` tasks in `states` matching the filter, oldest state change first. The ids are
 * collected before the caller changes anything, so no index is modified while it is being read.
 */
export function selectTasks(
  db: Databases,
  states: readonly TaskState[],
  filter: TaskFilter,
  limit: number,
  where: (task: TaskRecord) => boolean = () => true,
): TaskRecord[] {
  const found: TaskRecord[] = [];
  const queues = filter.queue === undefined ? queueNames(db) : [filter.queue];
  for (const state of states) {
    if (filter.state !== undefined && filter.state !== state) continue;
    for (const queue of queues) {
      const tasks = state === 'running' ? runningTasks(db, queue) : stateTasks(db, state, queue);
      for (const task of tasks) {
        if ((filter.type !== undefined && task.type !== filter.type) || !where(task)) continue;
        found.push(task);
        if (found.length >= limit) return found;
      }
    }
  }
  return found;
}

function* stateTasks(db: Databases, state: TaskState, queue: string): Generator<TaskRecord> {
  if (state === 'pending') {
    for (const { id } of merged(pendingRanges(db, queue, 'oldest'), 'oldest')) yield db.tasks.get(id)!;
    return;
  }
  for (const { value } of db.bystate.getRange({ start: [state, queue], end: [state, queue, Number.MAX_SAFE_INTEGER] })) {
    yield db.tasks.get(value)!;
  }
}

/** Running tasks are not in `bystate`: their number is bounded by the workers' slots. */
export function runningTasks(db: Databases, queue?: string): TaskRecord[] {
  const tasks: TaskRecord[] = [];
  for (const key of db.leases.getKeys()) {
    const task = db.tasks.get((key as [number, string])[1])!;
    if (queue === undefined || task.queue === queue) tasks.push(task);
  }
  return tasks;
}
