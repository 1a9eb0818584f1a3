/**
 * Worker processes for tests, beside test/helpers/broker.ts: `tq worker start` against a test
 * broker, a broker restarted on the port it had, a broker config with fast retries, and waiting
 * for a task to reach a state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { TqClient } from '../../src/client/client.ts';
import type { TaskState } from '../../src/model/task.ts';
import type { WireTask } from '../../src/protocol/messages.ts';
import { type BrokerProcess, eventually, removeDir, RUN, startBroker, tempDir } from '../helpers/broker.ts';

/** Short leases and fast retries, so expiry and backoff cost little test time. */
export const TEST_LEASE = '2s';

/** A broker config whose `default` queue retries after 10-50 ms instead of 1 s and up. */
const configDir = tempDir('tq-worker-config-');
process.once('exit', () => removeDir(configDir));
let configs = 0;

export function fastRetryConfig(extraYaml = ''): string {
  const file = join(configDir, `broker-${++configs}.yaml`);
  writeFileSync(file, `queues:\n  default:\n    backoffBase: 10ms\n    backoffCap: 50ms\n${extraYaml}`);
  return file;
}

/** A broker for worker tests: 2 s leases, fast retries; `yaml` adds settings to its config file. */
export function startTestBroker(options: { dataDir?: string; port?: number; args?: string[]; yaml?: string } = {}): Promise<BrokerProcess> {
  return startBroker({ dataDir: options.dataDir, port: options.port, args: ['--lease', TEST_LEASE, '--config', fastRetryConfig(options.yaml), ...(options.args ?? [])] });
}

/** Removes a test broker's data directory, and the temporary directory startBroker made around it. */
export function removeBrokerDirs(broker: BrokerProcess | undefined): void {
  if (!broker) return;
  removeDir(basename(broker.dataDir) === 'data' && basename(dirname(broker.dataDir)).startsWith('tq-test-') ? dirname(broker.dataDir) : broker.dataDir);
}

/** A broker started again on the data directory and port of one that has exited. */
export function restartBroker(old: BrokerProcess, args: string[] = []): Promise<BrokerProcess> {
  return startTestBroker({ dataDir: old.dataDir, port: old.port, args });
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface WorkerProcess {
  proc: ChildProcess;
  /** Everything the worker printed so far. */
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) and waits for the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** SIGKILL and wait. */
  kill: () => Promise<void>;
  /** Resolves once the worker's output matches `pattern`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

/**
 * Spawns `tq worker start --broker ADDRESS ...args` (no --broker when `address` is null); resolves
 * once it is connected (unless `connected: false`).
 */
export async function startWorker(address: string | null, args: string[] = [], options: { connected?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [RUN, 'worker', 'start', ...(address === null ? [] : ['--broker', address]), ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const worker: WorkerProcess = {
    proc,
    output: () => output,
    exited,
    stop: (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
    waitFor: (pattern, timeoutMs = 20_000) =>
      eventually(() => {
        if (pattern.test(output)) return true;
        if (done) throw new Error(`the worker exited before printing ${pattern}:\n${output}`);
        return undefined;
      }, timeoutMs, `worker output ${pattern}`).then(() => undefined),
  };
  if (options.connected !== false) await worker.waitFor(/"msg":"connected to the broker"/);
  return worker;
}

/** Waits until task `id` is in `state` (and `also` holds), and returns it. */
export function waitForState(client: TqClient, id: string, state: TaskState, also: (task: WireTask) => boolean = () => true, timeoutMs = 20_000): Promise<WireTask> {
  return eventually(async () => {
    const task = await client.get(id);
    return task.state === state && also(task) ? task : undefined;
  }, timeoutMs, `task ${id} to be ${state}`);
}
