/**
 * The messages of tq's wire protocol (docs/protocol.md). Every message is a msgpack map with a
 * `t` field naming its kind. Requests carry an `id` that their response repeats, so requests
 * pipeline on one connection and responses may come back in any order.
 */
import type { BulkOutcome, TaskFilter } from '../model/bulk.ts';
import type { HeartbeatOutcome, LeaseRef } from '../model/lease.ts';
import type { QueueInfo, QueueSettingsPatch } from '../model/queue.ts';
import type { Stats } from '../model/stats.ts';
import type { TaskDataFieldName, WireFieldName } from '../model/task-fields.ts';
import type { TaskRecord, TaskState } from '../model/task.ts';

export const PROTOCOL_VERSION = 2;

export type Role = 'client' | 'worker';

/** The first frame a peer sends. */
export interface Hello {
  t: 'hello';
  version: number;
  name: string;
  role: Role;
  host: string;
  pid: number;
  apiKey?: string | null;
  worker?: WorkerHello;
}

export interface WorkerHello {
  /** Stable across reconnects of one worker process, so the broker can re-attach its leases. */
  id: string;
  queues: string[];
  concurrency: number;
}

export interface Welcome {
  t: 'welcome';
  version: number;
  broker: string;
  time: number;
  limits: { maxFrameBytes: number; maxPayloadBytes: number; leaseMs: number };
}

export interface Request<O extends Op = Op> {
  t: 'req';
  id: number;
  op: O;
  args: Ops[O]['args'];
}

export interface WireError {
  code: string;
  message: string;
  /** The request argument at fault (`tasks[0].queue`), on INVALID_ARGUMENT when one is. */
  field?: string;
}

export type Response =
  | { t: 'res'; id: number; ok: true; value: unknown }
  | { t: 'res'; id: number; ok: false; error: WireError };

/** A connection-level error; the broker closes the connection after sending it. */
export interface ErrorFrame {
  t: 'error';
  code: string;
  message: string;
}

/** Worker -> broker: `n` more slots are free. */
export interface Credit {
  t: 'credit';
  n: number;
}

/** Broker -> worker: tasks to run, each under a lease. */
export interface TasksPush {
  t: 'tasks';
  tasks: WireTask[];
}

/** Broker -> worker: stop these tasks, their cancellation was requested. */
export interface CancelPush {
  t: 'cancel';
  ids: string[];
}

export type ClientMessage = Hello | Request | Credit;
export type BrokerMessage = Welcome | Response | ErrorFrame | TasksPush | CancelPush;

/**
 * A task as every interface shows it: the fields model/task-fields.ts marks `wire`. Times are
 * epoch milliseconds on the wire. Payload and result are absent from listings and submit answers:
 * `get` the task for them.
 */
export interface WireTask extends Pick<TaskRecord, WireFieldName>, Partial<Record<TaskDataFieldName, unknown>> {}

/** What a submitter gives for one task; the broker assigns the id and fills in defaults. */
export interface TaskInput {
  type: string;
  queue?: string;
  payload?: unknown;
  priority?: number | string;
  maxRetries?: number;
  timeoutMs?: number;
  /** Epoch ms; or use delayMs. */
  runAt?: number;
  delayMs?: number;
  idempotencyKey?: string;
  tags?: string[];
}

export interface WorkerInfo {
  id: string;
  name: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  running: number;
  connected: boolean;
  connectedAt: number;
  lastHeartbeatAt: number | null;
  cpu: number | null;
  memoryBytes: number | null;
}

export interface ListArgs extends TaskFilter {
  limit?: number;
  cursor?: string | null;
}

export interface BulkArgs {
  filter?: TaskFilter;
  limit?: number;
  all?: boolean;
}

export interface HeartbeatArgs {
  leases: LeaseRef[];
  cpu?: number;
  memoryBytes?: number;
}

/** What `enqueue` answers for a task: its id and state, not the whole task. */
export interface Submitted {
  id: string;
  state: TaskState;
  /** False when an idempotency key named an existing task (whose id and state these are). */
  created: boolean;
}

/** One attempt's outcome, as `report` carries it: the arguments of ack, nack or release plus which. */
export type OutcomeReport =
  | { op: 'ack'; id: string; token: number; result?: unknown }
  | { op: 'nack'; id: string; token: number; error: string; retry?: boolean }
  | { op: 'release'; id: string; token: number };

/** Every request: its arguments and the value of a successful response. */
export interface Ops {
  submit: { args: { tasks: TaskInput[] }; result: { task: WireTask; created: boolean }[] };
  /** Submit answering receipts; with `each`, every task stands alone and a failed one answers `{error}`. */
  enqueue: { args: { tasks: TaskInput[]; each?: boolean }; result: (Submitted | { error: WireError })[] };
  get: { args: { id: string }; result: WireTask };
  wait: { args: { id: string; timeoutMs?: number }; result: WireTask };
  list: { args: ListArgs; result: { tasks: WireTask[]; nextCursor: string | null } };
  stats: { args: Record<string, never>; result: Stats };
  queues: { args: Record<string, never>; result: QueueInfo[] };
  workers: { args: Record<string, never>; result: WorkerInfo[] };
  cancel: { args: { id: string }; result: WireTask };
  retry: { args: { id: string }; result: WireTask };
  /** A change of many tasks needs a non-empty filter, or `all: true` to mean every task. */
  cancelWhere: { args: BulkArgs; result: BulkOutcome };
  retryWhere: { args: BulkArgs; result: BulkOutcome };
  dlqReplay: { args: { queue?: string; ids?: string[]; limit?: number }; result: BulkOutcome };
  /** Needs a queue, or `all: true` to purge the dead tasks of every queue. */
  dlqPurge: { args: { queue?: string; limit?: number; all?: boolean }; result: BulkOutcome };
  pauseQueue: { args: { queue: string }; result: QueueInfo };
  resumeQueue: { args: { queue: string }; result: QueueInfo };
  /** Settings given are set, nil ones reset to the default (nil counts here, inside `settings`). */
  configureQueue: { args: { queue: string; settings: QueueSettingsPatch }; result: QueueInfo };
  drainQueue: { args: { queue: string; limit?: number }; result: BulkOutcome };
  backup: { args: { dir: string }; result: { dir: string } };
  // worker operations
  ack: { args: { id: string; token: number; result?: unknown }; result: { state: TaskState } };
  /** `retry: false`: retrying cannot help, the task goes dead now. */
  nack: { args: { id: string; token: number; error: string; retry?: boolean }; result: { state: TaskState } };
  release: { args: { id: string; token: number }; result: { state: TaskState } };
  /** Many outcomes in one request, applied in one group commit; each answers in its place. */
  report: { args: { reports: OutcomeReport[] }; result: ({ state: TaskState } | { error: WireError })[] };
  progress: { args: { id: string; token: number; fraction: number; message?: string | null }; result: null };
  heartbeat: { args: HeartbeatArgs; result: HeartbeatOutcome };
}

export type Op = keyof Ops;
export const WORKER_OPS: readonly Op[] = ['ack', 'nack', 'release', 'report', 'progress', 'heartbeat'];
