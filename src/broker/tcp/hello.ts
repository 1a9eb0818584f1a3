/**
 * What a hello may say: a version this broker speaks, a role the protocol knows, and for a worker
 * an id, queue names and a concurrency within bounds. Anything else is refused by name.
 */
import { TqError } from '../../model/errors.ts';
import { checkName } from '../../model/task.ts';
import { PROTOCOL_VERSION, type Role, type WireError } from '../../protocol/messages.ts';

const ROLES: readonly Role[] = ['client', 'worker'];
/** The worker CLI's own bound (src/worker/options.ts). */
export const MAX_WORKER_CONCURRENCY = 10_000;
export const MAX_WORKER_ID_CHARS = 256;
export const MAX_WORKER_QUEUES = 256;
/** name and host are shown in `tq workers` and logged. */
const MAX_LABEL_CHARS = 256;

/** Why this hello is refused, as the error frame to send, or null when it is good. */
export function helloProblem(hello: Record<string, unknown>): WireError | null {
  if (hello.version !== PROTOCOL_VERSION) {
    return { code: 'UNSUPPORTED_VERSION', message: `this broker speaks tq protocol version ${PROTOCOL_VERSION}; the peer ${hello.version === undefined || hello.version === null ? 'named no version' : `speaks ${preview(hello.version)}`}: use matching tq versions` };
  }
  const bad = (message: string): WireError => ({ code: 'INVALID_ARGUMENT', message: `bad hello: ${message}` });
  if (!ROLES.includes(hello.role as Role)) return bad(`role ${preview(hello.role)} is unknown: use ${ROLES.join(' or ')}`);
  for (const field of ['name', 'host'] as const) {
    const value = hello[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || value.length > MAX_LABEL_CHARS)) return bad(`${field} must be a string of at most ${MAX_LABEL_CHARS} characters`);
  }
  if (hello.pid !== undefined && hello.pid !== null && (!Number.isSafeInteger(hello.pid) || (hello.pid as number) < 0)) return bad(`pid must be a non-negative integer`);
  if (hello.apiKey !== undefined && hello.apiKey !== null && typeof hello.apiKey !== 'string') return bad('apiKey must be a string');
  if (hello.role !== 'worker') return null;
  const worker = hello.worker as Record<string, unknown> | undefined;
  if (worker === null || typeof worker !== 'object' || Array.isArray(worker)) return bad('a worker hello needs worker: {id, queues, concurrency}');
  if (typeof worker.id !== 'string' || worker.id.length === 0 || worker.id.length > MAX_WORKER_ID_CHARS) {
    return bad(`worker.id must be a string of 1 to ${MAX_WORKER_ID_CHARS} characters (got ${preview(worker.id)})`);
  }
  const queues = worker.queues;
  if (!Array.isArray(queues) || queues.length === 0 || queues.length > MAX_WORKER_QUEUES) return bad(`worker.queues must list 1 to ${MAX_WORKER_QUEUES} queue names`);
  for (const [index, queue] of queues.entries()) {
    try {
      checkName('queue', queue);
    } catch (error) {
      return bad(`worker.queues[${index}]: ${(error as TqError).message}`);
    }
  }
  const concurrency = worker.concurrency;
  if (!Number.isSafeInteger(concurrency) || (concurrency as number) < 1 || (concurrency as number) > MAX_WORKER_CONCURRENCY) {
    return bad(`worker.concurrency must be an integer from 1 to ${MAX_WORKER_CONCURRENCY} (got ${preview(concurrency)})`);
  }
  return null;
}

/** A value as an error message may quote it: short, whatever its size. */
function preview(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text;
}
