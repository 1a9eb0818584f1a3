/** Shared by the engine tests: real LMDB in temporary directories, and checks for typed errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plain } from '../../src/model/value.ts';
import { Engine, TqError, type EngineOptions, type ErrorCode, type ListOptions, type TaskRecord } from '../../src/engine/index.ts';

/** A payload or result as a command carries it: encoded once, where it entered the broker. */
export function packed(value: unknown): Uint8Array {
  return plain.pack(value);
}

/** A fixed epoch: tests pass times explicitly, the engine never reads the clock. */
export const T0 = 1_700_000_000_000;

export function makeTempDir(prefix = 'tq-engine-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Opens an engine on a fresh temporary directory, runs `fn`, then closes it and removes the directory. */
export async function withEngine<T>(fn: (engine: Engine, dir: string) => Promise<T>, options: Omit<EngineOptions, 'dir'> = {}): Promise<T> {
  const dir = makeTempDir();
  const engine = Engine.open({ dir, ...options });
  try {
    return await fn(engine, dir);
  } finally {
    await engine.close();
    removeDir(dir);
  }
}

function checkTqError(error: unknown, code: ErrorCode, message?: RegExp): TqError {
  assert.ok(error instanceof TqError, `expected a TqError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  assert.ok(error.message.length > 0, 'a TqError has a message');
  assert.ok(!error.message.includes('\n'), `a TqError's message is one line: ${JSON.stringify(error.message)}`);
  if (message) assert.match(error.message, message);
  return error;
}

/** Awaits `promise`, which must reject with a TqError of `code` (and a message matching `message`). */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<TqError> {
  try {
    const value = await promise;
    assert.fail(`expected ${code}, but it succeeded with ${JSON.stringify(value)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return checkTqError(error, code, message);
  }
}

/** Runs `fn`, which must throw a TqError of `code`. */
export function throwsWith(fn: () => unknown, code: ErrorCode, message?: RegExp): TqError {
  try {
    const value = fn();
    assert.fail(`expected ${code}, but it returned ${JSON.stringify(value)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return checkTqError(error, code, message);
  }
}

/** Every task matching `options`, following cursors page by page; fails on a duplicate or a runaway cursor. */
export function scanAll(engine: Engine, options: Omit<ListOptions, 'cursor'> = {}): { tasks: TaskRecord[]; pages: number } {
  const tasks: TaskRecord[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = engine.list({ ...options, cursor });
    pages++;
    for (const task of page.tasks) {
      assert.ok(!seen.has(task.id), `task ${task.id} listed twice (page ${pages})`);
      seen.add(task.id);
      tasks.push(task);
    }
    assert.ok(pages < 100_000, 'the listing cursor never ends');
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { tasks, pages };
}
