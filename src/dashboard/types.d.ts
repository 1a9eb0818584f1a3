/**
 * The JSON the dashboard reads from the broker's REST API and events stream (documented in
 * /api/v1/openapi.json, built from src/broker/http/schemas.ts). Types only: the page's scripts name
 * them in JSDoc; states and priority names are the model's own types.
 */
import type { Attempt as ModelAttempt, Lease, PriorityName, TaskRecord as ModelTask, TaskState } from '../model/task.ts';

export type { TaskState };

/** What dom.js h() takes as children: nodes, text, nothing, or lists of them. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** GET /api/v1/model: the queue rules, built by the broker from src/model/task.ts. */
export interface Model {
  states: TaskState[];
  finishedStates: TaskState[];
  cancellableStates: TaskState[];
  retryableStates: TaskState[];
  priorities: Record<PriorityName, number>;
  /** The source of the pattern that queue and type names match. */
  namePattern: string;
}

/** The model's attempt, its times in ISO-8601 as JSON carries them. */
export interface Attempt extends Omit<ModelAttempt, 'startedAt' | 'endedAt'> {
  startedAt: string;
  endedAt: string | null;
}

/** The fields of the model's task that JSON carries as they are. */
type PlainFields = 'id' | 'type' | 'queue' | 'priority' | 'state' | 'attempts' | 'maxRetries' | 'timeoutMs' | 'backoffBaseMs' | 'backoffCapMs' | 'idempotencyKey' | 'lastError' | 'cancelRequested' | 'progress' | 'tags';

/** A task as the REST API and the events stream send it: times in ISO-8601. */
export interface Task extends Pick<ModelTask, PlainFields> {
  /** Only when one task is read (GET /tasks/{id}). */
  payload?: unknown;
  result?: unknown;
  runAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lease: (Omit<Lease, 'expiresAt'> & { expiresAt: string }) | null;
  history: Attempt[];
}

export interface TaskPage {
  tasks: Task[];
  nextCursor: string | null;
}

/** An `event: task` of the events stream. */
export interface TaskEvent {
  change: 'created' | 'updated' | 'deleted';
  previousState: TaskState | null;
  task: Task;
}

export type StateCounts = Record<TaskState, number>;

export interface QueueStats {
  name: string;
  paused: boolean;
  states: StateCounts;
  /** priority -> state -> count */
  priorities: Record<string, Partial<StateCounts>>;
  oldestPendingAgeMs: number | null;
}

export interface Stats {
  totals: StateCounts;
  queues: QueueStats[];
}

export interface Rates {
  submitted: number;
  succeeded: number;
  failed: number;
  dead: number;
  cancelled: number;
}

export interface Sample {
  sampledAt: string;
  /** queue -> state -> count */
  depth: Record<string, Partial<StateCounts>>;
  rates: Rates;
  workers: { connected: number; slots: number; busy: number };
}

export interface StatsHistory {
  intervalMs: number;
  samples: Sample[];
}

/** An `event: stats` of the events stream. */
export interface StatsEvent {
  stats: Stats;
  sample: Sample;
}

export interface Worker {
  id: string;
  name: string;
  host?: string;
  pid?: number;
  queues: string[];
  concurrency: number;
  running: number;
  connected: boolean;
  connectedAt: string;
  lastHeartbeatAt: string | null;
  cpu: number | null;
  memoryBytes: number | null;
}

export interface Queue {
  name: string;
  paused: boolean;
}

export interface BulkOutcome {
  count: number;
  more: boolean;
}

export interface WorkerList {
  workers: Worker[];
}
