/**
 * Every change to the engine is one of these commands. A command carries everything that varies:
 * the time (epoch ms), the ids of new tasks and a seed for random draws (backoff jitter), so that
 * applying the same commands to the same state always gives the same state.
 */
import type { BulkOutcome, TaskFilter } from '../model/bulk.ts';
import type { HeartbeatOutcome, LeaseRef } from '../model/lease.ts';
import type { QueueInfo, QueueSettings, QueueSettingsPatch } from '../model/queue.ts';
import type { Retention, Task, TaskRecord } from '../model/task.ts';

export interface NewTask {
  id: string;
  type: string;
  queue?: string;
  /** Plain msgpack bytes (model/value.ts), encoded once where the task entered the broker. */
  payload?: Uint8Array | null;
  priority?: number | string;
  maxRetries?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Epoch ms; a time after the command's time makes the task `scheduled`. */
  runAt?: number | null;
  idempotencyKey?: string | null;
  tags?: string[];
}



/** A lease to extend to `heardAt` (default: the command's time) plus the lease length of its claim. */
export interface Renewal extends LeaseRef {
  heardAt?: number;
}

interface At {
  /** Epoch ms. The engine never goes back in time: it uses max(time, the last command's time). */
  time: number;
}

export type Command =
  | ({ kind: 'submit'; tasks: NewTask[] } & At)
  | ({ kind: 'claim'; workerId: string; queues: string[]; max: number; leaseMs: number } & At)
  | ({ kind: 'renewLeases'; leases: Renewal[] } & At)
  | ({ kind: 'progress'; id: string; token: number; fraction: number; message?: string | null } & At)
  | ({ kind: 'release'; id: string; token: number } & At)
  | ({ kind: 'ack'; id: string; token: number; result?: Uint8Array | null } & At)
  | ({ kind: 'nack'; id: string; token: number; error: string; seed: number; retry?: boolean } & At)
  | ({ kind: 'cancel'; id: string } & At)
  | ({ kind: 'cancelWhere'; filter: TaskFilter; limit: number } & At)
  | ({ kind: 'retry'; id: string } & At)
  | ({ kind: 'retryWhere'; filter: TaskFilter; limit: number } & At)
  | ({ kind: 'dlqReplay'; queue?: string; ids?: string[]; limit: number } & At)
  | ({ kind: 'dlqPurge'; queue?: string; limit: number } & At)
  | ({ kind: 'drainQueue'; queue: string; limit: number } & At)
  | ({ kind: 'pauseQueue'; queue: string } & At)
  | ({ kind: 'resumeQueue'; queue: string } & At)
  | ({ kind: 'configureQueue'; queue: string; settings: QueueSettingsPatch } & At)
  /** The broker's YAML `queues:`, applied once: a no-op when queue settings were seeded before. */
  | ({ kind: 'seedQueues'; queues: Record<string, QueueSettings> } & At)
  | ({ kind: 'promoteDue'; limit: number } & At)
  | ({ kind: 'expireLeases'; limit: number; seed: number } & At)
  | ({ kind: 'rearmLeases' } & At)
  | ({ kind: 'purge'; limit: number; retention?: Partial<Retention> } & At);

export type CommandKind = Command['kind'];
export type CommandOf<K extends CommandKind> = Extract<Command, { kind: K }>;

export interface SubmitOutcome {
  task: TaskRecord;
  /** false when an idempotency key matched an existing task, which is returned instead. */
  created: boolean;
}



export interface ResultOf {
  submit: SubmitOutcome[];
  claim: Task[];
  renewLeases: HeartbeatOutcome;
  progress: TaskRecord;
  release: TaskRecord;
  ack: TaskRecord;
  nack: TaskRecord;
  cancel: TaskRecord;
  cancelWhere: BulkOutcome;
  retry: TaskRecord;
  retryWhere: BulkOutcome;
  dlqReplay: BulkOutcome;
  dlqPurge: BulkOutcome;
  drainQueue: BulkOutcome;
  pauseQueue: QueueInfo;
  resumeQueue: QueueInfo;
  configureQueue: QueueInfo;
  seedQueues: { seeded: boolean };
  promoteDue: BulkOutcome;
  expireLeases: BulkOutcome;
  rearmLeases: BulkOutcome;
  purge: BulkOutcome;
}


