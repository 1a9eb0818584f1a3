/**
 * A throwaway redis-server for the BullMQ side: Debian's binary on a free loopback port, in its own
 * temporary directory, with Redis's default persistence (RDB snapshots by the default `save` rules,
 * no AOF: no option about persistence is passed), stopped and removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { type Child, freePort, removeDir, rssOf, type Rss, spawnChild, tempDir } from '../lib/procs.ts';

export const REDIS_SERVER = process.env.TQ_BENCH_REDIS ?? 'redis-server';

export interface RedisServer {
  port: number;
  pid: number;
  child: Child;
  /** A new ioredis connection as BullMQ wants it (no per-request retry limit). */
  connect: () => Redis;
  rss: () => Rss;
  /** INFO memory's used_memory and used_memory_rss. */
  memory: () => Promise<{ used: number; usedRss: number }>;
  /** The persistence settings in force, to record next to the figures. */
  persistence: () => Promise<{ save: string; appendonly: string }>;
  /** Kills it (the data is throwaway) and removes its directory. Close its clients first. */
  stop: () => Promise<void>;
}

/** `redis-server --version`, e.g. "7.0.15". */
export function redisVersion(): string {
  try {
    const out = execFileSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
    return /v=(\S+)/.exec(out)?.[1] ?? out.trim();
  } catch (error) {
    throw new Error(`cannot run ${REDIS_SERVER} (${(error as Error).message.split('\n')[0]}): install Debian's redis-server (apt-get install redis-server) or set TQ_BENCH_REDIS`);
  }
}

export async function startRedis(options: { dir?: string } = {}): Promise<RedisServer> {
  const dir = options.dir ?? tempDir('tq-bench-redis-');
  const port = await freePort();
  // No config file: the compiled-in defaults (save 3600 1 300 100 60 10000, appendonly no).
  const child = spawnChild(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--logfile', ''], { name: 'redis-server' });
  await child.waitFor(/Ready to accept connections/, 30_000);
  const admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => null });
  admin.on('error', () => undefined);
  const connect = () => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
  return {
    port,
    pid: child.pid,
    child,
    connect,
    rss: () => rssOf(child.pid),
    memory: async () => {
      const info = await admin.info('memory');
      const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
      return { used: field('used_memory'), usedRss: field('used_memory_rss') };
    },
    persistence: async () => {
      const save = (await admin.config('GET', 'save')) as string[];
      const aof = (await admin.config('GET', 'appendonly')) as string[];
      return { save: save[1] ?? '', appendonly: aof[1] ?? '' };
    },
    stop: async () => {
      // The data is throwaway: SIGKILL skips the snapshot a SIGTERM would write first.
      admin.disconnect();
      await child.stop('SIGKILL', 0);
      if (!options.dir) removeDir(dir);
    },
  };
}
