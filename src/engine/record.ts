/**
 * How a task record is stored: a msgpack array in a fixed field order. Field names are not
 * repeated in every value (they were two thirds of a record), and decoding builds one object
 * with no per-value schema. Adding a field means appending it here and bumping FORMAT_VERSION.
 */
import { Packr } from 'msgpackr';
import type { Attempt, Lease, Progress, TaskRecord, TaskState } from '../model/task.ts';

const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true, copyBuffers: true } as ConstructorParameters<typeof Packr>[0]);

function leaseToArray(lease: Lease | null): unknown {
  return lease && [lease.workerId, lease.token, lease.expiresAt];
}

function progressToArray(progress: Progress | null): unknown {
  return progress && [progress.fraction, progress.message];
}

function attemptToArray(attempt: Attempt): unknown[] {
  return [attempt.attempt, attempt.workerId, attempt.startedAt, attempt.endedAt, attempt.error];
}

export function encodeRecord(task: TaskRecord): Buffer {
  return packr.pack([
    task.id,
    task.type,
    task.queue,
    task.priority,
    task.state,
    task.attempts,
    task.maxRetries,
    task.timeoutMs,
    task.backoffBaseMs,
    task.backoffCapMs,
    task.runAt,
    task.idempotencyKey,
    task.createdAt,
    task.updatedAt,
    task.lastError,
    task.hasResult,
    leaseToArray(task.lease),
    task.leaseMs,
    task.cancelRequested,
    task.startedAt,
    task.finishedAt,
    progressToArray(task.progress),
    task.history.map(attemptToArray),
    task.tags,
    task.seq,
    task.stateSeq,
    task.payloadBytes,
    task.inlinePayload,
  ]);
}

export function decodeRecord(bytes: Buffer): TaskRecord {
  const f = packr.unpack(bytes) as unknown[];
  const lease = f[16] as [string, number, number] | null;
  const progress = f[21] as [number, string | null] | null;
  return {
    id: f[0] as string,
    type: f[1] as string,
    queue: f[2] as string,
    priority: f[3] as number,
    state: f[4] as TaskState,
    attempts: f[5] as number,
    maxRetries: f[6] as number,
    timeoutMs: f[7] as number,
    backoffBaseMs: f[8] as number,
    backoffCapMs: f[9] as number,
    runAt: f[10] as number | null,
    idempotencyKey: f[11] as string | null,
    createdAt: f[12] as number,
    updatedAt: f[13] as number,
    lastError: f[14] as string | null,
    hasResult: f[15] as boolean,
    lease: lease && { workerId: lease[0], token: lease[1], expiresAt: lease[2] },
    leaseMs: f[17] as number,
    cancelRequested: f[18] as boolean,
    startedAt: f[19] as number | null,
    finishedAt: f[20] as number | null,
    progress: progress && { fraction: progress[0], message: progress[1] },
    history: (f[22] as [number, string, number, number | null, string | null][]).map(([attempt, workerId, startedAt, endedAt, error]) => ({
      attempt,
      workerId,
      startedAt,
      endedAt,
      error,
    })),
    tags: f[23] as string[],
    seq: f[24] as number,
    stateSeq: f[25] as number,
    payloadBytes: f[26] as number,
    inlinePayload: (f[27] as Buffer | null) ?? null,
  };
}

/** The `encoder` option lmdb-js takes for a database. */
export const recordEncoding = { encode: encodeRecord, decode: decodeRecord };
