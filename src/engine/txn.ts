/**
 * The context of one write transaction. It owns the one rule that keeps the indexes true:
 * every change to a task goes through `write(before, after)`, which derives each index entry from
 * the record, so an entry can never disagree with the task it points at.
 */
import { createHash } from 'node:crypto';
import type { Database, Key } from 'lmdb';
import type { Databases } from './store.ts';
import type { TaskRecord, TaskState } from '../model/task.ts';

export const PAYLOAD = 0;
export const RESULT = 1;

/** Durable counters, read at the start of a batch's transaction and written once at its end. */
export interface Counters {
  lastTime: number;
  seq: number;
  token: number;
  /** Batches applied: the applied position (the Raft index, once a log feeds the engine). */
  position: number;
}

type IndexEntry =
  | { db: 'ready'; key: [string, number, number] }
  | { db: 'due'; key: [number, number] }
  | { db: 'leases'; key: [number, string]; value: number }
  | { db: 'bystate'; key: [string, string, number] };

function indexEntries(task: TaskRecord): IndexEntry[] {
  const entries: IndexEntry[] = [];
  switch (task.state) {
    case 'pending':
      // `ready` lists pending tasks in the order they became pending, one range per priority (pending.ts).
      entries.push({ db: 'ready', key: [task.queue, 255 - task.priority, task.stateSeq] });
      return entries;
    case 'scheduled':
    case 'failed':
      entries.push({ db: 'due', key: [task.runAt ?? 0, task.stateSeq] });
      break;
    case 'running':
      // Running tasks are few (bounded by the workers' slots); the lease index lists them.
      if (task.lease) entries.push({ db: 'leases', key: [task.lease.expiresAt, task.id], value: task.lease.token });
      return entries;
  }
  entries.push({ db: 'bystate', key: [task.state, task.queue, task.stateSeq] });
  return entries;
}

function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  if (a.db !== b.db || a.key.length !== b.key.length) return false;
  for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return false;
  return a.db !== 'leases' || a.value === (b as typeof a).value;
}

const NO_ENTRIES: IndexEntry[] = [];

/** A task as it was before and after a change: created (no before), changed, or deleted (no after). */
export interface Change {
  before: TaskRecord | undefined;
  after: TaskRecord | undefined;
}

export function countKey(queue: string, priority: number, state: TaskState): string {
  return `${queue}\u0000${priority}\u0000${state}`;
}

export function idemHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

export class Txn {
  readonly db: Databases;
  readonly counters: Counters;
  /** The time of the command being applied (never earlier than the last command's). */
  time = 0;
  /** Payload and result bytes written in this transaction, to bound its size. */
  bytes = 0;
  /** Each change of a task in this transaction, when someone listens for them (events, metrics). */
  readonly changes: Change[] | null;
  private readonly countDeltas = new Map<string, number>();
  private readonly seenQueues = new Set<string>();
  /** The greatest task id stored, read once per transaction (undefined: not read yet). */
  private newest: string | null | undefined = undefined;

  constructor(db: Databases, counters: Counters, recordChanges = false) {
    this.db = db;
    this.counters = counters;
    this.changes = recordChanges ? [] : null;
  }

  begin(commandTime: number): void {
    this.time = Math.max(commandTime, this.counters.lastTime);
    this.counters.lastTime = this.time;
  }

  nextSeq(): number {
    return ++this.counters.seq;
  }

  nextToken(): number {
    return ++this.counters.token;
  }

  /** The greatest id stored: UUIDv7 ids from a broker sort above it, so they need no lookup. */
  newestId(): string | null {
    if (this.newest === undefined) {
      this.newest = null;
      for (const key of this.db.tasks.getKeys({ reverse: true, limit: 1 })) this.newest = key as string;
    }
    return this.newest;
  }

  /** Keeps newestId() true after a task is created. */
  noteId(id: string): void {
    if (this.newest === undefined) return;
    // JS string order is LMDB's byte order only between ASCII strings: otherwise read it again.
    if (!/^[\x20-\x7e]+$/.test(id)) this.newest = undefined;
    else if (this.newest === null || id > this.newest) this.newest = id;
  }

  task(id: string): TaskRecord | undefined {
    return this.db.tasks.get(id);
  }

  /** Create (before undefined), change, or delete (after undefined) a task and its index entries. */
  write(before: TaskRecord | undefined, after: TaskRecord | undefined): void {
    const old = before ? indexEntries(before) : NO_ENTRIES;
    const next = after ? indexEntries(after) : NO_ENTRIES;
    for (const entry of old) if (!next.some((other) => sameEntry(entry, other))) this.index(entry).removeSync(entry.key);
    for (const entry of next) {
      if (old.some((other) => sameEntry(entry, other))) continue;
      this.index(entry).putSync(entry.key, entry.db === 'leases' ? entry.value : after!.id);
    }
    this.changes?.push({ before, after });
    if (before) this.count(before, -1);
    if (after) {
      this.count(after, +1);
      this.db.tasks.putSync(after.id, after);
      this.noteQueue(after.queue);
    } else if (before) {
      this.db.tasks.removeSync(before.id);
      if (before.payloadBytes > 0 && !before.inlinePayload) this.db.blobs.removeSync([before.id, PAYLOAD]);
      if (before.hasResult) this.db.blobs.removeSync([before.id, RESULT]);
      if (before.idempotencyKey !== null) this.db.idem.removeSync(idemHash(before.idempotencyKey));
    }
  }

  private index(entry: IndexEntry): Database<unknown, Key> {
    return this.db[entry.db] as Database<unknown, Key>;
  }

  /** A copy of `task` in a new state, stamped with the current time and a new state sequence. */
  moved(task: TaskRecord, state: TaskState, changes: Partial<TaskRecord> = {}): TaskRecord {
    return { ...task, ...changes, state, stateSeq: this.nextSeq(), updatedAt: this.time };
  }

  private count(task: TaskRecord, delta: number): void {
    const key = countKey(task.queue, task.priority, task.state);
    this.countDeltas.set(key, (this.countDeltas.get(key) ?? 0) + delta);
  }

  private noteQueue(queue: string): void {
    if (this.seenQueues.has(queue)) return;
    this.seenQueues.add(queue);
    if (this.db.queues.get(queue) === undefined) this.db.queues.putSync(queue, { paused: false });
  }

  /** Writes the summed count changes and the counters: once per batch. */
  finish(): void {
    for (const [key, delta] of this.countDeltas) {
      if (delta === 0) continue;
      const [queue, priority, state] = key.split('\u0000') as [string, string, string];
      const countKeyParts: [string, number, string] = [queue, Number(priority), state];
      const total = (this.db.counts.get(countKeyParts) ?? 0) + delta;
      if (total === 0) this.db.counts.removeSync(countKeyParts);
      else this.db.counts.putSync(countKeyParts, total);
    }
    this.countDeltas.clear();
    this.db.meta.putSync('lastTime', this.counters.lastTime);
    this.db.meta.putSync('seq', this.counters.seq);
    this.db.meta.putSync('token', this.counters.token);
    this.db.meta.putSync('position', this.counters.position);
  }
}
