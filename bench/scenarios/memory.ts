/**
 * 4. Memory and restart. Tasks are loaded into a fresh server (batches of 1,000, four in flight);
 * at each count (100,000 then 1,000,000; --quick: 10,000), after 2 s of quiet, the server
 * process's resident memory is read from /proc/PID/status: RssAnon (heap, stacks, buffers: the
 * process's own) and RssFile (mapped file pages: for the broker, LMDB's map, which the kernel can
 * drop and read back). For BullMQ the server is redis-server (and INFO memory's used_memory).
 *
 * tq's restart, repeated: a worker process (`tq worker start`, concurrency 1) is started first
 * against a port where nothing listens yet, so it is retrying; then the broker is spawned on that
 * port over the data directory holding the pending tasks. Timed from the broker's spawn to the
 * worker's handler first running (the handler prints the time), and to "broker listening".
 */
import { FIRST_HANDLERS, freePort, startTqBroker, startTqWorker } from '../tq.ts';
import { hrms, type Rss, sleep } from '../lib/procs.ts';
import type { Session, Side } from '../lib/side.ts';
import type { Case, Figures, Metric, Scale } from './types.ts';

const MiB = 2 ** 20;
const SETTLE_MS = 2_000;

async function load(session: Session, from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < to) {
        const start = next;
        next = Math.min(to, next + 1_000);
        await session.submitBatch(Array.from({ length: next - start }, (_, k) => ({ i: start + k })));
      }
    }),
  );
}

function record(figures: Figures, count: number, rss: Rss): void {
  figures[`anon-${count}`] = rss.anon / MiB;
  figures[`file-${count}`] = rss.file / MiB;
}

/** Loads up to each count and reads the server's memory there; leaves the session open. */
async function loadAndMeasure(session: Session, scale: Scale, figures: Figures): Promise<void> {
  let loaded = 0;
  for (const count of scale.memoryCounts) {
    await load(session, loaded, count);
    loaded = count;
    await sleep(SETTLE_MS);
    record(figures, count, session.serverRss());
    for (const [key, value] of Object.entries(await session.serverMemoryExtra())) {
      if (key === 'redisUsedMemory') figures[`used-${count}`] = value / MiB;
    }
  }
}

/** tq: load, measure, stop the broker, then time restarts over the same data directory. */
async function runTq(scale: Scale): Promise<Figures> {
  const figures: Figures = {};
  const broker = await startTqBroker();
  try {
    const client = await broker.connect();
    try {
      // The tq Session, but over this broker (its data directory is reused for the restarts).
      await loadAndMeasure(
        {
          submitBatch: (payloads) => client.submitMany(payloads.map((payload) => ({ type: 'noop', payload }))),
          serverRss: () => broker.rss(),
          serverMemoryExtra: async () => ({}),
        } as Session,
        scale,
        figures,
      );
    } finally {
      client.close();
    }
    await broker.stop();
    const last = scale.memoryCounts[scale.memoryCounts.length - 1]!;
    const restart: number[] = [];
    const listening: number[] = [];
    const anon: number[] = [];
    const file: number[] = [];
    for (let rep = 0; rep < scale.restarts; rep++) {
      const port = await freePort();
      const worker = await startTqWorker(`127.0.0.1:${port}`, { concurrency: 1, handlers: FIRST_HANDLERS, waitConnected: false });
      try {
        await worker.child.waitFor(/"msg":"worker starting"/);
        let spawnedAt = 0;
        const again = await startTqBroker({ dataDir: broker.dataDir, port, onSpawn: () => (spawnedAt = hrms()) });
        try {
          const first = await worker.child.waitFor(/bench-first-task ([\d.]+)/, 120_000);
          restart.push(Number(first[1]) - spawnedAt);
          listening.push(again.listeningAt - spawnedAt);
          const rss = again.rss();
          anon.push(rss.anon / MiB);
          file.push(rss.file / MiB);
        } finally {
          await worker.stop();
          await again.stop();
        }
      } finally {
        await worker.stop();
      }
    }
    Object.assign(figures, { restart, 'restart-listening': listening, [`anon-restarted-${last}`]: anon, [`file-restarted-${last}`]: file });
    return figures;
  } finally {
    await broker.dispose();
  }
}

async function runOther(side: Side, scale: Scale): Promise<Figures> {
  const figures: Figures = {};
  const session = await side.open();
  try {
    await loadAndMeasure(session, scale, figures);
    return figures;
  } finally {
    await session.close();
  }
}

export function memoryCase(scale: Scale): Case {
  const metrics: Metric[] = [];
  const last = scale.memoryCounts[scale.memoryCounts.length - 1]!;
  for (const count of scale.memoryCounts) {
    const n = count.toLocaleString('en-US');
    metrics.push({ key: `anon-${count}`, label: `server anonymous RSS, ${n} pending`, unit: 'MiB', better: 'lower', target: count === 1_000_000 ? '≤ 150 MB' : undefined });
    metrics.push({ key: `file-${count}`, label: `server file-backed RSS, ${n} pending`, unit: 'MiB', better: 'lower' });
    metrics.push({ key: `used-${count}`, label: `Redis used_memory (INFO), ${n} pending`, unit: 'MiB', better: 'lower' });
  }
  const n = last.toLocaleString('en-US');
  metrics.push({ key: 'restart', label: `restart, ${n} pending: broker spawn → first task in a retrying worker's handler`, unit: 'ms', better: 'lower', target: '≤ 1 s' });
  metrics.push({ key: 'restart-listening', label: `restart, ${n} pending: broker spawn → "broker listening"`, unit: 'ms', better: 'lower' });
  metrics.push({ key: `anon-restarted-${last}`, label: `broker anonymous RSS just after that restart`, unit: 'MiB', better: 'lower' });
  metrics.push({ key: `file-restarted-${last}`, label: `broker file-backed RSS just after that restart`, unit: 'MiB', better: 'lower' });
  return {
    name: 'memory',
    family: 'memory',
    title: 'server memory with pending tasks; tq restart',
    metrics,
    reps: 1,
    run: (side, s) => (side.name === 'tq' ? runTq(s) : runOther(side, s)),
  };
}
