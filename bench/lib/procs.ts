/**
 * Child processes and temporary directories for the benchmarks, with cleanup that always runs:
 * every child spawned through here is killed and every directory made through here is removed
 * when the harness exits, whether it finished, threw, or was interrupted.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Kills every live child (SIGKILL) and removes every temporary directory; safe to call twice. */
export function cleanupSync(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let installed = false;
/** Cleans up on exit, on SIGINT/SIGTERM/SIGHUP and on an uncaught error. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}: stopping children and removing temporary directories`);
      cleanupSync();
      process.exit(130);
    });
  }
}

/** A fresh directory under the system's temporary directory, removed at exit (or by removeDir). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(process.env.TQ_BENCH_DIR ?? tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Everything it printed so far (stdout and stderr), bounded to the last 1 MB. */
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves once the output matches `pattern` (with the match); rejects if the child exits first or after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  /** `signal` (default SIGTERM), then SIGKILL if it has not exited after `graceMs`. */
  stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<void>;
}

const OUTPUT_LIMIT = 1 << 20;

/** Spawns a tracked child with its stdout and stderr captured (and IPC when `ipc`). */
export function spawnChild(command: string, args: string[], options: SpawnOptions & { ipc?: boolean; name: string }): Child {
  const { ipc, name, ...rest } = options;
  const proc = spawn(command, args, { ...rest, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT / 2);
    for (const listener of [...listeners]) listener();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      done = true;
      children.delete(proc);
      for (const listener of [...listeners]) listener();
      resolve(code);
    });
    proc.once('error', (error) => {
      output += `\n${name}: ${error.message}`;
      done = true;
      children.delete(proc);
      for (const listener of [...listeners]) listener();
      resolve(null);
    });
  });
  const child: Child = {
    proc,
    pid: proc.pid ?? -1,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) finish(() => resolve(match));
          else if (done) finish(() => reject(new Error(`${name} exited before printing ${pattern}:\n${output.slice(-4_000)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-4_000)}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
    stop: async (signal = 'SIGTERM', graceMs = 15_000) => {
      if (done) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return child;
}

/** A loopback TCP port that was free a moment ago. */
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

/** Resident memory of a process, from /proc/PID/status, in bytes. */
export interface Rss {
  rss: number;
  /** Heap, stacks, buffers: memory that belongs to the process alone. */
  anon: number;
  /** Pages of mapped files (for the broker: LMDB's memory map), shared with the page cache. */
  file: number;
}

export function rssOf(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc/PID/stat. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), which ends at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime: fields 14 and 15 of the whole line
  return (ticks * 1_000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** Monotonic milliseconds with sub-millisecond precision, comparable across processes on one machine (CLOCK_MONOTONIC). */
export function hrms(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
