/**
 * Real tq processes for tests: a broker on a free port in a temporary data directory, workers and
 * CLI invocations, all started from bin/run.js with the project's Node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

// Brokers started by tests (here, by other helpers, or by `tq dev`) bind any free HTTP port
// rather than the default 7080, so that tests running side by side never fight over it.
process.env.TQ_HTTP_PORT ??= '0';

export function tempDir(prefix = 'tq-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface BrokerProcess {
  proc: ChildProcess;
  port: number;
  address: string;
  dataDir: string;
  /** The HTTP port (REST, /metrics, dashboard), when the broker logged one (not with --no-http). */
  httpPort?: number;
  /** Everything the broker printed so far. */
  output: () => string;
  /** SIGTERM and wait for the exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL and wait. */
  kill: () => Promise<void>;
}

export interface StartOptions {
  /** The tq entry to run; default this checkout's bin/run.js. */
  bin?: string;
  dataDir?: string;
  /** Default 0: any free port. */
  port?: number;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts `tq broker start --port 0` and resolves once it logs the port it bound. Its HTTP server
 * binds any free port too (TQ_HTTP_PORT=0 unless a test sets it), returned as httpPort.
 */
export function startBroker(options: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? join(tempDir(), 'data');
  const proc = spawn(process.execPath, [options.bin ?? RUN, 'broker', 'start', '--data-dir', dataDir, '--port', String(options.port ?? 0), ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"msg":"broker listening".*?"port":(\d+)/.exec(output);
      if (match) {
        const port = Number(match[1]);
        // The broker logs "http listening" before "broker listening".
        const http = /"msg":"http listening".*?"port":(\d+)/.exec(output);
        resolve({
          proc,
          port,
          address: `127.0.0.1:${port}`,
          dataDir,
          httpPort: http ? Number(http[1]) : undefined,
          output: () => output,
          stop: () => {
            proc.kill('SIGTERM');
            return exited;
          },
          kill: async () => {
            proc.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`broker exited with ${code} before listening:\n${output}`)));
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one `tq` command to completion. */
export function runTq(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [RUN, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdin.end(options.input ?? '');
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
