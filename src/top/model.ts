/**
 * What `tq top` knows, apart from the screen: it polls a broker (stats, workers, the latest
 * failures) once per interval, derives rates from successive snapshots, follows the connection
 * (live, or reconnecting while polls fail) and carries out the screen's actions (pause, resume,
 * replay). No terminal here: the Ink app and the non-TTY snapshot both read TopData.
 */
import type { BulkOutcome } from '../model/bulk.ts';
import type { QueueInfo } from '../model/queue.ts';
import type { QueueStats, Stats } from '../model/stats.ts';
import type { TaskState } from '../model/task.ts';
import type { ListArgs, WireTask, WorkerInfo } from '../protocol/messages.ts';
import { type QueueRates, type Rates, RateTracker } from './rates.ts';

/** The part of TqClient that `tq top` uses (a TqClient is one). */
export interface TopSource {
  stats(): Promise<Stats>;
  workers(): Promise<WorkerInfo[]>;
  list(args: ListArgs): Promise<{ tasks: WireTask[]; nextCursor: string | null }>;
  pauseQueue(queue: string): Promise<QueueInfo>;
  resumeQueue(queue: string): Promise<QueueInfo>;
  dlqReplay(options: { queue?: string; limit?: number }): Promise<BulkOutcome>;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface TopData {
  connection: ConnectionState;
  /** Since when (epoch ms) the connection has been in that state. */
  since: number;
  /** Why the latest poll failed, while not live. */
  error: string | null;
  /** When the data below was fetched (epoch ms), null before the first poll answered. */
  updatedAt: number | null;
  stats: Stats | null;
  workers: WorkerInfo[];
  /** Failed (will retry) and dead tasks, the latest failure first. */
  failures: WireTask[];
  rates: Map<string, QueueRates>;
  totalRates: Rates | null;
}

/** How many of the latest failed and of the latest dead tasks each poll lists. */
export const FAILURE_LIMIT = 50;

/** Tasks waiting for their turn or running: the queue's depth (finished states excluded). */
export const DEPTH_STATES: TaskState[] = ['waiting', 'scheduled', 'pending', 'running', 'failed'];

export function depth(states: Partial<Record<TaskState, number>>): number {
  return DEPTH_STATES.reduce((sum, state) => sum + (states[state] ?? 0), 0);
}

/** When a failed or dead task last failed. */
export function failedAt(task: WireTask): number {
  return task.state === 'dead' ? (task.finishedAt ?? task.updatedAt) : task.updatedAt;
}

/** Queues whose name contains `filter`, ignoring case; all of them for an empty filter. */
export function filterQueues(queues: QueueStats[], filter: string): QueueStats[] {
  const needle = filter.trim().toLowerCase();
  return needle === '' ? queues : queues.filter((queue) => queue.name.toLowerCase().includes(needle));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UNAVAILABLE' || code === 'TIMEOUT';
}

export interface TopModelOptions {
  intervalMs: number;
  /** A poll that takes longer than this counts as failed (default: 2 intervals, at least 5 s). */
  pollTimeoutMs?: number;
  now?: () => number;
}

export class TopModel {
  private readonly source: TopSource;
  private readonly intervalMs: number;
  private readonly pollTimeoutMs: number;
  private readonly now: () => number;
  private readonly tracker = new RateTracker();
  private readonly listeners = new Set<() => void>();
  private data: TopData;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private polling: Promise<void> | null = null;
  /** Bumped per poll, so the answer of a poll that timed out does not overwrite a newer one. */
  private generation = 0;

  constructor(source: TopSource, options: TopModelOptions) {
    this.source = source;
    this.intervalMs = options.intervalMs;
    this.pollTimeoutMs = options.pollTimeoutMs ?? Math.max(5_000, 2 * options.intervalMs);
    this.now = options.now ?? Date.now;
    this.data = { connection: 'connecting', since: this.now(), error: null, updatedAt: null, stats: null, workers: [], failures: [], rates: new Map(), totalRates: null };
  }

  /** The current data; a new object after every change (for useSyncExternalStore). */
  readonly getState = (): TopData => this.data;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Polls now, then once per interval after each poll ends, until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Polls at once, unless a poll is already under way (then that one's outcome will do). */
  refresh(): Promise<void> {
    return this.polling ?? this.poll();
  }

  /** Polls once the poll under way (which may have started before an action) has ended. */
  private refreshAfterAction(): void {
    void (this.polling ?? Promise.resolve()).then(() => this.poll());
  }

  private async loop(): Promise<void> {
    if (!this.running) return;
    await this.refresh();
    if (!this.running) return;
    this.timer = setTimeout(() => void this.loop(), this.intervalMs);
  }

  /** One poll: every read in parallel; the state changes once, when all answered or one failed. */
  poll(): Promise<void> {
    const generation = ++this.generation;
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(Object.assign(new Error(`the broker did not answer within ${this.pollTimeoutMs} ms`), { code: 'TIMEOUT' })), this.pollTimeoutMs);
    });
    const reads = Promise.all([
      this.source.stats(),
      this.source.workers(),
      this.source.list({ state: 'failed', limit: FAILURE_LIMIT }),
      this.source.list({ state: 'dead', limit: FAILURE_LIMIT }),
    ]);
    reads.catch(() => undefined); // a poll that timed out may still fail later: nobody waits for it
    const done = Promise.race([reads, deadline]).then(
      ([stats, workers, failed, dead]) => {
        if (generation !== this.generation) return;
        const at = this.now();
        this.tracker.add(stats, at);
        const names = stats.queues.map((queue) => queue.name);
        const failures = [...failed.tasks, ...dead.tasks].sort((a, b) => failedAt(b) - failedAt(a));
        this.set({
          connection: 'live',
          since: this.data.connection === 'live' ? this.data.since : at,
          error: null,
          updatedAt: at,
          stats,
          workers,
          failures,
          rates: new Map(names.map((name) => [name, this.tracker.rates(name)])),
          totalRates: this.tracker.total(names),
        });
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        // Not a lost connection (a bug, a refused request): say so, and keep polling.
        const connection = isConnectionError(error) ? (this.data.updatedAt === null ? 'connecting' : 'reconnecting') : this.data.connection;
        this.set({ ...this.data, connection, since: connection === this.data.connection ? this.data.since : this.now(), error: message(error) });
      },
    );
    const tracked: Promise<void> = done.finally(() => {
      clearTimeout(timeout);
      if (this.polling === tracked) this.polling = null;
    });
    this.polling = tracked;
    return tracked;
  }

  private set(data: TopData): void {
    this.data = data;
    for (const listener of this.listeners) listener();
  }

  /** Pauses or resumes a queue; resolves with a line for the screen. Refuses while not connected. */
  async setPaused(queue: string, paused: boolean): Promise<string> {
    this.requireLive();
    const info = paused ? await this.source.pauseQueue(queue) : await this.source.resumeQueue(queue);
    this.refreshAfterAction();
    return info.paused ? `paused ${info.name}: workers get none of its tasks until you resume it (p)` : `resumed ${info.name}`;
  }

  /** Replays every dead task of a queue (bounded batches until none is left). */
  async replayDead(queue: string): Promise<string> {
    this.requireLive();
    let count = 0;
    for (;;) {
      const outcome = await this.source.dlqReplay({ queue });
      count += outcome.count;
      if (!outcome.more || outcome.count === 0) break;
    }
    this.refreshAfterAction();
    return count === 0 ? `no dead tasks in ${queue}` : `replayed ${count} dead task${count === 1 ? '' : 's'} of ${queue}: pending again`;
  }

  private requireLive(): void {
    if (this.data.connection !== 'live') {
      throw new Error('not connected to the broker: try again once it is back');
    }
  }
}
