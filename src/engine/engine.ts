/**
 * The engine: a deterministic state machine over LMDB. A batch of commands is applied by one
 * synchronous function inside one write transaction, which also records the batch's position
 * (the count of batches applied now; the Raft index later). The counters (time, sequence, fencing
 * token, position) are read inside that transaction and written back at its end, so a batch that
 * rolls back leaves no trace. Gathering commands into batches (group commit) is the broker's
 * pipeline (src/broker/pipeline.ts); the engine takes batches, however they were split.
 */
import { statfsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { applyCommand } from './apply.ts';
import type { Command, CommandKind, CommandOf, ResultOf } from './commands.ts';
import type { QueueInfo } from '../model/queue.ts';
import { TqError } from '../model/errors.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { getTask, listQueues, listTasks, stats, type ListOptions, type Page } from './reads.ts';
import type { Stats } from '../model/stats.ts';
import { nextDueAt } from './schedule.ts';
import { checkLeaseList, type HeldLease, leasesEndingBy, leaseStatus, nextLeaseExpiry } from './lease.ts';
import type { HeartbeatOutcome, LeaseRef } from '../model/lease.ts';
import { closeStore, openStore, type Store } from './store.ts';
import { fsReason, makeDir } from './data-file.ts';
import type { Task } from '../model/task.ts';
import { type Change, type Counters, Txn } from './txn.ts';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: TqError };

export interface EngineOptions {
  dir: string;
  readOnly?: boolean;
  limits?: Partial<Limits>;
}

/** One batch being applied inside a write transaction: commands go in, outcomes come out. */
export interface BatchWriter {
  apply(command: Command): Outcome;
  /** Payload and result bytes written so far, to bound the batch. */
  readonly bytes: number;
}

/** What a committed batch did. */
export interface Applied<T> {
  value: T;
  /** The counters the batch wrote. */
  counters: Counters;
  /** Every change of a task, in order (only when asked for). */
  changes: Change[];
  /** The batch's position: batches applied before it, plus one. */
  position: number;
}

export class Engine {
  readonly limits: Limits;
  private readonly store: Store;
  /** The counters as last committed, for readers; a write transaction reads its own from LMDB. */
  private committed: Counters;
  private closed = false;

  private constructor(store: Store, limits: Limits) {
    this.store = store;
    this.limits = limits;
    this.committed = readCounters(store);
  }

  static open(options: EngineOptions): Engine {
    return new Engine(openStore({ dir: options.dir, readOnly: options.readOnly }), { ...DEFAULT_LIMITS, ...options.limits });
  }

  get dir(): string {
    return this.store.dir;
  }

  get readOnly(): boolean {
    return this.store.readOnly;
  }

  /** The format version in the meta database, or null before the first write. */
  get formatVersion(): number | null {
    return this.store.db.meta.get('format') ?? null;
  }

  /** The time of the last command applied: the engine's clock never goes back past it. */
  get lastTime(): number {
    return this.committed.lastTime;
  }

  /** The position of the last batch applied (0 before the first). */
  get appliedPosition(): number {
    return this.committed.position;
  }

  /**
   * Applies one batch in a transaction on this thread, durable when it returns: LMDB fdatasyncs
   * the data pages, then writes the meta page through its O_DSYNC descriptor, all inside
   * transactionSync (strace shows it). Throws (and writes nothing) if the transaction fails.
   */
  writeHere<T>(body: (batch: BatchWriter) => T, recordChanges = false): Applied<T> {
    this.checkOpen();
    let applied: Applied<T> | undefined;
    this.store.env.transactionSync(() => (applied = this.fill(body, recordChanges)));
    return this.commit(applied!);
  }

  /**
   * Applies one batch in a child transaction of lmdb-js's write thread: `body` runs on this thread
   * when the write thread opens the transaction, its commit and fdatasync run there. Resolves once
   * durable; rejects (nothing written) if the body throws or the commit fails.
   */
  async writeOnThread<T>(body: (batch: BatchWriter) => T, recordChanges = false): Promise<Applied<T>> {
    this.checkOpen();
    let applied: Applied<T> | undefined;
    await this.store.env.childTransaction(() => {
      applied = this.fill(body, recordChanges);
    });
    // lmdb-js syncs an asynchronous commit before it resolves; `flushed` also covers any later flush it may defer.
    await this.store.env.flushed;
    return this.commit(applied!);
  }

  private checkOpen(): void {
    if (this.closed) throw new TqError('CLOSED', 'the engine is closed');
    if (this.store.readOnly) throw new TqError('READ_ONLY', 'this data directory is open read-only');
  }

  /** The transaction's body: fresh counters from LMDB, the batch, then counters and position written back. */
  private fill<T>(body: (batch: BatchWriter) => T, recordChanges: boolean): Applied<T> {
    const tx = new Txn(this.store.db, readCounters(this.store), recordChanges);
    const limits = this.limits;
    const writer: BatchWriter = {
      apply: (command) => applyOne(tx, command, limits),
      get bytes() {
        return tx.bytes;
      },
    };
    const value = body(writer);
    tx.counters.position++;
    tx.finish();
    return { value, counters: tx.counters, changes: tx.changes ?? [], position: tx.counters.position };
  }

  /** Batches commit in the order they were filled; readers see the counters of the newest. */
  private commit<T>(applied: Applied<T>): Applied<T> {
    if (applied.position > this.committed.position) this.committed = applied.counters;
    return applied;
  }

  /**
   * Applies commands in order as one batch, in one transaction on this thread, and resolves with
   * their outcomes once durable. A command that fails validation fails alone.
   */
  async applyBatch(commands: readonly Command[]): Promise<Outcome[]> {
    try {
      return this.writeHere((batch) => commands.map((command) => batch.apply(command))).value;
    } catch (error) {
      return commands.map(() => failed(error instanceof TqError ? error : storageError(error, this.dir)));
    }
  }

  /** Applies one command as a batch of its own; rejects with its TqError if it failed. */
  async execute<K extends CommandKind>(command: CommandOf<K>): Promise<ResultOf[K]> {
    const [outcome] = await this.applyBatch([command]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.value as ResultOf[K];
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

  /** Which of a worker's leases still hold and which were asked to cancel: a read, no write. */
  checkLeases(leases: readonly LeaseRef[]): HeartbeatOutcome {
    return leaseStatus(this.reader, checkLeaseList(leases));
  }

  /** Leases that end at or before `until`, soonest first. */
  leasesEndingBy(until: number, limit: number): HeldLease[] {
    return leasesEndingBy(this.reader, until, limit);
  }

  private get reader(): { db: Store['db']; task: (id: string) => ReturnType<Store['db']['tasks']['get']> } {
    const db = this.store.db;
    return { db, task: (id) => db.tasks.get(id) };
  }

  /** When the soonest lease runs out, or null. */
  nextLeaseExpiry(): number | null {
    return nextLeaseExpiry(this.store);
  }

  /** A consistent copy of the data into an empty directory, while the engine keeps running. */
  async backup(dir: string): Promise<void> {
    // Asynchronous throughout: the broker answers this request, and a slow or odd file system
    // (NFS, /proc) must not stop the event loop meanwhile.
    if (await exists(join(dir, 'data.mdb'))) throw new TqError('INVALID_ARGUMENT', `${dir} already holds tq data: back up into an empty directory`);
    await makeDir(dir);
    try {
      await this.store.env.backup(dir, true); // LMDB copies on a worker thread
    } catch (error) {
      throw new TqError('INVALID_ARGUMENT', `cannot back up into ${dir}: ${fsReason(error)}`);
    }
  }

  /** Closes LMDB; the caller has let every transaction it started settle. */
  close(): Promise<void> {
    this.closed = true;
    return closeStore(this.store);
  }
}

function applyOne(tx: Txn, command: Command, limits: Limits): Outcome {
  try {
    return { ok: true, value: applyCommand(tx, command, limits) };
  } catch (error) {
    if (error instanceof TqError) return failed(error);
    throw error; // not a validation failure: abort the whole transaction rather than keep half a command
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function readCounters(store: Store): Counters {
  const meta = store.db.meta;
  return { lastTime: meta.get('lastTime') ?? 0, seq: meta.get('seq') ?? 0, token: meta.get('token') ?? 0, position: meta.get('position') ?? 0 };
}

export function failed(error: TqError): Outcome {
  return { ok: false, error };
}

/** Free bytes below which a failed write is taken for a full disk. */
const FULL_BELOW_BYTES = 1024 * 1024;

/**
 * What a failed write transaction means to a caller. LMDB reports a write that a full disk cut
 * short as EIO, so an I/O error while the data directory's file system has (almost) no space left
 * is a full disk too.
 */
export function storageError(error: unknown, dir?: string): TqError {
  const message = error instanceof Error ? error.message : String(error);
  if (/MDB_MAP_FULL|ENOSPC|No space left/i.test(message) || (dir !== undefined && /EIO|Input\/output error/.test(message) && freeBytes(dir) < FULL_BELOW_BYTES)) {
    return new TqError('STORAGE_FULL', `the data directory is full (${message}): free disk space; reads still work`);
  }
  return new TqError('STORAGE_ERROR', `the write failed and was rolled back: ${message}`);
}

function freeBytes(dir: string): number {
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize;
  } catch {
    return Infinity;
  }
}
