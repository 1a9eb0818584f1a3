/**
 * The engine: a deterministic state machine over LMDB. Commands are queued and applied in batches
 * (group commit): every command that arrives while a transaction is being written goes into the
 * next one, and a command's promise resolves only once the transaction holding it is on disk.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyCommand } from './apply.ts';
import type { Command, CommandKind, CommandOf, ResultOf } from './commands.ts';
import type { QueueInfo } from '../model/queue.ts';
import { TqError } from '../model/errors.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { getTask, listQueues, listTasks, stats, type ListOptions, type Page } from './reads.ts';
import { type Stats } from '../model/stats.ts';
import { nextDueAt } from './schedule.ts';
import { nextLeaseExpiry } from './lease.ts';
import { closeStore, openStore, type Store } from './store.ts';
import type { Task } from '../model/task.ts';
import { type Change, type Counters, Txn } from './txn.ts';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: TqError };

interface Group {
  commands: Command[];
  resolve: (outcomes: Outcome[]) => void;
}

/** One transaction: the groups it took and what each command came to. */
interface Batch {
  started: number;
  /** Its body ran: it took what it could from the queue. */
  filled: boolean;
  taken: Group[];
  result: [Group, Outcome[]][];
  changes: Change[];
}

/**
 * A batch this heavy or lighter (tasks submitted, other commands) commits on this thread when
 * nothing else is being written; a heavier one goes to the write thread.
 */
const SYNC_COMMIT_MAX_WEIGHT = 16;

export interface EngineOptions {
  dir: string;
  readOnly?: boolean;
  limits?: Partial<Limits>;
}

/** What a durable batch did: told to listeners after its transaction is on disk. */
export interface BatchInfo {
  commands: number;
  commitMs: number;
  /** Every change of a task, in order. */
  changes: Change[];
}

export type BatchListener = (info: BatchInfo) => void;

export class Engine {
  readonly limits: Limits;
  private readonly store: Store;
  private counters: Counters;
  private readonly queue: Group[] = [];
  /** Groups before this index have been taken into a transaction. */
  private head = 0;
  /** A transaction is queued whose callback has not run yet. */
  private scheduled = false;
  /** Transactions started and not yet settled. */
  private inFlight = 0;
  private closing: Promise<void> | null = null;
  private idle: (() => void) | null = null;
  private readonly listeners = new Set<BatchListener>();

  private constructor(store: Store, limits: Limits) {
    this.store = store;
    this.limits = limits;
    this.counters = this.readCounters();
  }

  static open(options: EngineOptions): Engine {
    return new Engine(openStore({ dir: options.dir, readOnly: options.readOnly }), { ...DEFAULT_LIMITS, ...options.limits });
  }

  get dir(): string {
    return this.store.dir;
  }

  /** The format version in the meta database, or null before the first write. */
  get formatVersion(): number | null {
    return this.store.db.meta.get('format') ?? null;
  }

  /** The time of the last command applied: the engine's clock never goes back past it. */
  get lastTime(): number {
    return this.counters.lastTime;
  }

  /**
   * Calls `listener` after every durable batch with the changes it made, in commit order; nothing
   * reaches a listener before it is on disk. Returns a function that removes the listener.
   */
  onCommitted(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one command once durable; rejects with its TqError if it failed. */
  async execute<K extends CommandKind>(command: CommandOf<K>): Promise<ResultOf[K]> {
    const [outcome] = await this.applyBatch([command]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.value as ResultOf[K];
  }

  /**
   * Applies commands in order, in the same transaction as any others waiting, and resolves once
   * that transaction is flushed. A command that fails validation fails alone.
   */
  applyBatch(commands: Command[]): Promise<Outcome[]> {
    if (this.store.readOnly) return Promise.resolve(commands.map(() => failed(new TqError('READ_ONLY', 'this data directory is open read-only'))));
    if (this.closing) return Promise.resolve(commands.map(() => failed(new TqError('CLOSED', 'the engine is closing'))));
    return new Promise((resolve) => {
      this.queue.push({ commands, resolve });
      this.kick();
    });
  }

  /**
   * Makes sure a write transaction will take what is queued. When nothing is being written, a
   * microtask later (so a submit and the claim it enables go together) a small batch commits right
   * here with transactionSync: cheaper and sooner than a hop to lmdb-js's write thread. Otherwise,
   * or for a big batch, a child transaction's callback runs on this thread when the write thread
   * opens it and takes everything queued by then; its commit and fdatasync run on the write
   * thread, so this thread goes on reading requests meanwhile. Commands that arrive after a
   * callback has run go into the next transaction.
   */
  private kick(): void {
    if (this.scheduled || this.head === this.queue.length) return;
    this.scheduled = true;
    this.inFlight++;
    const batch: Batch = { started: performance.now(), filled: false, taken: [], result: [], changes: [] };
    if (this.inFlight === 1) queueMicrotask(() => this.commitHere(batch));
    else this.commitOnWriteThread(batch);
  }

  private commitHere(batch: Batch): void {
    if (this.queuedWeight(SYNC_COMMIT_MAX_WEIGHT + 1) > SYNC_COMMIT_MAX_WEIGHT) {
      this.commitOnWriteThread(batch);
      return;
    }
    // Durable when it returns: LMDB fdatasyncs the data pages, then writes the meta page through
    // its O_DSYNC descriptor, all inside transactionSync (strace shows it), so no flush to await.
    // (`env.flushed` follows lmdb-js's asynchronous writes and says nothing about this commit.)
    this.settle(batch, attempt(() => this.store.env.transactionSync(() => this.fill(batch))), false);
  }

  private commitOnWriteThread(batch: Batch): void {
    // A child transaction: if the callback throws, its writes are rolled back, not committed.
    this.settle(batch, attempt(() => this.store.env.childTransaction(() => this.fill(batch))), true);
  }

  /** The transaction's body: takes queued groups (up to the batch limits) and applies them. */
  private fill(batch: Batch): void {
    this.scheduled = false;
    batch.filled = true;
    const tx = new Txn(this.store.db, this.counters, this.listeners.size > 0);
    let weight = 0;
    while (this.head < this.queue.length && weight < this.limits.maxBatchTasks && tx.bytes < this.limits.maxBatchBytes) {
      // Taken off the queue before it is applied: if it throws, it fails with this transaction.
      const group = this.queue[this.head++]!;
      batch.taken.push(group);
      batch.result.push([group, group.commands.map((command) => this.applyOne(tx, command))]);
      for (const command of group.commands) weight += weightOf(command);
    }
    this.compactQueue();
    tx.finish();
    batch.changes = tx.changes ?? [];
    if (this.head < this.queue.length) queueMicrotask(() => this.kick());
  }

  /** Resolves the batch's groups once its commit is on disk, or fails them all if it was rolled back. */
  private settle(batch: Batch, committed: Promise<unknown>, awaitFlush: boolean): void {
    committed
      .then(async () => {
        // lmdb-js syncs an asynchronous commit before it resolves; `flushed` also covers any later flush it may defer.
        if (awaitFlush) await this.store.env.flushed;
        return null;
      })
      .then(
        (ok) => ok,
        (error: unknown) => error ?? new Error('rolled back'),
      )
      .then((error) => {
        // Counted out before the groups resolve, so the commands their callers send next may commit here.
        this.inFlight--;
        try {
          if (error === null) this.resolve(batch);
          else this.fail(batch, error);
        } finally {
          this.kick();
          if (this.inFlight === 0 && !this.scheduled) this.idle?.();
        }
      });
  }

  /**
   * Rolled back: every group of this transaction fails. The counters in memory stay ahead of the
   * stored ones, so a sequence number or fencing token is skipped, never reused. A transaction
   * that could not even start (its body never ran) fails everything queued, which would otherwise
   * wait for a transaction that cannot come.
   */
  private fail(batch: Batch, error: unknown): void {
    const outcome = failed(storageError(error));
    if (!batch.filled) {
      this.scheduled = false;
      batch.taken.push(...this.queue.slice(this.head));
      this.head = this.queue.length;
      this.compactQueue();
    }
    for (const group of batch.taken) group.resolve(group.commands.map(() => outcome));
  }

  private resolve(batch: Batch): void {
    for (const [group, outcomes] of batch.result) group.resolve(outcomes);
    if (this.listeners.size === 0) return;
    const commands = batch.result.reduce((sum, [group]) => sum + group.commands.length, 0);
    const info = { commands, commitMs: performance.now() - batch.started, changes: batch.changes };
    for (const listener of this.listeners) listener(info);
  }

  /** The weight of the queued commands, counted up to `cap`. */
  private queuedWeight(cap: number): number {
    let weight = 0;
    for (let i = this.head; i < this.queue.length && weight < cap; i++) {
      for (const command of this.queue[i]!.commands) weight += weightOf(command);
    }
    return weight;
  }

  /** Drops taken groups from the front of the queue once they are many: no Array.shift per group. */
  private compactQueue(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1_024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private applyOne(tx: Txn, command: Command): Outcome {
    try {
      return { ok: true, value: applyCommand(tx, command, this.limits) };
    } catch (error) {
      if (error instanceof TqError) return failed(error);
      throw error; // not a validation failure: abort the whole transaction rather than keep half a command
    }
  }

  private readCounters(): Counters {
    const meta = this.store.db.meta;
    return { lastTime: meta.get('lastTime') ?? 0, seq: meta.get('seq') ?? 0, token: meta.get('token') ?? 0 };
  }

  get(id: string): Task {
    return getTask(this.store.db, id);
  }

  list(options?: ListOptions): Page {
    return listTasks(this.store.db, options);
  }

  stats(now: number): Stats {
    return stats(this.store.db, now);
  }

  queues(): QueueInfo[] {
    return listQueues(this.store.db);
  }

  /** When the next scheduled or failed task falls due, or null. */
  nextDueAt(): number | null {
    return nextDueAt(this.store);
  }

  /** When the soonest lease runs out, or null. */
  nextLeaseExpiry(): number | null {
    return nextLeaseExpiry(this.store);
  }

  /** A consistent copy of the data into an empty directory, while the engine keeps running. */
  async backup(dir: string): Promise<void> {
    if (existsSync(join(dir, 'data.mdb'))) throw new TqError('INVALID_ARGUMENT', `${dir} already holds tq data: back up into an empty directory`);
    mkdirSync(dir, { recursive: true });
    await this.store.env.backup(dir, true);
  }

  /** Applies what is queued, then closes LMDB. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      await closeStore(this.store);
    })();
    return this.closing;
  }
}

function weightOf(command: Command): number {
  return command?.kind === 'submit' && Array.isArray(command.tasks) ? command.tasks.length : 1;
}

/** What `start` returns, as a promise; a synchronous throw becomes a rejection. */
function attempt(start: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(start());
  } catch (error) {
    return Promise.reject(error);
  }
}

function failed(error: TqError): Outcome {
  return { ok: false, error };
}

function storageError(error: unknown): TqError {
  const message = error instanceof Error ? error.message : String(error);
  if (/MDB_MAP_FULL|ENOSPC|No space left/i.test(message)) {
    return new TqError('STORAGE_FULL', `the data directory is full (${message}): free disk space; reads still work`);
  }
  return new TqError('STORAGE_ERROR', `the write failed and was rolled back: ${message}`);
}
