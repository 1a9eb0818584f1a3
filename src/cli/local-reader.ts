/**
 * Reads a data directory directly, read-only: the same reads as TqClient (get, list, stats,
 * queues) returning the same wire shapes, for inspection while the broker is down or busy. It
 * does not take the broker's lock, so it works beside a running broker.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
