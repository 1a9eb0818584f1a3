/**
 * tq side by side with BullMQ (issue 4): every scenario runs against tq (a real broker process,
 * real worker processes, TqClient over TCP) and against BullMQ on a local redis-server started
 * here with its default persistence, in the same run, alternating tq, BullMQ, tq, BullMQ...
 * Reports the median with min and max, and the ratio tq/BullMQ.
 *
 *   npm run bench                          everything (about 20 minutes): bench/results/broker.json
 *   npm run bench -- --quick               scaled down, one repetition, under a minute: bench/results/quick.json
 *   npm run bench -- --reps 3              repetitions (default 5; memory runs once, with 5 timed restarts)
 *   npm run bench -- --only submit-1000    one case (or a family: submit, process, latency, memory, floor);
 *                                          prints the table, writes nothing unless --out is given
 *   npm run bench -- --cpu-prof DIR        tq brokers and workers run under node --cpu-prof, profiles written to
 *                                          DIR/broker and DIR/worker (node bench/profile-summary.ts FILE reads one)
 *   TQ_BENCH_DIR=/path                     temporary directories (data, Redis) there instead of $TMPDIR
 *
 * Every child process (redis-server, brokers, workers) is killed and every temporary directory
 * removed when the harness exits, however it exits.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, packageVersion } from './lib/machine.ts';
import { installCleanup } from './lib/procs.ts';
import type { Side } from './lib/side.ts';
import { formatCount, summarize, type Summary } from './lib/stats.ts';
import { bullmqSide } from './peers/bullmq.ts';
import { redisVersion, startRedis } from './peers/redis.ts';
import { FLOOR_CASE } from './scenarios/floor.ts';
import { LATENCY_CASES } from './scenarios/latency.ts';
import { memoryCase } from './scenarios/memory.ts';
import { PROCESS_CASES } from './scenarios/process.ts';
import { SUBMIT_CASES } from './scenarios/submit.ts';
import type { Case, Figures, Metric, Scale } from './scenarios/types.ts';
import { brokerNodeArgs, tqSide, workerNodeArgs } from './tq.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});

const QUICK = args.quick!;
const REPS = args.reps !== undefined ? Number(args.reps) : QUICK ? 1 : 5;
if (!Number.isSafeInteger(REPS) || REPS < 1) throw new Error(`--reps must be a positive integer (got ${args.reps})`);
const SCALE: Scale = QUICK
  ? { quick: true, tasks: 3_000, warmupTasks: 300, latencyWarmupSeconds: 0.5, latencySeconds: 1.5, memoryCounts: [10_000], restarts: 1, floorCommits: 300 }
  : { quick: false, tasks: 50_000, warmupTasks: 5_000, latencyWarmupSeconds: 2, latencySeconds: 10, memoryCounts: [100_000, 1_000_000], restarts: 5, floorCommits: 5_000 };
const OUT = args.out ?? (args.only ? null : resolve(ROOT, 'bench/results', QUICK ? 'quick.json' : 'broker.json'));
if (args['cpu-prof']) {
  const dir = resolve(args['cpu-prof']);
  mkdirSync(dir, { recursive: true });
  brokerNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(dir, 'broker')}`);
  workerNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(dir, 'worker')}`);
}

const ALL_CASES: Case[] = [...SUBMIT_CASES, ...PROCESS_CASES, ...LATENCY_CASES, memoryCase(SCALE), FLOOR_CASE];
const cases = ALL_CASES.filter((c) => !args.only || c.name === args.only || c.family === args.only);
if (cases.length === 0) throw new Error(`no case or family ${args.only}: use one of ${ALL_CASES.map((c) => c.name).join(', ')}, or submit, process, latency`);
const SIDES: Side[] = [tqSide, bullmqSide];

const DURABILITY = {
  tq: 'every accepted submit (and every claim, ack and push) is in an LMDB transaction committed with fdatasync before the broker answers; group commit shares one commit among the requests that arrive together',
  BullMQ: "Redis's default persistence: RDB snapshots by the default save rules, no AOF; a command is acknowledged once applied in memory, before any disk write",
};

function gitInfo(): { commit: string; dirty: string[] } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin'], { cwd: ROOT, encoding: 'utf8' });
    return { commit, dirty: status.split('\n').filter(Boolean).map((line) => line.slice(3)) };
  } catch {
    return { commit: 'unknown', dirty: [] };
  }
}

function loads(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

function format(value: number, unit: Metric['unit']): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'tasks/s') return formatCount(value);
  if (unit === 'MiB' || unit === 'µs') return value >= 100 ? formatCount(value) : value.toFixed(1);
  if (value >= 100) return formatCount(value);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function brief(figures: Figures, c: Case): string {
  return c.metrics
    .filter((metric) => figures[metric.key] !== undefined)
    .slice(0, 4)
    .map((metric) => {
      const value = figures[metric.key]!;
      const shown = Array.isArray(value) ? value.map((v) => format(v, metric.unit)).join('/') : format(value, metric.unit);
      return `${metric.key} ${shown} ${metric.unit}`;
    })
    .join(', ');
}

/** Like lib/stats.ts's table, with the first `left` columns (text) aligned left and the figures right. */
function table(header: string[], rows: string[][], left: number): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (i < left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

interface MetricResult extends Metric {
  tq: Summary | null;
  BullMQ: Summary | null;
  /** tq median / BullMQ median. */
  ratio: number | null;
}

// --- run ---------------------------------------------------------------------------------------

installCleanup();
const startedAt = Date.now();
const about = machine();
const loadAtStart = loads();
const git = gitInfo();
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
const redisServer = redisVersion(); // fails first, with a clear message, when redis-server is missing
const probe = await startRedis();
const redisPersistence = await probe.persistence();
await probe.stop();
const versions = {
  tq: { version: pkg.version, commit: git.commit, uncommittedChanges: git.dirty },
  bullmq: packageVersion('bullmq'),
  ioredis: packageVersion('ioredis'),
  redisServer,
  node: process.version,
  lmdb: about.lmdb,
};

console.log(`tq vs BullMQ${QUICK ? ' (--quick: scaled down, one repetition; figures are a smoke test, not results)' : ''}`);
console.log(`${about.cpu}, ${about.cores} cores, ${about.memoryGiB} GiB; Node ${about.node}; tq ${pkg.version} (${git.commit.slice(0, 10)}${git.dirty.length ? `, ${git.dirty.length} uncommitted files in src/` : ''}), BullMQ ${versions.bullmq}, redis-server ${versions.redisServer}`);
console.log(`durability: tq: ${DURABILITY.tq}.`);
console.log(`            BullMQ: ${DURABILITY.BullMQ} (save "${redisPersistence.save}", appendonly ${redisPersistence.appendonly}).`);
console.log(`load average at start: ${loadAtStart.join(' ')}; ${REPS} repetition(s), ${formatCount(SCALE.tasks)} tasks per submission/processing run\n`);

const runs = new Map<Case, Record<Side['name'], Figures[]>>();
for (const c of cases) {
  const sides = SIDES.filter((side) => !c.sides || c.sides.includes(side.name));
  const reps = c.reps ?? REPS;
  const done: Record<Side['name'], Figures[]> = { tq: [], BullMQ: [] };
  runs.set(c, done);
  console.log(`${c.name}: ${c.title}`);
  for (let rep = 1; rep <= reps; rep++) {
    for (const side of sides) {
      const figures = await c.run(side, SCALE);
      done[side.name].push(figures);
      console.log(`  ${rep}/${reps} ${side.name.padEnd(6)} ${brief(figures, c)}`);
    }
  }
}

const results = cases.map((c) => {
  const done = runs.get(c)!;
  const metrics: MetricResult[] = c.metrics
    .map((metric) => {
      const values = (side: Side['name']) => done[side].flatMap((figures) => (figures[metric.key] === undefined ? [] : [figures[metric.key]!].flat()));
      const tq = values('tq').length ? summarize(values('tq')) : null;
      const other = values('BullMQ').length ? summarize(values('BullMQ')) : null;
      return { ...metric, tq, BullMQ: other, ratio: tq && other ? tq.median / other.median : null };
    })
    .filter((metric) => metric.tq || metric.BullMQ);
  return { name: c.name, family: c.family, title: c.title, metrics };
});

const rows: string[][] = [];
for (const result of results) {
  for (const metric of result.metrics) {
    const cell = (summary: Summary | null) => (summary ? format(summary.median, metric.unit) : '—');
    const range = (summary: Summary | null) => (summary && summary.runs.length > 1 ? `${format(summary.min, metric.unit)}–${format(summary.max, metric.unit)}` : '');
    rows.push([
      result.name,
      `${metric.label} (${metric.unit})`,
      metric.target ?? '',
      cell(metric.tq),
      range(metric.tq),
      cell(metric.BullMQ),
      range(metric.BullMQ),
      metric.ratio === null ? '' : `${metric.ratio.toFixed(2)}×`,
    ]);
  }
}
const loadAtEnd = loads();
console.log(`\n${table(['case', 'metric', 'target (tq)', 'tq', 'tq min–max', 'BullMQ', 'BullMQ min–max', 'tq/BullMQ'], rows, 3)}`);
console.log(`\nload average at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}; ${((Date.now() - startedAt) / 60_000).toFixed(1)} min`);

if (OUT) {
  mkdirSync(dirname(OUT), { recursive: true });
  const report = {
    machine: { ...about, loadAverage: { start: loadAtStart, end: loadAtEnd }, tempDir: process.env.TQ_BENCH_DIR ?? '(the system temporary directory)' },
    versions,
    durability: { ...DURABILITY, redisPersistence },
    quick: QUICK,
    repetitions: REPS,
    scale: SCALE,
    minutes: Math.round((Date.now() - startedAt) / 600) / 100,
    results,
  };
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}
// Lingering sockets (ioredis reconnect timers, say) must not keep the harness alive; exit runs the cleanup.
process.exit(0);
