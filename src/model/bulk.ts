/** Changes and listings over many tasks: which tasks, how many at most, and what came of it. */
import type { TaskState } from './task.ts';

/** The most tasks one bulk command changes; `more` in its outcome says whether another call is needed. */
export const BULK_LIMIT_MAX = 10_000;

/** The most tasks one page of a listing holds. */
export const MAX_PAGE = 1_000;

export interface TaskFilter {
  queue?: string;
  state?: TaskState;
  type?: string;
}

/** A bounded bulk change: `more` says whether another call would find more to do. */
export interface BulkOutcome {
  count: number;
  more: boolean;
}
