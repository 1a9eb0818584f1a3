/**
 * The tq side of the benchmarks: a real broker process (`tq broker start`, from bin/run.js with
 * the project's Node) on a free port in a temporary data directory, real worker processes
 * (`tq worker start` with bench/handlers/noop.ts), and a TqClient over TCP.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TqClient } from '../src/client/client.ts';
import { collectSamples, type Payload, type Session, type Side } from './lib/side.ts';
import { type Child, freePort, hrms, removeDir, rssOf, type Rss, spawnChild, tempDir } from './lib/procs.ts';

export const RUN = fileURLToPath(new URL('../bin/run.js', import.meta.url));
export const NOOP_HANDLERS = fileURLToPath(new URL('./handlers/noop.ts', import.meta.url));
export const FIRST_HANDLERS = fileURLToPath(new URL('./handlers/first.ts', import.meta.url));
const TIMED_WORKER = fileURLToPath(new URL('./workers/tq-timed.ts', import.meta.url));

/** Node options for broker and worker processes, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (set by run.ts). */
export const brokerNodeArgs: string[] = [];
export const workerNodeArgs: string[] = [];

/**
 * Environment for every tq process: no HTTP server (the TCP protocol is what is measured, and two
 * brokers must not fight over the default HTTP port), everything else at its default.
 */
const TQ_ENV = { ...process.env, TQ_HTTP: 'false' };

export interface TqBroker {
  port: number;
  address: string;
  pid: number;
  dataDir: string;
  child: Child;
  /** When the harness saw "broker listening", in hrms(). */
  listeningAt: number;
  connect: () => Promise<TqClient>;
  rss: () => Rss;
  /** SIGTERM (a clean stop, so a --cpu-prof profile gets written); keeps the data directory. */
  stop: () => Promise<void>;
  /** stop(), then removes the data directory (unless it was given). */
  dispose: () => Promise<void>;
}

/** Starts a broker and resolves once it listens. Default: a fresh data directory, any free port. */
export async function startTqBroker(options: { dataDir?: string; port?: number; onSpawn?: () => void } = {}): Promise<TqBroker> {
  const ownDir = options.dataDir ? null : tempDir('tq-bench-broker-');
  const dataDir = options.dataDir ?? join(ownDir!, 'data');
  const args = [...brokerNodeArgs, RUN, 'broker', 'start', '--data-dir', dataDir, '--port', String(options.port ?? 0)];
  const child = spawnChild(process.execPath, args, { name: 'tq broker', env: TQ_ENV });
  options.onSpawn?.();
  const match = await child.waitFor(/"msg":"broker listening".*?"port":(\d+)/, 120_000);
  const listeningAt = hrms();
  const port = Number(match[1]);
  const address = `127.0.0.1:${port}`;
  const stop = () => child.stop('SIGTERM', 60_000);
  return {
    port,
    address,
    pid: child.pid,
    dataDir,
    child,
    listeningAt,
    connect: () => TqClient.connect({ broker: address, name: 'tq-bench' }),
    rss: () => rssOf(child.pid),
    stop,
    dispose: async () => {
      await stop();
      if (ownDir) removeDir(ownDir);
    },
  };
}

export interface TqWorkerProcess {
  child: Child;
  stop: () => Promise<void>;
}

/** `tq worker start` with the given handlers file; resolves once connected (unless `waitConnected` is false). */
export async function startTqWorker(address: string, options: { concurrency: number; handlers?: string; waitConnected?: boolean }): Promise<TqWorkerProcess> {
  const args = [...workerNodeArgs, RUN, 'worker', 'start', '--broker', address, '--concurrency', String(options.concurrency), '--handlers', options.handlers ?? NOOP_HANDLERS, '--grace', '1s'];
  const child = spawnChild(process.execPath, args, { name: 'tq worker', env: TQ_ENV });
  if (options.waitConnected !== false) await child.waitFor(/"msg":"connected to the broker"/, 60_000);
  return { child, stop: () => child.stop('SIGTERM', 10_000) };
}

/**
 * A worker process that records, for each task, when its handler started and when the broker
 * confirmed its outcome (bench/workers/tq-timed.ts: TqWorker, the runtime `tq worker start` runs).
 */
export async function startTqTimedWorker(address: string, concurrency: number): Promise<Child> {
  const child = spawnChild(process.execPath, [...workerNodeArgs, TIMED_WORKER, address, String(concurrency)], { name: 'tq timed worker', env: TQ_ENV, ipc: true });
  await child.waitFor(/^ready$/m, 60_000);
  return child;
}

export { freePort };

export const tqSide: Side = {
  name: 'tq',
  async open(): Promise<Session> {
    const broker = await startTqBroker();
    const client = await broker.connect();
    const stoppers: (() => Promise<void>)[] = [];
    return {
      submit: (payload: Payload, type = 'noop') => client.submit({ type, payload }),
      submitBatch: (payloads: Payload[]) => client.submitMany(payloads.map((payload) => ({ type: 'noop', payload }))),
      pause: async () => void (await client.pauseQueue('default')),
      resume: async () => void (await client.resumeQueue('default')),
      completed: async () => (await client.stats()).totals.succeeded,
      async startWorkers(count, concurrency) {
        const started = await Promise.all(Array.from({ length: count }, () => startTqWorker(broker.address, { concurrency })));
        const stop = async () => void (await Promise.all(started.map((worker) => worker.stop())));
        stoppers.push(stop);
        return { pids: started.map((worker) => worker.child.pid), stop };
      },
      async startTimedWorker(concurrency) {
        const child = await startTqTimedWorker(broker.address, concurrency);
        const stop = () => child.stop('SIGTERM', 10_000);
        stoppers.push(stop);
        return { collect: () => collectSamples(child), stop };
      },
      serverPid: broker.pid,
      serverRss: () => broker.rss(),
      serverMemoryExtra: async () => ({}),
      async close() {
        await Promise.all(stoppers.map((stop) => stop()));
        client.close();
        await broker.dispose();
      },
    };
  },
};
