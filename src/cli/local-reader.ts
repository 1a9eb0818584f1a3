/**
 * Reads a data directory directly, read-only: the same reads as TqClient (get, list, stats,
 * queues) returning the same wire shapes, for inspection while the broker is down or busy. It
 * does not take the broker's lock, so it works beside a running broker.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkDataFile, fsReason } from '../engine/data-file.ts';
import { type ErrorCode, TqError } from '../model/errors.ts';
import type { QueueInfo } from '../model/queue.ts';
import { Engine } from '../engine/engine.ts';
import type { Stats } from '../model/stats.ts';
import { FORMAT_VERSION, lockHolder } from '../engine/store.ts';
import type { ListArgs, WireTask } from '../protocol/messages.ts';
import { wireTask } from '../protocol/task-view.ts';

/** What the read-only commands need, offered by both TqClient and LocalReader. */
export interface TaskReader {
  get(id: string): Promise<WireTask>;
  list(args?: ListArgs): Promise<{ tasks: WireTask[]; nextCursor: string | null }>;
  stats(): Promise<Stats>;
  queues(): Promise<QueueInfo[]>;
  close(): void | Promise<void>;
}

export interface DataInfo {
  dataDir: string;
  formatVersion: number | null;
  /** The newest format this tq reads. */
  supportedFormatVersion: number;
  lastCommandAt: number | null;
  /** Bytes the directory's files take on disk (allocated blocks), and their apparent sizes. */
  sizeOnDiskBytes: number;
  fileBytes: number;
  /** The pid of the broker that holds the directory's lock, if that process is alive. */
  brokerPid: number | null;
  totals: Stats['totals'];
  queues: { name: string; paused: boolean; states: Stats['queues'][number]['states'] }[];
}

export class LocalReader implements TaskReader {
  readonly dir: string;
  private readonly engine: Engine;

  private constructor(dir: string, engine: Engine) {
    this.dir = dir;
    this.engine = engine;
  }

  /** Opens `dir` read-only; fails with NOT_FOUND ("no tq data in DIR") when it holds no tq data. */
  static open(dir: string): LocalReader {
    return new LocalReader(dir, Engine.open({ dir, readOnly: true }));
  }

  async get(id: string): Promise<WireTask> {
    return wireTask(this.engine.get(id));
  }

  async list(args: ListArgs = {}): Promise<{ tasks: WireTask[]; nextCursor: string | null }> {
    const page = this.engine.list(args);
    return { tasks: page.tasks.map(wireTask), nextCursor: page.nextCursor };
  }

  async stats(): Promise<Stats> {
    return this.engine.stats(Date.now());
  }

  async queues(): Promise<QueueInfo[]> {
    return this.engine.queues();
  }

  /** A consistent copy into an empty directory: LMDB's copy needs only a read transaction. */
  backup(dir: string): Promise<void> {
    return this.engine.backup(dir);
  }

  get formatVersion(): number | null {
    return this.engine.formatVersion;
  }

  async info(): Promise<DataInfo> {
    const stats = await this.stats();
    const sizes = directorySizes(this.dir);
    return {
      dataDir: resolve(this.dir),
      formatVersion: this.engine.formatVersion,
      supportedFormatVersion: FORMAT_VERSION,
      lastCommandAt: this.engine.lastTime > 0 ? this.engine.lastTime : null,
      sizeOnDiskBytes: sizes.onDisk,
      fileBytes: sizes.apparent,
      brokerPid: lockHolder(this.dir),
      totals: stats.totals,
      queues: stats.queues.map(({ name, paused, states }) => ({ name, paused, states })),
    };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

function directorySizes(dir: string): { onDisk: number; apparent: number } {
  let onDisk = 0;
  let apparent = 0;
  for (const name of readdirSync(dir)) {
    const stat = statSync(join(dir, name));
    if (!stat.isFile()) continue;
    onDisk += stat.blocks * 512;
    apparent += stat.size;
  }
  return { onDisk, apparent };
}

/** What `tq data check` found: `problem` is null when the directory is fine. */
export interface DataCheck {
  dataDir: string;
  ok: boolean;
  problem: string | null;
  /** The error code a broker or reader opening it would meet. */
  code: ErrorCode | null;
  /** Not damage, but worth knowing: a stale lock, a directory a broker could not write. */
  notes: string[];
  brokerPid: number | null;
  fileBytes: number | null;
  lmdb: { version: number; pageSize: number; lastPage: number; pagesChecked: number; complete: boolean } | null;
  formatVersion: number | null;
  supportedFormatVersion: number;
  tasks: number | null;
}

/**
 * Checks a data directory the way opening it would, without taking its lock: the directory, the
 * lock, every page of data.mdb the newest snapshot reaches (only the meta pages while a live
 * broker writes it), then the tq format and the task count, read through LMDB once that is safe.
 */
export async function checkDataDir(dir: string): Promise<DataCheck> {
  const report: DataCheck = {
    dataDir: resolve(dir),
    ok: false,
    problem: null,
    code: null,
    notes: [],
    brokerPid: null,
    fileBytes: null,
    lmdb: null,
    formatVersion: null,
    supportedFormatVersion: FORMAT_VERSION,
    tasks: null,
  };
  const fail = (code: ErrorCode, problem: string): DataCheck => Object.assign(report, { code, problem });
  try {
    if (!statSync(dir).isDirectory()) return fail('INVALID_ARGUMENT', `${dir} is not a directory`);
    readdirSync(dir);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return fail(missing ? 'NOT_FOUND' : 'STORAGE_ERROR', missing ? `${dir} does not exist` : `cannot read ${dir}: ${fsReason(error)}`);
  }
  report.notes.push(...lockNotes(dir));
  report.brokerPid = lockHolder(dir);
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    report.notes.push(`a broker cannot write ${dir}: ${fsReason(error)}`);
  }
  const data = join(dir, 'data.mdb');
  if (!existsSync(data)) return fail('NOT_FOUND', `no tq data in ${dir}: it has no data.mdb`);
  try {
    const facts = checkDataFile(data, { walk: report.brokerPid === null, leaves: true, maxPages: Number.POSITIVE_INFINITY });
    if (facts === null) return fail('NOT_FOUND', `no tq data in ${dir}: its data.mdb is empty (0 bytes)`);
    report.fileBytes = facts.fileBytes;
    report.lmdb = { version: facts.lmdbVersion, pageSize: facts.pageSize, lastPage: facts.lastPage, pagesChecked: facts.pagesChecked, complete: facts.complete };
    if (!facts.complete) report.notes.push(`a broker (pid ${report.brokerPid}) is writing it: only the meta pages were checked`);
    const reader = LocalReader.open(dir);
    try {
      report.formatVersion = reader.formatVersion;
      report.tasks = Object.values((await reader.stats()).totals).reduce((sum, count) => sum + count, 0);
    } finally {
      await reader.close();
    }
  } catch (error) {
    if (!(error instanceof TqError)) throw error;
    return fail(error.code, error.message);
  }
  report.ok = true;
  return report;
}

/** A lock left by a process that is gone, or one that names no process. */
function lockNotes(dir: string): string[] {
  const path = join(dir, 'broker.lock');
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return [`cannot read the lock ${path}: ${fsReason(error)}`];
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return [`the lock ${path} names no process: the next broker replaces it`];
  if (lockHolder(dir) === null) return [`the lock ${path} is stale (pid ${pid} is not running): the next broker takes it over`];
  return [];
}
