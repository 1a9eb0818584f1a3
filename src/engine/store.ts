/**
 * The LMDB environment behind the engine: its databases, the data directory's writer lock and the
 * meta database (format version, last command time, counters).
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open, type Database, type DatabaseOptions, type RootDatabase } from 'lmdb';
import { TqError } from '../model/errors.ts';
import { checkDataFile, fsReason, makeDirSync } from './data-file.ts';
import { recordEncoding } from './record.ts';
import type { QueueSettings } from '../model/queue.ts';
import type { TaskRecord } from '../model/task.ts';

export const FORMAT_VERSION = 3;
const LOCK_FILE = 'broker.lock';

/**
 * Databases, each named after what it holds. Keys are ordered-binary arrays, so LMDB's key order is
 * the order we need:
 * - tasks     id -> TaskRecord (a msgpack array, see record.ts; small payloads inline)
 * - blobs     [id, 0] -> payload over INLINE_PAYLOAD_BYTES, [id, 1] -> result (plain msgpack, written once)
 * - ready     [queue, 255 - priority, stateSeq] -> id          pending tasks, next first
 * - due       [runAt, stateSeq] -> id                           scheduled and failed tasks
 * - leases    [expiresAt, id] -> token                         running tasks
 * - bystate   [state, queue, stateSeq] -> id                   every state but pending and running
 * - idem      sha256(idempotency key) -> id
 * - counts    [queue, priority, state] -> number
 * - queues    name -> QueueRecord: paused, and the settings the queue sets itself
 * - meta      'format' | 'lastTime' | 'seq' | 'token' | 'position' | 'queuesSeeded' -> number
 */
export interface Databases {
  tasks: Database<TaskRecord, string>;
  blobs: Database<Uint8Array, [string, number]>;
  ready: Database<string, [string, number, number]>;
  due: Database<string, [number, number]>;
  leases: Database<number, [number, string]>;
  bystate: Database<string, [string, string, number]>;
  idem: Database<string, string>;
  counts: Database<number, [string, number, string]>;
  queues: Database<QueueRecord, string>;
  meta: Database<number, string>;
}

export type QueueRecord = { paused: boolean } & QueueSettings;

export interface Store {
  env: RootDatabase;
  db: Databases;
  readOnly: boolean;
  dir: string;
}

export interface OpenOptions {
  dir: string;
  /** Inspect a directory (perhaps one a running broker writes) without taking its lock. */
  readOnly?: boolean;
}

export function openStore(options: OpenOptions): Store {
  const { dir, readOnly = false } = options;
  const data = join(dir, 'data.mdb');
  if (readOnly) {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new TqError('INVALID_ARGUMENT', `${dir} is not a directory: pass the --data-dir a broker writes to`);
    if (!existsSync(data)) throw noData(dir);
  } else {
    makeDirSync(dir);
    takeLock(dir);
  }
  let env: RootDatabase;
  try {
    // LMDB trusts the file it maps: a damaged one would crash this process. A live broker's
    // writes may reuse the pages a walk reads, so beside one only the meta pages are checked.
    const facts = existsSync(data) ? checkDataFile(data, { walk: !readOnly || lockHolder(dir) === null }) : null;
    if (readOnly && facts === null) throw noData(dir);
    env = open({ path: dir, maxDbs: 16, readOnly });
  } catch (error) {
    if (!readOnly) releaseLock(dir);
    if (error instanceof TqError) throw error;
    throw new TqError('STORAGE_ERROR', `cannot open the data directory ${dir}: ${(error as Error).message}`);
  }
  const binary = (name: string) => env.openDB({ name, encoding: 'binary' });
  const db: Databases = {
    // lmdb-js takes a custom {encode, decode} encoder; its typings do not list the option.
    tasks: env.openDB({ name: 'tasks', encoder: recordEncoding } as unknown as DatabaseOptions & { name: string }),
    blobs: binary('blobs') as Databases['blobs'],
    ready: env.openDB({ name: 'ready' }),
    due: env.openDB({ name: 'due' }),
    leases: env.openDB({ name: 'leases' }),
    bystate: env.openDB({ name: 'bystate' }),
    idem: env.openDB({ name: 'idem' }),
    counts: env.openDB({ name: 'counts' }),
    queues: env.openDB({ name: 'queues' }),
    meta: env.openDB({ name: 'meta' }),
  };
  const store = { env, db, readOnly, dir };
  try {
    // A writer makes the databases; a reader finds them missing in an LMDB file that is not tq's.
    const missing = Object.entries(db).filter(([, value]) => value === undefined).map(([name]) => name);
    if (missing.length > 0) {
      const which = missing.length === Object.keys(db).length ? "none of tq's databases" : `no ${missing.join(', ')} database`;
      throw new TqError('DATA_CORRUPT', `${data} is LMDB but not tq data: it has ${which}`);
    }
    checkFormat(store);
  } catch (error) {
    closeStoreSync(store);
    throw error;
  }
  return store;
}

function checkFormat(store: Store): void {
  const format = store.db.meta.get('format');
  if (format === undefined) {
    if (!store.readOnly) store.env.transactionSync(() => store.db.meta.putSync('format', FORMAT_VERSION));
    return;
  }
  if (format > FORMAT_VERSION) {
    throw new TqError(
      'UNSUPPORTED_FORMAT',
      `${store.dir} holds tq data format ${format}, newer than this tq's ${FORMAT_VERSION}: upgrade tq`,
    );
  }
  if (format < FORMAT_VERSION && !store.readOnly) store.env.transactionSync(() => migrate(store, format));
  // A read-only opener reads an older format as it is: format 1's extra entries are never read.
}

/**
 * Brings older data to this format, inside one write transaction.
 * - 1 -> 2: pending tasks lose their `bystate` entries (`ready` lists them, see pending.ts).
 * - 2 -> 3: queue records may hold settings; a format 2 record ({paused}) is a valid one with
 *   every setting at its default, so nothing is rewritten. The number keeps an older tq, which
 *   would ignore the settings (and drop them on pause), from opening the data.
 */
function migrate(store: Store, from: number): void {
  if (from < 2) {
    const stale = [...store.db.bystate.getKeys({ start: ['pending'], end: ['pending', '\uffff'] })];
    for (const key of stale) store.db.bystate.removeSync(key);
  }
  store.db.meta.putSync('format', FORMAT_VERSION);
}

export async function closeStore(store: Store): Promise<void> {
  await store.env.close();
  if (!store.readOnly) releaseLock(store.dir);
}

function noData(dir: string): TqError {
  return new TqError('NOT_FOUND', `no tq data in ${dir}: pass the --data-dir a broker writes to`);
}

function closeStoreSync(store: Store): void {
  void store.env.close();
  if (!store.readOnly) releaseLock(store.dir);
}

/**
 * LMDB lets several processes write one environment; tq allows one broker per data directory. The
 * lock file holds the owner's pid: a lock left by a dead process (kill -9, power loss) is taken over.
 */
/** Data directories this process has open for writing: a second writer here is refused too. */
const held = new Set<string>();

function takeLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (held.has(resolve(dir))) {
    throw new TqError('DATA_DIR_LOCKED', `${dir} is already open for writing in this process: close it first`);
  }
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(resolve(dir));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new TqError('STORAGE_ERROR', `cannot write the lock ${path}: ${fsReason(error)}`);
    }
    const owner = lockOwner(path);
    if (owner !== null && owner !== process.pid && isAlive(owner)) {
      throw new TqError(
        'DATA_DIR_LOCKED',
        `${dir} is in use by another tq broker (pid ${owner}): stop it or choose another --data-dir`,
      );
    }
    try {
      rmSync(path, { force: true });
    } catch (error) {
      throw new TqError('STORAGE_ERROR', `cannot remove the stale lock ${path}: ${fsReason(error)}`);
    }
  }
  throw new TqError('DATA_DIR_LOCKED', `cannot take the lock on ${dir}: another process keeps taking it`);
}

function releaseLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  held.delete(resolve(dir));
  try {
    if (Number(readFileSync(path, 'utf8')) === process.pid) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

function lockOwner(path: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8'));
  } catch {
    return null; // gone meanwhile, or unreadable: not a lock we can honour
  }
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The pid of the live process that holds `dir`'s broker lock, or null. */
export function lockHolder(dir: string): number | null {
  const pid = lockOwner(join(dir, LOCK_FILE));
  return pid !== null && isAlive(pid) ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
