/** The shape of a benchmark case, shared by bench/scenarios/*.ts and bench/run.ts. */
import type { Side } from '../lib/side.ts';

/** How big a run is: the full run, or the --quick smoke test. */
export interface Scale {
  quick: boolean;
  /** Tasks per submission and processing run (issue: 50,000). */
  tasks: number;
  /** Untimed tasks submitted the same way before a submission run is timed. */
  warmupTasks: number;
  /** Latency: seconds of untimed load before the measured seconds, at the same rate. */
  latencyWarmupSeconds: number;
  latencySeconds: number;
  /** Pending tasks at which server memory is read; tq's restart is timed at the last. */
  memoryCounts: number[];
  /** Repetitions of the timed restart. */
  restarts: number;
  /** Durable LMDB commits timed for the floor. */
  floorCommits: number;
}

export interface Metric {
  key: string;
  label: string;
  unit: 'tasks/s' | 'ms' | 'MiB' | 'µs';
  better: 'higher' | 'lower';
  /** What the issue asks of tq here, as written in the table. */
  target?: string;
}

/** One run's figures: a number per metric, or several observations (restart repeated in one run). */
export type Figures = Record<string, number | number[]>;

export interface Case {
  name: string;
  family: 'submit' | 'process' | 'latency' | 'memory' | 'floor';
  title: string;
  metrics: Metric[];
  /** Which sides it runs on (default both). */
  sides?: Side['name'][];
  /** Repetitions for this case, when not the run's --reps (memory: 1, it is slow and steady). */
  reps?: number;
  run: (side: Side, scale: Scale) => Promise<Figures>;
}
