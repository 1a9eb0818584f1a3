/** The task model: fields, states, priorities, defaults and the rules for names. */
import { invalid } from './errors.ts';
import type { TaskDataFieldName } from './task-fields.ts';

export const TASK_STATES = [
  'waiting',
  'scheduled',
  'pending',
  'running',
  'succeeded',
  'failed',
  'dead',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States a task never leaves on its own: only retention, retry, replay or a purge touch it. */
export const FINISHED_STATES: readonly TaskState[] = ['succeeded', 'dead', 'cancelled'];

/** States `cancel` accepts: a running task keeps running with `cancelRequested` until its worker reports. */
export const CANCELLABLE_STATES: readonly TaskState[] = ['waiting', 'scheduled', 'pending', 'failed', 'running'];

/** States `retry` accepts: the task goes back to pending with its attempts reset. */
export const RETRYABLE_STATES: readonly TaskState[] = ['dead', 'failed', 'cancelled'];

export const PRIORITY_NAMES = { low: 50, normal: 100, high: 150, urgent: 200 } as const;
export type PriorityName = keyof typeof PRIORITY_NAMES;

export const DEFAULTS = {
  queue: 'default',
  priority: PRIORITY_NAMES.normal,
  maxRetries: 3,
  backoffBaseMs: 1_000,
  backoffCapMs: 3_600_000,
  timeoutMs: 30 * 60_000,
  leaseMs: 30_000,
  retention: {
    succeededMs: 24 * 3_600_000,
    cancelledMs: 24 * 3_600_000,
    deadMs: 7 * 24 * 3_600_000,
  },
} as const;

export type Retention = { succeededMs: number; cancelledMs: number; deadMs: number };

/** Payloads up to this size live inside the task record, saving a write and a read per task. */
export const INLINE_PAYLOAD_BYTES = 256;

/** At most this many attempts are kept in a task's history (the newest). */
export const MAX_HISTORY = 10;
export const MAX_TAGS = 32;
export const MAX_ERROR_CHARS = 8_192;
export const MAX_RETRIES_LIMIT = 1_000;
/** Task ids are the broker's UUIDv7s (36 characters); this bound leaves room and keeps keys short. */
export const MAX_ID_CHARS = 64;
export const MAX_KEY_CHARS = 1_024;
export const MAX_TAG_CHARS = 128;

export interface Lease {
  workerId: string;
  token: number;
  expiresAt: number;
}

export interface Attempt {
  attempt: number;
  workerId: string;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
}

export interface Progress {
  fraction: number;
  message: string | null;
}

/**
 * The record kept in the `tasks` database; payload and result live apart (see store.ts). Where each
 * field is stored, whether clients see it and its schema: model/task-fields.ts, which must name
 * every field of this interface (the compiler checks).
 */
export interface TaskRecord {
  id: string;
  type: string;
  queue: string;
  priority: number;
  state: TaskState;
  attempts: number;
  maxRetries: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  runAt: number | null;
  idempotencyKey: string | null;
  createdAt: number;
  updatedAt: number;
  lastError: string | null;
  hasResult: boolean;
  lease: Lease | null;
  /** Lease duration granted at the last claim; heartbeats and re-arming extend by this much. */
  leaseMs: number;
  cancelRequested: boolean;
  startedAt: number | null;
  finishedAt: number | null;
  progress: Progress | null;
  history: Attempt[];
  tags: string[];
  /** Engine sequence at creation. */
  seq: number;
  /** Engine sequence at the last change of state: orders the ready queue, listings and retention. */
  stateSeq: number;
  payloadBytes: number;
  /** A small payload (plain msgpack, at most INLINE_PAYLOAD_BYTES) kept in the record itself. */
  inlinePayload: Uint8Array | null;
}

/** A task with its payload and result, as readers and workers see it. */
export interface Task extends TaskRecord, Record<TaskDataFieldName, unknown> {}

/** Queue and type names: LMDB keys hold them, so they are short and plain. */
export const NAME_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkName(kind: 'queue' | 'type', name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw invalid(`${kind} name ${JSON.stringify(name)} is invalid: use 1-128 characters from A-Z a-z 0-9 . _ : -`);
  }
  return name;
}

/** Accepts `urgent`, `high`, `normal`, `low`, an integer 0-255, or its decimal string. */
export function parsePriority(value: unknown): number {
  if (value === undefined || value === null) return DEFAULTS.priority;
  if (typeof value === 'string') {
    if (value in PRIORITY_NAMES) return PRIORITY_NAMES[value as PriorityName];
    if (/^\d{1,3}$/.test(value)) return parsePriority(Number(value));
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  throw invalid(`priority ${JSON.stringify(value)} is invalid: use urgent, high, normal, low or an integer 0-255`);
}

export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function truncateError(message: string): string {
  return message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
}
