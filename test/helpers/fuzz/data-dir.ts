/**
 * Damaged data directories for the data-directory fuzzer: garbage, empty and zeroed files, a real
 * data.mdb (made by a real broker) cut short or with bits flipped, directories where files belong
 * and files where directories belong; and a bounded run of a tq command against one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN, startBroker, tempDir, removeDir } from '../broker.ts';
import { rawClient } from '../protocol.ts';
import type { Rng } from './random.ts';

const PAGE = 4_096;

/** A data.mdb written by a real broker: tasks in several queues and states, payloads inline and not. */
export async function realDataFile(): Promise<Buffer> {
  const root = tempDir('tq-fuzz-real-');
  try {
    const broker = await startBroker({ dataDir: join(root, 'data') });
    const client = await rawClient(broker.port);
    for (let batch = 0; batch < 5; batch++) {
      const tasks = Array.from({ length: 40 }, (_, i) => ({ type: 'fz.job', queue: `q${i % 3}`, payload: { i, pad: 'p'.repeat(i * 30) }, delayMs: i % 4 === 0 ? 60_000 : undefined }));
      await client.request('submit', { tasks });
    }
    await client.request('cancelWhere', { filter: { queue: 'q1' } });
    client.close();
    const code = await broker.stop();
    if (code !== 0) throw new Error(`the broker that wrote the sample data exited with ${code}`);
    return readFileSync(join(root, 'data', 'data.mdb'));
  } finally {
    removeDir(root);
  }
}

export interface DataDirCase {
  /** The path to pass as --data-dir. */
  dir: string;
  label: string;
}

/** Lays out one damaged data directory under `root`. */
export function dataDirCase(rng: Rng, real: Buffer, root: string): DataDirCase {
  const dir = join(root, 'data');
  const file = (bytes: Buffer, label: string): DataDirCase => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data.mdb'), bytes);
    return { dir, label };
  };
  switch (rng.int(0, 10)) {
    case 0: {
      const size = rng.pick([1, 100, PAGE, 2 * PAGE, 4 * PAGE, 65_536, rng.int(1, 1_048_576)]);
      return file(rng.bytes(size), `data.mdb of ${size} random bytes`);
    }
    case 1: {
      const size = rng.pick([0, PAGE, 2 * PAGE, 1_048_576]);
      return file(Buffer.alloc(size), `data.mdb of ${size} zero bytes`);
    }
    case 2:
    case 3: {
      const cut = rng.chance(0.5) ? rng.int(1, real.length - 1) : PAGE * rng.int(1, Math.max(1, Math.floor(real.length / PAGE) - 1));
      return file(real.subarray(0, cut), `a real data.mdb of ${real.length} bytes cut to ${cut}`);
    }
    case 4:
    case 5:
    case 6: {
      const damaged = Buffer.from(real);
      const flips: number[] = [];
      for (let i = rng.int(1, 16); i > 0; i--) {
        // Half the flips land in the two meta pages, which say where everything else is.
        const at = rng.chance(0.5) ? rng.int(0, 2 * PAGE - 1) : rng.int(0, damaged.length - 1);
        damaged[at] = damaged[at]! ^ (1 << rng.int(0, 7));
        flips.push(at);
      }
      return file(damaged, `a real data.mdb with bits flipped at ${flips.join(',')}`);
    }
    case 7: {
      const damaged = Buffer.from(real);
      rng.bytes(2 * PAGE).copy(damaged, 0);
      return file(damaged, 'a real data.mdb with random meta pages');
    }
    case 8: {
      mkdirSync(join(dir, 'data.mdb'), { recursive: true });
      return { dir, label: 'data.mdb is a directory' };
    }
    case 9: {
      writeFileSync(dir, rng.bytes(rng.int(0, 100)));
      return rng.chance(0.5) ? { dir, label: 'the data directory is a file' } : { dir: join(dir, 'sub'), label: 'the data directory is under a file' };
    }
    default: {
      if (rng.chance(0.3)) return { dir: rng.pick(['/proc/1/x', '/proc/self/x/y']), label: 'a data directory under /proc' };
      const made = file(real, 'a real data.mdb with a garbage lock.mdb');
      writeFileSync(join(dir, 'lock.mdb'), rng.bytes(rng.pick([0, 10, 8_192])));
      return made;
    }
  }
}

/** Copies a real data directory file into place unchanged (the control case: every command must succeed). */
export function intactCase(real: Buffer, root: string): DataDirCase {
  const dir = join(root, 'data');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.mdb'), real);
  return { dir, label: 'an intact real data.mdb' };
}

export interface Bounded {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by us after `ms` with no exit. */
  timedOut: boolean;
  /** A broker that came up and was stopped with SIGTERM. */
  started: boolean;
}

/**
 * Runs `tq args` for at most `ms`. A broker that logs it is listening has opened the data
 * directory: it gets SIGTERM, and its exit is what counts.
 */
export function runBounded(args: string[], ms: number): Promise<Bounded> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TQ_HTTP: 'false' } });
    const result: Bounded = { code: null, signal: null, stdout: '', stderr: '', timedOut: false, started: false };
    const timer = setTimeout(() => {
      result.timedOut = true;
      proc.kill('SIGKILL');
    }, ms);
    proc.stdout.on('data', (chunk: Buffer) => {
      result.stdout += chunk.toString();
      if (!result.started && /"msg":"broker listening"/.test(result.stdout)) {
        result.started = true;
        proc.kill('SIGTERM');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      result.code = code;
      result.signal = signal;
      resolve(result);
    });
  });
}
