/**
 * TqClient: the TypeScript client library, and what the CLI uses to talk to a broker. Concurrent
 * calls share one connection and are pipelined; the connection comes back after a broker restart.
 */
import type { BulkOutcome, TaskFilter } from '../model/bulk.ts';
import type { QueueInfo, QueueSettingsPatch } from '../model/queue.ts';
import type { Stats } from '../model/stats.ts';
import { FINISHED_STATES } from '../model/task.ts';
import { RemoteError } from '../protocol/errors.ts';
import type { BulkArgs, ListArgs, Op, Ops, Submitted, TaskInput, WireTask, WorkerInfo } from '../protocol/messages.ts';
import { type Address, DEFAULT_BROKER, parseAddress } from './address.ts';
import { Connection } from './connection.ts';

export interface ClientOptions {
  /** `host:port`; default TQ_BROKER, else 127.0.0.1:7070. */
  broker?: string | Address;
  name?: string;
  apiKey?: string | null;
  /** Reconnect after the broker goes away (default true). The CLI turns it off to fail fast. */
  reconnect?: boolean;
  connectTimeoutMs?: number;
  /** Per-request time limit, none by default. */
  requestTimeoutMs?: number;
}

/**
 * Leaves out fields set to undefined (in args, a filter, settings and each task), so they are
 * absent on the wire: in settings, a null resets and an absent field stays as it is.
 */
function withoutUndefined<T>(args: T): T {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  let copy: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(args)) {
    const clean = key === 'filter' || key === 'settings' ? withoutUndefined(value) : key === 'tasks' && Array.isArray(value) ? value.map(withoutUndefined) : value;
    if (value === undefined || clean !== value) copy ??= { ...(args as Record<string, unknown>) };
    if (copy === null) continue;
    if (value === undefined) delete copy[key];
    else copy[key] = clean;
  }
  return (copy ?? args) as T;
}

/** The broker applies at most this many tasks per submit; submitMany splits bigger lists. */
const SUBMIT_CHUNK = 10_000;

interface Gathered {
  task: TaskInput;
  resolve: (receipt: Submitted) => void;
  reject: (error: Error) => void;
}

export class TqClient {
  private readonly connection: Connection;
  private readonly requestTimeoutMs: number | undefined;
  /** Submits made in this turn of the event loop: they leave together as one request. */
  private gathered: Gathered[] = [];

  private constructor(connection: Connection, requestTimeoutMs: number | undefined) {
    this.connection = connection;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /** Connects and completes the handshake; rejects with an UNAVAILABLE RemoteError if it can't (when reconnect is off). */
  static async connect(options: ClientOptions = {}): Promise<TqClient> {
    const address = typeof options.broker === 'object' ? options.broker : parseAddress(options.broker ?? process.env.TQ_BROKER ?? DEFAULT_BROKER);
    const connection = new Connection({
      address,
      name: options.name ?? 'tq-client',
      role: 'client',
      apiKey: options.apiKey ?? process.env.TQ_API_KEY ?? null,
      reconnect: options.reconnect ?? true,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    await connection.whenReady();
    return new TqClient(connection, options.requestTimeoutMs);
  }

  request<O extends Op>(op: O, args: Ops[O]['args'], timeoutMs = this.requestTimeoutMs): Promise<Ops[O]['result']> {
    return this.connection.request(op, withoutUndefined(args), timeoutMs);
  }

  /**
   * Submits one task; resolves with its id and state once it is on disk (`get` reads the whole
   * task). Submits made in the same turn of the event loop travel in one request, yet each stands
   * alone: one that fails rejects by itself.
   */
  submit(task: TaskInput): Promise<Submitted> {
    return new Promise((resolve, reject) => {
      if (this.gathered.length === 0) process.nextTick(() => this.sendGathered());
      this.gathered.push({ task, resolve, reject });
    });
  }

  private sendGathered(): void {
    const gathered = this.gathered;
    this.gathered = [];
    for (let start = 0; start < gathered.length; start += SUBMIT_CHUNK) this.sendEach(gathered.slice(start, start + SUBMIT_CHUNK));
  }

  private sendEach(chunk: Gathered[]): void {
    this.request('enqueue', { tasks: chunk.map((entry) => entry.task), each: true }).then(
      (answers) =>
        chunk.forEach((entry, i) => {
          const answer = answers[i];
          if (answer && 'error' in answer) entry.reject(new RemoteError(answer.error.code, answer.error.message));
          else if (answer) entry.resolve(answer);
          else entry.reject(new RemoteError('INTERNAL', 'the broker answered fewer tasks than were submitted'));
        }),
      (error: Error) => {
        // Together they make a frame over the broker's limit: halve until each fits or stands alone.
        if (chunk.length > 1 && (error as RemoteError).code === 'TOO_LARGE') {
          const half = Math.ceil(chunk.length / 2);
          this.sendEach(chunk.slice(0, half));
          this.sendEach(chunk.slice(half));
        } else chunk.forEach((entry) => entry.reject(error));
      },
    );
  }

  /**
   * Submits many tasks, all or none (in chunks of 10,000, each its own transaction); each entry
   * says whether it was created or matched an idempotency key.
   */
  async submitMany(tasks: TaskInput[]): Promise<Submitted[]> {
    const chunks: Promise<Ops['enqueue']['result']>[] = [];
    for (let start = 0; start < tasks.length; start += SUBMIT_CHUNK) {
      chunks.push(this.request('enqueue', { tasks: tasks.slice(start, start + SUBMIT_CHUNK) }));
    }
    return (await Promise.all(chunks)).flat() as Submitted[];
  }

  get(id: string): Promise<WireTask> {
    return this.request('get', { id });
  }

  /** Resolves when the task has finished (succeeded, dead or cancelled); rejects with TIMEOUT after `timeoutMs`. */
  async wait(id: string, options: { timeoutMs?: number } = {}): Promise<WireTask> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new RemoteError('TIMEOUT', `task ${id} did not finish within ${options.timeoutMs} ms`);
      const task = await this.request('wait', { id, timeoutMs: Math.min(left, 60_000) }, Math.min(left, 60_000) + 30_000);
      if (FINISHED_STATES.includes(task.state)) return task;
    }
  }

  cancel(id: string): Promise<WireTask> {
    return this.request('cancel', { id });
  }

  retry(id: string): Promise<WireTask> {
    return this.request('retry', { id });
  }

  list(args: ListArgs = {}): Promise<{ tasks: WireTask[]; nextCursor: string | null }> {
    return this.request('list', args);
  }

  stats(): Promise<Stats> {
    return this.request('stats', {});
  }

  queues(): Promise<QueueInfo[]> {
    return this.request('queues', {});
  }

  workers(): Promise<WorkerInfo[]> {
    return this.request('workers', {});
  }

  /** Cancels up to `limit` tasks the filter matches; `'all'` means every task (an empty filter is refused). */
  cancelWhere(filter: TaskFilter | 'all', limit?: number): Promise<BulkOutcome> {
    return this.request('cancelWhere', bulkArgs(filter, limit));
  }

  /** Retries up to `limit` failed, dead or cancelled tasks the filter matches; `'all'` means every one. */
  retryWhere(filter: TaskFilter | 'all', limit?: number): Promise<BulkOutcome> {
    return this.request('retryWhere', bulkArgs(filter, limit));
  }

  dlqReplay(options: { queue?: string; ids?: string[]; limit?: number } = {}): Promise<BulkOutcome> {
    return this.request('dlqReplay', options);
  }

  /** Deletes dead tasks of `queue`, or of every queue with `all: true` (one of them is required). */
  dlqPurge(options: Ops['dlqPurge']['args']): Promise<BulkOutcome> {
    return this.request('dlqPurge', options);
  }

  pauseQueue(queue: string): Promise<QueueInfo> {
    return this.request('pauseQueue', { queue });
  }

  resumeQueue(queue: string): Promise<QueueInfo> {
    return this.request('resumeQueue', { queue });
  }

  /**
   * Changes a queue's settings for the tasks submitted to it from now on: a field given is set,
   * one given as null goes back to the default, one left out stays. Answers the queue's settings.
   */
  configureQueue(queue: string, settings: QueueSettingsPatch): Promise<QueueInfo> {
    return this.request('configureQueue', { queue, settings });
  }

  drainQueue(queue: string, limit?: number): Promise<BulkOutcome> {
    return this.request('drainQueue', { queue, limit });
  }

  backup(dir: string): Promise<{ dir: string }> {
    return this.request('backup', { dir });
  }

  close(): void {
    this.connection.close();
  }
}

function bulkArgs(filter: TaskFilter | 'all', limit: number | undefined): BulkArgs {
  return filter === 'all' ? { all: true, limit } : { filter, limit };
}
