/** `tq cancel` and `tq retry` of many tasks: a filter or --all, confirmed with --yes. */
import { Flags } from '@oclif/core';
import type { TaskFilter } from '../model/bulk.ts';
import { TASK_STATES, type TaskState } from '../model/task.ts';
import { usageError } from './errors.ts';

export const bulkFlags = {
  queue: Flags.string({ char: 'q', description: 'every task of this queue (instead of an id)' }),
  state: Flags.option({ char: 's', description: 'every task in this state (instead of an id)', options: TASK_STATES })(),
  type: Flags.string({ char: 't', description: 'every task of this type (instead of an id)' }),
  all: Flags.boolean({ description: 'every task (instead of an id)' }),
  yes: Flags.boolean({ char: 'y', description: 'confirm a change of many tasks (required with a filter or --all: there is no prompt)', default: false }),
};

export interface BulkFlags {
  queue?: string;
  state?: TaskState;
  type?: string;
  all?: boolean;
  yes: boolean;
}

/** The one task named, or the many a filter or --all names once --yes confirms them; else a usage error. */
export function bulkTarget(verb: 'cancel' | 'retry', id: string | undefined, flags: BulkFlags): { id: string } | { many: TaskFilter | 'all' } {
  const filter: TaskFilter = {};
  if (flags.queue !== undefined) filter.queue = flags.queue;
  if (flags.state !== undefined) filter.state = flags.state;
  if (flags.type !== undefined) filter.type = flags.type;
  const filtered = Object.keys(filter).length > 0;
  if (id !== undefined) {
    if (filtered || flags.all) throw usageError('name one task id, or many tasks with --queue/--state/--type or --all, not both');
    return { id };
  }
  if (filtered && flags.all) throw usageError('--all means every task: leave out --queue, --state and --type, or --all');
  if (!filtered && !flags.all) throw usageError(`name the task to ${verb} by id, or many with --queue/--state/--type, or every task with --all`);
  if (!flags.yes) throw usageError(`this would ${verb} ${flags.all ? 'every task' : 'every task that matches'}: add --yes to confirm`);
  return { many: flags.all ? 'all' : filter };
}
