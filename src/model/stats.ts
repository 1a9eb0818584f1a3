/** Depth per queue, priority and state. */
import type { TaskState } from './task.ts';

export interface QueueStats {
  name: string;
  paused: boolean;
  /** Tasks by state, all priorities together. */
  states: Record<TaskState, number>;
  /** Tasks by priority, then state; only priorities that hold a task appear. */
  priorities: Record<string, Partial<Record<TaskState, number>>>;
  /** Age in ms of the pending task that became ready first, or null when none is pending. */
  oldestPendingAgeMs: number | null;
}

export interface Stats {
  totals: Record<TaskState, number>;
  queues: QueueStats[];
}
