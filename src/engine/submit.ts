/** `submit`: validate every new task completely, then write them (or return the task a key names). */
import type { CommandOf, NewTask, SubmitOutcome } from './commands.ts';
import { invalid, TqError } from '../model/errors.ts';
import type { Limits } from './limits.ts';
import { QUEUE_SETTINGS, type QueueSetting, type QueueSettings } from '../model/queue.ts';
import {
  checkInteger,
  checkName,
  DEFAULTS,
  INLINE_PAYLOAD_BYTES,
  MAX_ID_CHARS,
  MAX_KEY_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  parsePriority,
  type TaskRecord,
} from '../model/task.ts';
import { idemHash, PAYLOAD, type Txn } from './txn.ts';

interface Prepared {
  record: TaskRecord;
  payload: Uint8Array | null;
  keyHash: string | null;
}

export function submit(tx: Txn, command: CommandOf<'submit'>, limits: Limits): SubmitOutcome[] {
  if (!Array.isArray(command.tasks) || command.tasks.length === 0) throw invalid('submit needs at least one task');
  if (command.tasks.length > limits.maxBatchTasks) {
    throw new TqError('TOO_LARGE', `a submit holds at most ${limits.maxBatchTasks} tasks (got ${command.tasks.length}): split it`);
  }
  const prepared: Prepared[] = [];
  let bytes = 0;
  // Each queue's settings, read once per submit however many of its tasks it holds.
  const queues = new Map<string, QueueSettings>();
  const settingsOf = (queue: string): QueueSettings => {
    let settings = queues.get(queue);
    if (settings === undefined) queues.set(queue, (settings = tx.db.queues.get(queue) ?? {}));
    return settings;
  };
  for (const task of command.tasks) {
    const item = prepare(tx, task, limits, settingsOf);
    bytes += item.record.payloadBytes;
    prepared.push(item);
  }
  if (bytes > limits.maxBatchBytes) {
    throw new TqError('TOO_LARGE', `a submit holds at most ${limits.maxBatchBytes} payload bytes (got ${bytes}): split it`);
  }
  // Decide everything before the first write: which tasks an idempotency key already names, and
  // that every task to create has an id of its own.
  const ids = new Set<string>();
  const newest = tx.newestId();
  const firstWithKey = new Map<string, number>();
  const plan: (TaskRecord | number | Prepared)[] = [];
  for (const item of prepared) {
    if (item.keyHash !== null) {
      const earlier = firstWithKey.get(item.keyHash);
      const existingId = earlier === undefined ? tx.db.idem.get(item.keyHash) : undefined;
      const existing = existingId === undefined ? undefined : tx.task(existingId);
      if (earlier !== undefined || existing) {
        plan.push(existing ?? earlier!);
        continue;
      }
      firstWithKey.set(item.keyHash, plan.length);
    }
    if (ids.has(item.record.id) || (!isAbove(item.record.id, newest) && tx.task(item.record.id))) {
      throw invalid(`task id ${item.record.id} is already taken`);
    }
    ids.add(item.record.id);
    plan.push(item);
  }
  const outcomes: SubmitOutcome[] = [];
  for (const step of plan) {
    if (typeof step === 'number') {
      outcomes.push({ task: outcomes[step]!.task, created: false });
    } else if ('keyHash' in step) {
      outcomes.push({ task: create(tx, step), created: true });
    } else {
      outcomes.push({ task: step, created: false });
    }
  }
  return outcomes;
}

/** Whether `id` sorts after `newest` in LMDB's order (byte order, which is JS order for ASCII). */
function isAbove(id: string, newest: string | null): boolean {
  return newest === null || (/^[\x20-\x7e]+$/.test(id) && id > newest);
}

function create(tx: Txn, { record, payload, keyHash }: Prepared): TaskRecord {
  const task: TaskRecord = { ...record, createdAt: tx.time, updatedAt: tx.time, seq: tx.nextSeq(), stateSeq: tx.nextSeq() };
  if (task.runAt !== null && task.runAt > tx.time) task.state = 'scheduled';
  if (payload) {
    if (payload.length > INLINE_PAYLOAD_BYTES) tx.db.blobs.putSync([task.id, PAYLOAD], payload);
    tx.bytes += payload.length;
  }
  if (keyHash !== null) tx.db.idem.putSync(keyHash, task.id);
  tx.write(undefined, task);
  tx.noteId(task.id);
  return task;
}

/** A task's own maxRetries, timeout and backoff win; else its queue's (replicated state), else the defaults. */
function prepare(tx: Txn, input: NewTask, limits: Limits, settingsOf: (queue: string) => QueueSettings): Prepared {
  if (input === null || typeof input !== 'object') throw invalid('each task must be an object');
  if (typeof input.id !== 'string' || input.id.length === 0 || input.id.length > MAX_ID_CHARS) {
    throw invalid(`task id must be a string of 1-${MAX_ID_CHARS} characters`);
  }
  const type = checkName('type', input.type);
  const queue = checkName('queue', input.queue ?? DEFAULTS.queue);
  const priority = parsePriority(input.priority);
  const own = settingsOf(queue);
  const setting = (key: QueueSetting) => checkInteger(key, input[key] ?? own[key] ?? DEFAULTS[key], QUEUE_SETTINGS[key].min, QUEUE_SETTINGS[key].max);
  const maxRetries = setting('maxRetries');
  const timeoutMs = setting('timeoutMs');
  const backoffBaseMs = setting('backoffBaseMs');
  const backoffCapMs = setting('backoffCapMs');
  const runAt = input.runAt === undefined || input.runAt === null ? null : checkInteger('runAt', input.runAt, 0, Number.MAX_SAFE_INTEGER);
  const key = input.idempotencyKey ?? null;
  if (key !== null && (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS)) {
    throw invalid(`idempotencyKey must be a string of 1-${MAX_KEY_CHARS} characters`);
  }
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.length > MAX_TAGS || tags.some((tag) => typeof tag !== 'string' || tag.length > MAX_TAG_CHARS)) {
    throw invalid(`tags must be at most ${MAX_TAGS} strings of at most ${MAX_TAG_CHARS} characters`);
  }
  const payload = encodedValue('payload', input.payload);
  const record: TaskRecord = {
    id: input.id,
    type,
    queue,
    priority,
    state: 'pending',
    attempts: 0,
    maxRetries,
    timeoutMs,
    backoffBaseMs,
    backoffCapMs,
    runAt,
    idempotencyKey: key,
    createdAt: tx.time,
    updatedAt: tx.time,
    lastError: null,
    hasResult: false,
    lease: null,
    leaseMs: 0,
    cancelRequested: false,
    startedAt: null,
    finishedAt: null,
    progress: null,
    history: [],
    tags: [...tags],
    seq: 0,
    stateSeq: 0,
    payloadBytes: payload?.length ?? 0,
    inlinePayload: payload && payload.length <= INLINE_PAYLOAD_BYTES ? payload : null,
  };
  return { record, payload, keyHash: key === null ? null : idemHash(key) };
}

/** A payload or result as a command carries it: plain msgpack bytes, encoded where it entered the broker. */
export function encodedValue(what: 'payload' | 'result', value: Uint8Array | null | undefined): Uint8Array | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array)) throw invalid(`${what} must arrive encoded (plain msgpack bytes)`);
  return value;
}
