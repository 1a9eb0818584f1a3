/**
 * Engine benchmark: durable submits/s, durable claim+ack cycles/s, bytes on disk per pending task,
 * and the raw lmdb-js floor under them. Commands go through the broker's command pipeline (stamping,
 * encoding, group commit) into the engine, without sockets. Every figure is durable: it counts a
 * command only once its promise resolved, i.e. after the transaction that holds it was committed
 * with fdatasync.
 *
 *   npm run bench:engine                       all scenarios, 5 repetitions, writes bench/results/engine.json
 *   node bench/engine.ts --reps 3              fewer repetitions
 *   node bench/engine.ts --only claim-1000     one scenario (names in the table), e.g. under --cpu-prof
 *   TQ_BENCH_DIR=/mnt/disk node bench/engine.ts    put the data directories on another disk
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import { type Draft, Pipeline, type TaskDraft } from '../src/broker/pipeline.ts';
import { Engine } from '../src/engine/index.ts';
import { machine } from './lib/machine.ts';
import { formatCount, summarize, type Summary, table } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    only: { type: 'string' },
    out: { type: 'string', default: new URL('./results/engine.json', import.meta.url).pathname },
  },
});
const REPS = Number(args.reps);
const BASE = process.env.TQ_BENCH_DIR ?? tmpdir();
const LEASE_MS = 30_000;

interface Scenario {
  name: string;
  group: 'submit' | 'claim+ack' | 'lmdb floor';
  /** What one unit is: a task submitted, a task claimed and acked, a put. */
  unit: string;
  batch: number;
  inFlight: number;
  describe: string;
  /** Gets a fresh, empty directory. */
  run: (dir: string) => Promise<Timed>;
}

let nextN = 0;
function newTasks(count: number): TaskDraft[] {
  return Array.from({ length: count }, () => ({ type: 'bench', payload: { n: nextN++ } }));
}

function submit(count: number): Draft & { kind: 'submit' } {
  return { kind: 'submit', tasks: newTasks(count) };
}

/** The engine behind the broker's pipeline, as a broker opens them. */
function openPipeline(dir: string): Pipeline {
  return new Pipeline(Engine.open({ dir }), { maxPayloadBytes: 10 * 1024 * 1024, maxResultBytes: 10 * 1024 * 1024 });
}

async function closePipeline(pipeline: Pipeline): Promise<void> {
  await pipeline.close();
  await pipeline.engine.close();
}

async function expectOk(pipeline: Pipeline, drafts: Draft[]): Promise<void> {
  for (const outcome of await pipeline.submitBatch(drafts)) if (!outcome.ok) throw outcome.error;
}

/** Loads `count` pending tasks, 1,000 to a transaction (not timed). */
async function load(pipeline: Pipeline, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1_000) await pipeline.execute(submit(Math.min(1_000, count - done)));
}

interface Timed {
  units: number;
  seconds: number;
  /** CPU time of the whole process (every thread), in µs: less sensitive than wall time to other load. */
  cpuUs: number;
}

function startClock(): (units: number) => Timed {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return (units) => {
    const used = process.cpuUsage(cpu);
    return { units, seconds: (performance.now() - wall) / 1_000, cpuUs: used.user + used.system };
  };
}

/** `inFlight` submitters, each awaiting its command before sending the next: `total` tasks in all. */
async function submits(dir: string, batch: number, inFlight: number, total: number): Promise<Timed> {
  const pipeline = openPipeline(dir);
  try {
    const perSubmitter = Math.ceil(total / batch / inFlight);
    const stop = startClock();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = 0; i < perSubmitter; i++) await pipeline.execute(submit(batch));
      }),
    );
    return stop(perSubmitter * inFlight * batch);
  } finally {
    await closePipeline(pipeline);
  }
}

/**
 * `inFlight` workers, each: claim up to `batch`, then ack all of them in one submitBatch, until
 * `total` tasks (loaded beforehand, untimed) are done.
 */
async function claimAcks(dir: string, batch: number, inFlight: number, total: number): Promise<Timed> {
  const pipeline = openPipeline(dir);
  try {
    await load(pipeline, total);
    let acked = 0;
    const stop = startClock();
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        for (;;) {
          const claimed = await pipeline.execute({ kind: 'claim', workerId: `w${worker}`, queues: ['default'], max: batch, leaseMs: LEASE_MS });
          if (claimed.length === 0) return;
          await expectOk(
            pipeline,
            claimed.map((task) => ({ kind: 'ack', id: task.id, token: task.lease!.token })),
          );
          acked += claimed.length;
        }
      }),
    );
    const timed = stop(acked);
    if (acked !== total) throw new Error(`acked ${acked} of ${total}`);
    return timed;
  } finally {
    await closePipeline(pipeline);
  }
}

/** lmdb-js alone, opened as the engine opens it (defaults: overlappingSync, msgpack values). */
async function rawPuts(dir: string, mode: 'event-turn' | 'transactionSync' | 'txn-per-put', total: number): Promise<Timed> {
  const env = open({ path: dir, maxDbs: 16 });
  const db = env.openDB<{ n: number }, string>({ name: 'raw' });
  try {
    let n = 0;
    const key = () => `0190a4c2-${(n++).toString(16).padStart(12, '0')}`;
    const stop = startClock();
    if (mode === 'event-turn') {
      // 1,000 puts issued in one event turn: lmdb-js writes them in one transaction.
      for (let done = 0; done < total; done += 1_000) {
        let last: Promise<boolean> | undefined;
        for (let i = 0; i < 1_000; i++) last = db.put(key(), { n });
        await last;
        await env.flushed;
      }
    } else if (mode === 'transactionSync') {
      // 1,000 putSync inside one transactionSync: how the engine writes.
      for (let done = 0; done < total; done += 1_000) {
        env.transactionSync(() => {
          for (let i = 0; i < 1_000; i++) db.putSync(key(), { n });
        });
        await env.flushed;
      }
    } else {
      for (let done = 0; done < total; done++) {
        env.transactionSync(() => db.putSync(key(), { n }));
        await env.flushed;
      }
    }
    return stop(total);
  } finally {
    await env.close();
  }
}

const SCENARIOS: Scenario[] = [
  { name: 'submit-1', group: 'submit', unit: 'task', batch: 1, inFlight: 1, describe: 'one task a command, one command at a time', run: (dir) => submits(dir, 1, 1, 2_000) },
  { name: 'submit-1x1000', group: 'submit', unit: 'task', batch: 1, inFlight: 1_000, describe: 'one task a command, 1,000 commands in flight (group commit)', run: (dir) => submits(dir, 1, 1_000, 50_000) },
  { name: 'submit-100', group: 'submit', unit: 'task', batch: 100, inFlight: 1, describe: '100 tasks a command, one command at a time', run: (dir) => submits(dir, 100, 1, 50_000) },
  { name: 'submit-1000', group: 'submit', unit: 'task', batch: 1_000, inFlight: 1, describe: '1,000 tasks a command, one command at a time', run: (dir) => submits(dir, 1_000, 1, 100_000) },
  { name: 'claim-1', group: 'claim+ack', unit: 'cycle', batch: 1, inFlight: 1, describe: 'claim max=1, then its ack; one worker', run: (dir) => claimAcks(dir, 1, 1, 1_000) },
  { name: 'claim-1x100', group: 'claim+ack', unit: 'cycle', batch: 1, inFlight: 100, describe: 'claim max=1, then its ack; 100 workers at once (group commit)', run: (dir) => claimAcks(dir, 1, 100, 20_000) },
  { name: 'claim-100', group: 'claim+ack', unit: 'cycle', batch: 100, inFlight: 1, describe: 'claim max=100, then 100 acks in one submitBatch; one worker', run: (dir) => claimAcks(dir, 100, 1, 50_000) },
  { name: 'claim-1000', group: 'claim+ack', unit: 'cycle', batch: 1_000, inFlight: 1, describe: 'claim max=1000, then 1,000 acks in one submitBatch; one worker', run: (dir) => claimAcks(dir, 1_000, 1, 100_000) },
  { name: 'lmdb-put-1000', group: 'lmdb floor', unit: 'put', batch: 1_000, inFlight: 1, describe: 'lmdb-js: 1,000 db.put in one event turn, await flushed', run: (dir) => rawPuts(dir, 'event-turn', 200_000) },
  { name: 'lmdb-putSync-1000', group: 'lmdb floor', unit: 'put', batch: 1_000, inFlight: 1, describe: 'lmdb-js: 1,000 putSync in one transactionSync (as the engine writes)', run: (dir) => rawPuts(dir, 'transactionSync', 200_000) },
  { name: 'lmdb-txn-per-put', group: 'lmdb floor', unit: 'put', batch: 1, inFlight: 1, describe: 'lmdb-js: one fdatasync\'d transactionSync per put', run: (dir) => rawPuts(dir, 'txn-per-put', 2_000) },
];

interface Result {
  name: string;
  group: Scenario['group'];
  unit: string;
  batch: number;
  inFlight: number;
  describe: string;
  perSecond: Summary;
  /** CPU µs (all threads) per unit. */
  cpuUsPerUnit: Summary;
}

interface Run {
  perSecond: number;
  cpuUsPerUnit: number;
}

async function runOnce(scenario: Scenario): Promise<Run> {
  const dir = mkdtempSync(join(BASE, `tq-bench-${scenario.name}-`));
  try {
    const { units, seconds, cpuUs } = await scenario.run(dir);
    return { perSecond: units / seconds, cpuUsPerUnit: Math.round((cpuUs / units) * 100) / 100 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface DiskUse {
  tasks: number;
  payload: string;
  fileBytes: number;
  fileBytesPerTask: number;
  usedBytesPerTask: number;
  pageSize: number;
  /** Pages (branch + leaf + overflow) per database, and their bytes per task. */
  databases: Record<string, { entries: number; pages: number; bytesPerTask: number }>;
  taskRecordBytes: number;
}

/** data.mdb after loading `count` pending tasks with a small payload, and where its pages go. */
async function diskUse(count: number): Promise<DiskUse> {
  const dir = mkdtempSync(join(BASE, 'tq-bench-disk-'));
  try {
    const pipeline = openPipeline(dir);
    await load(pipeline, count);
    const pending = pipeline.engine.stats(Date.now()).totals.pending;
    await closePipeline(pipeline);
    if (pending !== count) throw new Error(`expected ${count} pending tasks, found ${pending}`);
    const fileBytes = statSync(join(dir, 'data.mdb')).size;
    const env = open({ path: dir, maxDbs: 16, readOnly: true });
    try {
      const stats = env.getStats() as { pageSize: number; lastPageNumber: number };
      const databases: DiskUse['databases'] = {};
      let firstId: string | undefined;
      for (const name of ['tasks', 'blobs', 'ready', 'due', 'leases', 'bystate', 'idem', 'counts', 'queues', 'meta']) {
        const db = env.openDB({ name, encoding: 'binary' });
        const s = db.getStats() as { entryCount: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
        const pages = s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
        databases[name] = { entries: s.entryCount, pages, bytesPerTask: Math.round(((pages * stats.pageSize) / count) * 10) / 10 };
        if (name === 'tasks') for (const key of db.getKeys({ limit: 1 })) firstId = key as string;
      }
      const taskRecordBytes = env.openDB({ name: 'tasks', encoding: 'binary' }).getBinary(firstId!)?.length ?? 0;
      return {
        tasks: count,
        payload: '{ n: i }',
        fileBytes,
        fileBytesPerTask: Math.round((fileBytes / count) * 10) / 10,
        usedBytesPerTask: Math.round((((stats.lastPageNumber + 1) * stats.pageSize) / count) * 10) / 10,
        pageSize: stats.pageSize,
        databases,
        taskRecordBytes,
      };
    } finally {
      await env.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const selected = SCENARIOS.filter((scenario) => !args.only || scenario.name === args.only);
if (args.only && selected.length === 0 && args.only !== 'disk') {
  throw new Error(`no scenario ${args.only}: use one of ${SCENARIOS.map((s) => s.name).join(', ')}, disk`);
}
const about = machine();
console.log(`tq engine benchmark: ${about.cpu}, ${about.cores} cores, Node ${about.node}, lmdb ${about.lmdb}; ${REPS} repetitions, data in ${BASE}`);
console.log('Every figure is durable: counted once its promise resolved, after the commit with fdatasync.');
if (about.loadAverage > 0.5) console.log(`warning: load average ${about.loadAverage} at start: other work on this machine will lower the figures`);
console.log();

// Warm up: let V8 compile the engine's and lmdb-js's hot paths before anything is timed.
{
  const dir = mkdtempSync(join(BASE, 'tq-bench-warmup-'));
  try {
    await submits(join(dir, 'a'), 1_000, 1, 20_000);
    await claimAcks(join(dir, 'b'), 1_000, 1, 20_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Repetitions go round all scenarios in turn, so a burst of other work on the machine lowers one
// run of several scenarios rather than every run of one.
const runs = new Map<Scenario, Run[]>(selected.map((scenario) => [scenario, []]));
for (let rep = 1; rep <= REPS; rep++) {
  for (const scenario of selected) {
    const run = await runOnce(scenario);
    runs.get(scenario)!.push(run);
    console.log(`  ${rep}/${REPS} ${scenario.name.padEnd(18)} ${formatCount(run.perSecond).padStart(9)} ${scenario.unit}s/s  (${run.cpuUsPerUnit} CPU µs/${scenario.unit})`);
  }
}
const results: Result[] = selected.map((scenario) => {
  const { run: _, ...rest } = scenario;
  const done = runs.get(scenario)!;
  return { ...rest, perSecond: summarize(done.map((run) => run.perSecond)), cpuUsPerUnit: summarize(done.map((run) => run.cpuUsPerUnit)) };
});
const disk = !args.only || args.only === 'disk' ? await diskUse(100_000) : null;

console.log(
  `\n${table(
    ['scenario', 'what', 'batch', 'in flight', 'median /s', 'min /s', 'max /s', 'CPU µs/unit'],
    results.map((r) => [
      r.name,
      r.describe,
      String(r.batch),
      String(r.inFlight),
      formatCount(r.perSecond.median),
      formatCount(r.perSecond.min),
      formatCount(r.perSecond.max),
      r.cpuUsPerUnit.median.toFixed(1),
    ]),
  )}`,
);
if (disk) {
  console.log(
    `\nDisk: ${formatCount(disk.tasks)} pending tasks with payload ${disk.payload}: data.mdb ${formatCount(disk.fileBytes)} bytes = ${disk.fileBytesPerTask} bytes/task` +
      ` (pages in use: ${disk.usedBytesPerTask} bytes/task; one task record: ${disk.taskRecordBytes} bytes)`,
  );
  console.log(
    table(
      ['database', 'entries', 'pages', 'bytes/task'],
      Object.entries(disk.databases).map(([name, d]) => [name, formatCount(d.entries), formatCount(d.pages), String(d.bytesPerTask)]),
    ),
  );
}

if (!args.only) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
  writeFileSync(args.out!, `${JSON.stringify({ machine: { ...about, loadAverageAtEnd, dataDir: BASE }, repetitions: REPS, durability: 'every figure counts a command after its promise resolved: committed with fdatasync (lmdb-js transactionSync, overlappingSync default)', results, disk }, null, 2)}\n`);
  console.log(`\nwrote ${args.out}`);
}
