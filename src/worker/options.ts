/** What a TqWorker is given, checked and completed with defaults. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Address, DEFAULT_BROKER, parseAddress } from '../client/address.ts';
import { invalid } from '../model/errors.ts';
import { checkName } from '../model/task.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { BUILTIN_HANDLERS } from './builtins.ts';
import { withBuiltins } from './handlers.ts';
import type { Handler, Handlers } from './types.ts';

export const DEFAULT_CONCURRENCY = 10;
const MAX_CONCURRENCY = 10_000;
export const DEFAULT_GRACE_MS = 30_000;

export interface WorkerOptions {
  /** `host:port`; default TQ_BROKER, else 127.0.0.1:7070. */
  broker?: string | Address;
  /** Queues to take tasks from (default `['default']`). */
  queues?: string[];
  /** Tasks run at once (default 10). */
  concurrency?: number;
  /** Task type -> handler; replaces built-ins of the same name. */
  handlers?: Handlers;
  /** Offer the built-in handlers echo, sleep and fail; default true. */
  builtins?: boolean;
  /**
   * Offer the built-in exec handler, which runs the command a task's payload names; default
   * false, since anyone who can submit a task could then run commands on this machine.
   */
  allowExec?: boolean;
  /** Shown by `tq workers`; default the host name. */
  name?: string;
  /** Stable for the life of the process; default `host:pid:random`. */
  id?: string;
  apiKey?: string | null;
  /** Default: warnings and errors as JSON lines on stdout. */
  log?: Logger;
  /** Grace for running tasks when stop() is called without one (default 30 s). */
  graceMs?: number;
}

export interface WorkerStats {
  /** Handlers whose code has not returned (slots taken). */
  running: number;
  /** Outcomes not yet taken by the broker. */
  unreported: number;
  connected: boolean;
}

export interface WorkerSettings {
  address: Address;
  queues: string[];
  concurrency: number;
  graceMs: number;
  id: string;
  name: string;
  apiKey: string | null;
  log: Logger;
  handlers: Map<string, Handler>;
}

/** Checks the options (throwing INVALID_ARGUMENT) and fills in the defaults. */
export function workerSettings(options: WorkerOptions): WorkerSettings {
  const queues = options.queues ?? ['default'];
  if (!Array.isArray(queues) || queues.length === 0) throw invalid('a worker needs at least one queue');
  for (const queue of queues) checkName('queue', queue);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw invalid(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY} (got ${JSON.stringify(concurrency)})`);
  }
  return {
    address: typeof options.broker === 'object' ? options.broker : parseAddress(options.broker ?? process.env.TQ_BROKER ?? DEFAULT_BROKER),
    queues: [...new Set(queues)],
    concurrency,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    id: options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    name: options.name ?? hostname(),
    apiKey: options.apiKey ?? process.env.TQ_API_KEY ?? null,
    log: options.log ?? createLogger('worker', 'warn'),
    handlers: handlerMap(options),
  };
}

function handlerMap(options: WorkerOptions): Map<string, Handler> {
  const allowExec = options.allowExec === true;
  if (options.builtins !== false) return withBuiltins(options.handlers, allowExec);
  return new Map(Object.entries({ ...(allowExec ? { exec: BUILTIN_HANDLERS.exec! } : {}), ...options.handlers }));
}
