/**
 * `tq dev`: a broker in this process and a pool of worker processes with the built-in handlers,
 * for trying tq on one machine. Its workers run exec tasks (shell commands) only while the broker
 * listens on loopback, where nobody but this machine's users can submit them. Workers are `tq
 * worker start` children started the same way in the checkout and in the single binary
 * (src/sea/self.ts). Ctrl-C or SIGTERM stops the workers first (they hand unfinished tasks back),
 * then the broker; exit 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { isSea } from 'node:sea';
import { Broker } from '../broker/broker.ts';
import { isLoopback, loadBrokerConfig } from '../broker/config.ts';
import { formatAddress } from '../client/address.ts';
import { TqError } from '../model/errors.ts';
import { tqCommand } from '../sea/self.ts';
import { createLogger, type LogLevel } from '../log/logger.ts';

export interface DevOptions {
  dataDir: string;
  host?: string;
  port: number;
  httpPort?: number;
  workers: number;
  concurrency?: number;
  handlers?: string;
  queues?: string;
  logLevel?: LogLevel;
}

/** How long workers get to finish running tasks when tq dev stops, before they are killed. */
const STOP_WORKERS_MS = 10_000;
const WORKER_GRACE = '8s';
const RESTART_FIRST_MS = 1_000;
const RESTART_CAP_MS = 30_000;
/** A worker that ran this long before it exited is restarted without waiting longer. */
const HEALTHY_MS = 10_000;

export async function runDev(options: DevOptions): Promise<void> {
  const config = loadBrokerConfig({ env: process.env, flags: { dataDir: options.dataDir, host: options.host, port: options.port, httpPort: options.httpPort, logLevel: options.logLevel } });
  const log = createLogger('dev', config.logLevel);
  let broker: Broker;
  try {
    broker = await Broker.start(config, createLogger('broker', config.logLevel));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new TqError('INVALID_ARGUMENT', `port ${config.port} on ${config.host} is already in use (another tq dev or broker?): stop it or pass --port`);
    if (code === 'EACCES') throw new TqError('INVALID_ARGUMENT', `not allowed to listen on ${config.host}:${config.port}: pick a port above 1024`);
    throw error;
  }
  const address = formatAddress(broker.address!);
  // Workers get less grace than tq dev waits for them, so they hand unfinished tasks back in time.
  const workerArgs = ['worker', 'start', '--broker', address, '--grace', WORKER_GRACE];
  if (options.concurrency !== undefined) workerArgs.push('--concurrency', String(options.concurrency));
  if (options.handlers !== undefined) workerArgs.push('--handlers', resolve(options.handlers));
  if (options.queues !== undefined) workerArgs.push('--queues', options.queues);
  if (options.logLevel !== undefined) workerArgs.push('--log-level', options.logLevel);
  const allowExec = isLoopback(config.host);
  if (allowExec) workerArgs.push('--allow-exec');

  const pool = new WorkerPool(workerArgs, options.workers, log);
  pool.start();
  process.stdout.write(banner(address, resolve(config.dataDir), options.workers, options.handlers, broker.http?.url ?? null, allowExec));

  await new Promise<void>((done) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        log.warn('stopping now: second signal', { signal });
        pool.kill();
        return;
      }
      log.info('stopping: workers first, then the broker', { signal });
      void pool
        .stop(STOP_WORKERS_MS)
        .then(() => broker.stop())
        .then(done);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** The command that runs tq itself here: `tq` inside the single binary, `npx tq` in the checkout. */
function tqName(): string {
  return isSea() ? 'tq' : 'npx tq';
}

function banner(address: string, dataDir: string, workers: number, handlers: string | undefined, dashboard: string | null, allowExec: boolean): string {
  const tq = tqName();
  const broker = address === '127.0.0.1:7070' ? '' : ` --broker ${address}`;
  return [
    '',
    `tq dev: a broker on ${address} (data in ${dataDir}) and ${workers} worker${workers === 1 ? '' : 's'} with the built-in handlers echo, sleep, fail${allowExec ? ' and exec' : ''}${handlers ? ` and those of ${handlers}` : ''}.`,
    allowExec
      ? `exec is on: the workers run the shell command of any exec task, since only this machine can reach ${address}.`
      : `exec is off: ${address} is not a loopback address, so the workers run no shell commands (tq worker start --allow-exec runs them).`,
    '',
    'Submit a task from another terminal and wait for its result:',
    `  ${tq} submit --type echo --payload '{"hello":"world"}' --wait${broker}`,
    'Then look around:',
    `  ${tq} list${broker}    ${tq} stats${broker}    ${tq} workers${broker}`,
    ...(dashboard ? ['Or open the dashboard in a browser:', `  ${dashboard}    (REST API: ${dashboard}api/v1, Prometheus: ${dashboard}metrics)`] : []),
    '',
    'Ctrl-C stops the workers, then the broker.',
    '',
    '',
  ].join('\n');
}

interface Slot {
  index: number;
  proc: ChildProcess | null;
  startedAt: number;
  restartMs: number;
  timer: NodeJS.Timeout | null;
}

/** N `tq worker start` children; one that exits by itself is started again, with a backoff. */
class WorkerPool {
  private readonly args: string[];
  private readonly log: ReturnType<typeof createLogger>;
  private readonly slots: Slot[];
  private stopping = false;

  constructor(args: string[], size: number, log: ReturnType<typeof createLogger>) {
    this.args = args;
    this.log = log;
    this.slots = Array.from({ length: size }, (_, index) => ({ index: index + 1, proc: null, startedAt: 0, restartMs: RESTART_FIRST_MS, timer: null }));
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  private spawn(slot: Slot): void {
    slot.timer = null;
    if (this.stopping) return;
    const { command, args } = tqCommand([...this.args, '--name', `dev-worker-${slot.index}`]);
    // The IPC channel closes when tq dev dies, however it dies: a worker that watches it
    // ('disconnect') stops instead of reconnecting forever to a broker that is gone.
    const proc = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    slot.proc = proc;
    slot.startedAt = Date.now();
    proc.on('error', (error) => this.log.error('cannot start a worker', { worker: slot.index, error: error.message }));
    proc.on('exit', (code, signal) => {
      slot.proc = null;
      if (this.stopping) return;
      if (Date.now() - slot.startedAt >= HEALTHY_MS) slot.restartMs = RESTART_FIRST_MS;
      this.log.warn('a worker exited; starting it again', { worker: slot.index, code, signal, in: `${slot.restartMs}ms` });
      slot.timer = setTimeout(() => this.spawn(slot), slot.restartMs);
      slot.restartMs = Math.min(RESTART_CAP_MS, slot.restartMs * 2);
    });
  }

  /** SIGTERM every worker, wait for them to exit; SIGKILL what is left after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const running: ChildProcess[] = [];
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.proc && slot.proc.exitCode === null && slot.proc.signalCode === null) running.push(slot.proc);
    }
    const exits = running.map((proc) => new Promise<void>((done) => proc.once('exit', () => done())));
    for (const proc of running) proc.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  kill(): void {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.proc?.kill('SIGKILL');
    }
  }
}
