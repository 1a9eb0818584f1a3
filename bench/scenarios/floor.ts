/**
 * 5. The floor: one durable LMDB commit on this disk. lmdb-js opened as the engine opens it
 * (defaults), one `putSync` inside one `transactionSync` (which writes the pages, fdatasyncs and
 * writes the meta page before it returns), timed one by one after an untimed warm-up. Every tq
 * acknowledgement waits for at least one such commit, so the latency figures sit above it.
 */
import { join } from 'node:path';
import { open } from 'lmdb';
import { percentile } from '../lib/stats.ts';
import { hrms, removeDir, tempDir } from '../lib/procs.ts';
import type { Case, Scale } from './types.ts';

async function floor(scale: Scale) {
  const dir = tempDir('tq-bench-floor-');
  const env = open({ path: join(dir, 'data'), maxDbs: 16 });
  const db = env.openDB<{ n: number }, string>({ name: 'raw' });
  try {
    const times: number[] = [];
    const warmup = Math.min(200, scale.floorCommits);
    for (let n = 0; n < warmup + scale.floorCommits; n++) {
      const key = `0190a4c2-${n.toString(16).padStart(12, '0')}`;
      const started = hrms();
      env.transactionSync(() => db.putSync(key, { n }));
      const ms = hrms() - started;
      await env.flushed;
      if (n >= warmup) times.push(ms);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), p999: percentile(times, 0.999) };
  } finally {
    await env.close();
    removeDir(dir);
  }
}

export const FLOOR_CASE: Case = {
  name: 'floor',
  family: 'floor',
  title: 'the floor: one durable LMDB commit (transactionSync of one put) on this disk',
  metrics: [
    { key: 'p50', label: 'LMDB commit p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'LMDB commit p99', unit: 'ms', better: 'lower' },
    { key: 'p999', label: 'LMDB commit p999', unit: 'ms', better: 'lower' },
  ],
  sides: ['tq'],
  run: (_side, scale) => floor(scale),
};
