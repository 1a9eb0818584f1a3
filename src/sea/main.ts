// The main script of the single executable dist/tq.
//
// Node 24's SEA runs its main script as CommonJS only (no "mainFormat"), but
// the application bundle is ESM (ink and yoga-layout use top-level await). So
// the build compiles this file to CommonJS, and at run time it
//   1. writes the SEA assets (the ESM bundle tq.mjs, the native addons under
//      native/, lmdb's dict/dict.txt) once into a cache directory named by the
//      build id: $XDG_CACHE_HOME/tq/<id>, else ~/.cache/tq/<id>, else
//      <tmpdir>/tq-<uid>/<id>; the directory appears whole by rename(2), so
//      concurrent first runs (e.g. a fleet of workers) are safe;
//   2. turns on V8's compile cache there, so later starts skip parsing;
//   3. imports the bundle, which runs the CLI (src/sea/entry.ts).
// Only Node built-ins (and src/sea/node-options.ts, which uses none) are used here.
import { lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { getRawAsset } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { restartForBroker } from './node-options.ts';

type Asset = { key: string; size: number };
// Filled in by scripts/build-binary.ts (esbuild `define`).
declare const __TQ_BUILD_ID__: string;
declare const __TQ_ASSETS__: Asset[];
declare const __TQ_ENTRY__: string;

function isComplete(dir: string): boolean {
  try {
    return __TQ_ASSETS__.every((a) => statSync(join(dir, a.key)).size === a.size);
  } catch {
    return false;
  }
}

function extract(dir: string): void {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    for (const a of __TQ_ASSETS__) {
      const file = join(tmp, a.key);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, new Uint8Array(getRawAsset(a.key)), { mode: a.key.endsWith('.node') ? 0o700 : 0o600 });
    }
    try {
      renameSync(tmp, dir);
    } catch (error) {
      // Another process won the race: fine if what it left is whole.
      if (isComplete(dir)) return;
      // A damaged directory (partly deleted by hand): replace it.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      const trash = `${dir}.trash-${process.pid}-${Date.now()}`;
      renameSync(dir, trash);
      rmSync(trash, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function candidateBases(): string[] {
  const bases: string[] = [];
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) bases.push(join(xdg, 'tq'));
  try {
    const home = homedir();
    if (home) bases.push(join(home, '.cache', 'tq'));
  } catch {
    // no home directory: fall through to tmpdir
  }
  bases.push(join(tmpdir(), `tq-${process.getuid?.() ?? 'user'}`));
  return bases;
}

function safeBase(base: string): boolean {
  // A shared directory such as /tmp: accept only our own, non-symlinked one.
  if (!base.startsWith(tmpdir())) return true;
  const st = lstatSync(base);
  return st.isDirectory() && !st.isSymbolicLink() && st.uid === process.getuid?.();
}

function assetDir(): string {
  const errors: string[] = [];
  for (const base of candidateBases()) {
    const dir = join(base, __TQ_BUILD_ID__);
    if (isComplete(dir)) return dir;
    try {
      mkdirSync(base, { recursive: true, mode: 0o700 });
      if (!safeBase(base)) throw new Error('not a private directory');
      extract(dir);
      if (isComplete(dir)) return dir;
      throw new Error('incomplete after extraction');
    } catch (error) {
      errors.push(`${base}: ${(error as Error).message}`);
    }
  }
  throw new Error(`tq: cannot write its runtime files to any cache directory:\n  ${errors.join('\n  ')}`);
}

// A broker's process needs an environment the C library reads at start-up
// (src/sea/node-options.ts; the V8 options come from the SEA config): restart
// in place with it first.
restartForBroker(process.argv.slice(2), false, () => [process.execPath, ...process.argv.slice(2)]);

try {
  const dir = assetDir();
  module.enableCompileCache?.(join(dir, 'compile-cache'));
  let settled = false;
  import(pathToFileURL(join(dir, __TQ_ENTRY__)).href).then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      settled = true;
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
  // Node ends an ESM main whose top-level await can never settle (nothing
  // left in the event loop) with exit code 13 and a warning. A bundle
  // imported from a CommonJS main gets neither: it would end with 0, silently.
  // Do what `node bin/run.js` does.
  process.once('beforeExit', () => {
    if (settled || (process.exitCode !== undefined && process.exitCode !== 0)) return;
    process.stderr.write('Warning: tq stopped while its command was still waiting on a promise that can never settle\n');
    process.exitCode = 13;
  });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
