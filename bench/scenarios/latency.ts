/**
 * 3. Latency at a steady offered load, open loop: task k is sent at start + k/rate whatever
 * happened to the earlier ones (a timer loop sends every task that is due; nothing waits for a
 * reply). Each payload carries its submit time; one worker process (concurrency 100) records when
 * the handler started and when the outcome was confirmed (tq: the broker's answer to the ack,
 * sent once the ack is durable; BullMQ: the 'completed' event, after Redis applied
 * moveToCompleted). All times are CLOCK_MONOTONIC on one machine. Percentiles are exact (nearest
 * rank over every sample, sorted). The first seconds at the same rate are a warm-up and not counted.
 */
import { percentile } from '../lib/stats.ts';
import { hrms, sleep } from '../lib/procs.ts';
import type { Sample, Session, Side, TimedWorker } from '../lib/side.ts';
import type { Case, Metric, Scale } from './types.ts';

const CONCURRENCY = 100;
/** Every submitted task must have completed within this long after the last submit. */
const DRAIN_TIMEOUT_MS = 120_000;

interface Offered {
  /** How late each send was against its schedule, ms. */
  lags: number[];
  seconds: number;
}

/** Sends `count` tasks at `rate`/s on schedule; resolves when every submit has been acknowledged. */
async function openLoop(session: Session, rate: number, count: number, first: number): Promise<Offered> {
  const lags: number[] = [];
  const acks: Promise<unknown>[] = [];
  const errors: unknown[] = [];
  const interval = 1_000 / rate;
  const t0 = hrms() + 2;
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = hrms();
      while (k < count && t0 + k * interval <= now) {
        const t = hrms();
        lags.push(t - (t0 + k * interval));
        acks.push(session.submit({ i: first + k, t }, 'timed').catch((error: unknown) => errors.push(error)));
        k++;
      }
      if (k >= count) return resolve();
      setTimeout(tick, Math.max(0, t0 + k * interval - hrms()));
    };
    tick();
  });
  const seconds = (hrms() - t0) / 1_000;
  await Promise.all(acks);
  if (errors.length > 0) throw new Error(`${errors.length} submits failed, the first: ${String((errors[0] as Error)?.message ?? errors[0])}`);
  return { lags, seconds };
}

/** Collects samples until `count` have arrived. */
async function drain(worker: TimedWorker, count: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    samples.push(...(await worker.collect()));
    if (samples.length >= count) return samples;
    if (Date.now() > deadline) throw new Error(`only ${samples.length} of ${count} tasks completed within ${DRAIN_TIMEOUT_MS / 1_000} s of the last submit`);
    await sleep(50);
  }
}

function latencyCase(rate: number): Case {
  const metrics: Metric[] = [];
  for (const [what, label] of [['start', 'submit → handler start'], ['done', 'submit → completion']] as const) {
    for (const p of ['p50', 'p99', 'p999'] as const) {
      metrics.push({ key: `${what}-${p}`, label: `${label} ${p}`, unit: 'ms', better: 'lower', target: rate === 1_000 && what === 'start' && p === 'p99' ? '≤ 2 ms' : undefined });
    }
  }
  metrics.push({ key: 'lag-p99', label: 'harness: send lag behind schedule p99', unit: 'ms', better: 'lower' });
  return {
    name: `latency-${rate}`,
    family: 'latency',
    title: `latency at ${rate.toLocaleString('en-US')} tasks/s offered, open loop`,
    metrics,
    async run(side: Side, scale: Scale) {
      const session = await side.open();
      try {
        const worker = await session.startTimedWorker(CONCURRENCY);
        const warm = Math.round(rate * scale.latencyWarmupSeconds);
        await openLoop(session, rate, warm, 0);
        await drain(worker, warm);
        const count = Math.round(rate * scale.latencySeconds);
        const offered = await openLoop(session, rate, count, warm);
        const samples = await drain(worker, count);
        const start = samples.map(([t, s]) => s - t).sort((a, b) => a - b);
        const done = samples.map(([t, , d]) => d - t).sort((a, b) => a - b);
        const lags = offered.lags.sort((a, b) => a - b);
        return {
          'start-p50': percentile(start, 0.5),
          'start-p99': percentile(start, 0.99),
          'start-p999': percentile(start, 0.999),
          'done-p50': percentile(done, 0.5),
          'done-p99': percentile(done, 0.99),
          'done-p999': percentile(done, 0.999),
          'lag-p99': percentile(lags, 0.99),
        };
      } finally {
        await session.close();
      }
    },
  };
}

export const LATENCY_CASES: Case[] = [latencyCase(1_000), latencyCase(5_000)];
