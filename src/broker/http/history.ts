/**
 * The last minutes of the broker, sampled every few seconds: depth per queue, throughput and
 * workers. It feeds the dashboard's chart (so a fresh page shows the recent past at once) and the
 * periodic `stats` event. Bounded: a fixed number of samples, a fixed number of queues per sample.
 */
import type { Stats } from '../../model/stats.ts';
import type { RequestContext } from '../requests.ts';
import { type Activity, OUTCOMES, type Outcome } from './activity.ts';

export const SAMPLE_INTERVAL_MS = 2_000;
/** 15 minutes at one sample every 2 s. */
const MAX_SAMPLES = 450;
/** Queues kept by name in one sample (the deepest); the rest are summed under OTHER. */
const MAX_QUEUES = 50;
const OTHER = '(other)';
const DEPTH_STATES = ['pending', 'scheduled', 'running', 'failed'] as const;

export interface WorkerSummary {
  connected: number;
  /** Slots of connected workers, and how many of them run a task. */
  slots: number;
  busy: number;
}

export interface Sample {
  sampledAt: number;
  depth: Record<string, Partial<Record<(typeof DEPTH_STATES)[number], number>>>;
  rates: Record<Outcome, number>;
  workers: WorkerSummary;
}

export interface Snapshot {
  stats: Stats;
  sample: Sample;
}

type Context = Omit<RequestContext, 'worker'>;

export function summarizeWorkers(context: Context): WorkerSummary {
  let connected = 0;
  let slots = 0;
  let busy = 0;
  for (const worker of context.dispatcher.list()) {
    if (!worker.connected) continue;
    connected++;
    slots += worker.concurrency;
    busy += Math.min(worker.running, worker.concurrency);
  }
  return { connected, slots, busy };
}

export class History {
  private readonly context: Context;
  private readonly activity: Activity;
  private readonly samples: Sample[] = [];
  private readonly listeners = new Set<(snapshot: Snapshot) => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastTotals: Record<Outcome, number>;
  private lastAt: number;

  constructor(context: Context, activity: Activity) {
    this.context = context;
    this.activity = activity;
    this.lastTotals = { ...activity.totals };
    this.lastAt = context.pipeline.now();
  }

  start(): void {
    this.timer = setInterval(() => this.take(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  /** Called with each new sample and the stats it came from. */
  on(listener: (snapshot: Snapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): Sample[] {
    return this.samples.slice();
  }

  /** Stats now with the latest sample (or a first one), without taking a sample: for a new watcher. */
  current(): Snapshot | null {
    const now = this.context.pipeline.now();
    try {
      const stats = this.context.engine.stats(now);
      const zero = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;
      const sample = this.samples.at(-1) ?? { sampledAt: now, depth: depthOf(stats), rates: zero, workers: summarizeWorkers(this.context) };
      return { stats, sample };
    } catch {
      return null;
    }
  }

  /** Takes a sample, keeps it, and tells the listeners. */
  take(): Snapshot | null {
    const now = this.context.pipeline.now();
    let stats: Stats;
    try {
      stats = this.context.engine.stats(now);
    } catch {
      return null; // the engine is closing
    }
    const seconds = Math.max(0.001, (now - this.lastAt) / 1_000);
    const rates = {} as Record<Outcome, number>;
    for (const outcome of OUTCOMES) rates[outcome] = round((this.activity.totals[outcome] - this.lastTotals[outcome]) / seconds);
    this.lastTotals = { ...this.activity.totals };
    this.lastAt = now;
    const sample: Sample = { sampledAt: now, depth: depthOf(stats), rates, workers: summarizeWorkers(this.context) };
    this.samples.push(sample);
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    const snapshot = { stats, sample };
    for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function depthOf(stats: Stats): Sample['depth'] {
  const weight = (states: Stats['totals']) => DEPTH_STATES.reduce((sum, state) => sum + states[state], 0);
  const queues = stats.queues.slice().sort((a, b) => weight(b.states) - weight(a.states));
  // Keyed by queue name: no prototype, so a queue named "__proto__" is just a queue.
  const depth: Sample['depth'] = Object.create(null);
  for (const [index, queue] of queues.entries()) {
    const name = index < MAX_QUEUES ? queue.name : OTHER;
    const entry = (depth[name] ??= {});
    for (const state of DEPTH_STATES) {
      const count = queue.states[state];
      if (count > 0) entry[state] = (entry[state] ?? 0) + count;
    }
  }
  return depth;
}
