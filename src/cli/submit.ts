/**
 * `tq submit`: a task from flags, or many from a JSON-lines batch file. Everything is checked here
 * before anything is sent, so a bad flag or a bad line submits nothing.
 */
import { parseDuration } from '../config/duration.ts';
import { TqError } from '../model/errors.ts';
import { checkInteger, checkName, MAX_RETRIES_LIMIT, MAX_TAGS, parsePriority } from '../model/task.ts';
import type { TaskInput } from '../protocol/messages.ts';
import { CliError } from './errors.ts';
import { parseJson, readInput } from './input.ts';

export interface SubmitFlags {
  type?: string;
  payload?: string;
  'payload-file'?: string;
  queue?: string;
  priority?: string;
  delay?: string;
  at?: string;
  'max-retries'?: number;
  timeout?: string;
  'idempotency-key'?: string;
  tag?: string[];
}

/** Runs a check from the engine, turning its error into one that names where the value came from. */
function checked<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof TqError) throw new CliError(`${where}: ${error.message}`);
    throw error;
  }
}

export function parseTime(text: string, where: string): number {
  const ms = /^\d{4}-\d\d-\d\d/.test(text.trim()) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new CliError(`${where} ${JSON.stringify(text)} is not an ISO-8601 time: use e.g. 2026-12-01T09:00:00Z`);
  return ms;
}

export async function taskFromFlags(flags: SubmitFlags): Promise<TaskInput> {
  if (flags.type === undefined) throw new CliError('--type is required: name the task type, e.g. --type echo (or use --batch-file)', { exit: 2 });
  const task: TaskInput = { type: checked('--type', () => checkName('type', flags.type)) };
  if (flags.payload !== undefined) {
    task.payload = parseJson(flags.payload, '--payload', `: quote it for the shell, e.g. --payload '{"hello":"world"}'`);
  } else if (flags['payload-file'] !== undefined) {
    const file = flags['payload-file'];
    task.payload = parseJson(await readInput(file, '--payload-file'), `--payload-file ${file === '-' ? '(stdin)' : file}`);
  }
  if (flags.queue !== undefined) task.queue = checked('--queue', () => checkName('queue', flags.queue));
  if (flags.priority !== undefined) task.priority = checked('--priority', () => parsePriority(flags.priority));
  if (flags.delay !== undefined) task.delayMs = checked('--delay', () => parseDuration(flags.delay!, '--delay'));
  if (flags.at !== undefined) task.runAt = parseTime(flags.at, '--at');
  if (flags['max-retries'] !== undefined) task.maxRetries = checked('--max-retries', () => checkInteger('value', flags['max-retries'], 0, MAX_RETRIES_LIMIT));
  if (flags.timeout !== undefined) task.timeoutMs = checked('--timeout', () => positive(parseDuration(flags.timeout!, '--timeout'), 'the timeout'));
  if (flags['idempotency-key'] !== undefined) task.idempotencyKey = flags['idempotency-key'];
  if (flags.tag !== undefined && flags.tag.length > 0) {
    if (flags.tag.length > MAX_TAGS) throw new CliError(`--tag: at most ${MAX_TAGS} tags per task`);
    task.tags = flags.tag;
  }
  return task;
}

function positive(ms: number, what: string): number {
  if (ms <= 0) throw new TqError('INVALID_ARGUMENT', `${what} must be more than 0`);
  return ms;
}

const BATCH_FIELDS = ['type', 'payload', 'queue', 'priority', 'delayMs', 'delay', 'runAt', 'at', 'maxRetries', 'timeoutMs', 'timeout', 'idempotencyKey', 'tags'];

/**
 * One task per line: {"type": ..., "payload": ..., "queue", "priority", "delayMs" or "delay": "30s",
 * "runAt" (epoch ms or ISO-8601) or "at", "maxRetries", "timeoutMs" or "timeout", "idempotencyKey",
 * "tags"}. Blank lines are skipped. The first bad line fails the whole batch, naming its number.
 */
export function parseBatch(text: string, source: string): TaskInput[] {
  const tasks: TaskInput[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${source} line ${i + 1}`;
    const value = parseJson(line, where);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${where}: expected a JSON object such as {"type":"echo","payload":{}}`);
    tasks.push(batchTask(value as Record<string, unknown>, where));
  }
  if (tasks.length === 0) throw new CliError(`${source} holds no tasks: write one JSON object per line, e.g. {"type":"echo","payload":{"n":1}}`);
  return tasks;
}

function batchTask(raw: Record<string, unknown>, where: string): TaskInput {
  for (const key of Object.keys(raw)) {
    if (!BATCH_FIELDS.includes(key)) throw new CliError(`${where}: unknown field ${JSON.stringify(key)}: use ${BATCH_FIELDS.join(', ')}`);
  }
  const at = (field: string) => `${where}: ${field}`;
  const task: TaskInput = { type: checked(where, () => checkName('type', raw.type)) };
  if (raw.payload !== undefined) task.payload = raw.payload;
  if (raw.queue !== undefined && raw.queue !== null) task.queue = checked(where, () => checkName('queue', raw.queue));
  if (raw.priority !== undefined && raw.priority !== null) task.priority = checked(where, () => parsePriority(raw.priority));
  if (raw.delayMs !== undefined && raw.delay !== undefined) throw new CliError(`${where}: give delayMs or delay, not both`);
  if ([raw.delayMs ?? raw.delay, raw.runAt ?? raw.at].every((value) => value !== undefined)) throw new CliError(`${where}: give a delay or a run time, not both`);
  if (raw.delayMs !== undefined) task.delayMs = checked(where, () => checkInteger('delayMs', raw.delayMs, 0, Number.MAX_SAFE_INTEGER));
  if (raw.delay !== undefined) task.delayMs = checked(where, () => parseDuration(raw.delay as string, 'delay'));
  const runAt = raw.runAt ?? raw.at;
  if (runAt !== undefined && runAt !== null) {
    if (typeof runAt === 'number') task.runAt = checked(where, () => checkInteger('runAt', runAt, 0, Number.MAX_SAFE_INTEGER));
    else if (typeof runAt === 'string') task.runAt = parseTime(runAt, at(raw.runAt !== undefined ? 'runAt' : 'at'));
    else throw new CliError(`${at('runAt')} must be epoch milliseconds or an ISO-8601 string`);
  }
  if (raw.maxRetries !== undefined) task.maxRetries = checked(where, () => checkInteger('maxRetries', raw.maxRetries, 0, MAX_RETRIES_LIMIT));
  if (raw.timeoutMs !== undefined) task.timeoutMs = checked(where, () => checkInteger('timeoutMs', raw.timeoutMs, 1, Number.MAX_SAFE_INTEGER));
  if (raw.timeout !== undefined) task.timeoutMs = checked(where, () => positive(parseDuration(raw.timeout as string, 'timeout'), 'timeout'));
  if (raw.idempotencyKey !== undefined && raw.idempotencyKey !== null) {
    if (typeof raw.idempotencyKey !== 'string' || raw.idempotencyKey === '') throw new CliError(`${at('idempotencyKey')} must be a non-empty string`);
    task.idempotencyKey = raw.idempotencyKey;
  }
  if (raw.tags !== undefined) {
    if (!Array.isArray(raw.tags) || !raw.tags.every((tag) => typeof tag === 'string') || raw.tags.length > MAX_TAGS) {
      throw new CliError(`${at('tags')} must be a list of at most ${MAX_TAGS} strings`);
    }
    task.tags = raw.tags;
  }
  return task;
}

/** Splits a batch so each submit stays well under the broker's per-submit bounds (count and bytes). */
export function chunkBatch(tasks: TaskInput[], maxTasks = 5_000, maxBytes = 16 * 1024 * 1024): TaskInput[][] {
  const chunks: TaskInput[][] = [];
  let current: TaskInput[] = [];
  let bytes = 0;
  for (const task of tasks) {
    const size = approximateSize(task.payload);
    if (current.length > 0 && (current.length >= maxTasks || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(task);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function approximateSize(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (value instanceof Uint8Array) return value.byteLength;
  return Buffer.byteLength(JSON.stringify(value, (_key, item) => (item instanceof Uint8Array ? 'x'.repeat(item.byteLength) : item)) ?? '');
}
