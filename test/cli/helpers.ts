/** Shared by the CLI tests: run `tq` as a real process and check what it printed. */
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { runTq, type RunResult } from '../helpers/broker.ts';

export { runTq, type RunResult };

/** Runs tq against `broker` (appends --broker). */
export function tqAt(broker: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return runTq([...args, '--broker', broker], options);
}

function describe(args: unknown, result: RunResult): string {
  return `tq ${JSON.stringify(args)} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** The command succeeded; returns its stdout. */
export function ok(result: RunResult, what: unknown = ''): string {
  assert.equal(result.code, 0, describe(what, result));
  return result.stdout;
}

export function okJson<T = any>(result: RunResult, what: unknown = ''): T {
  return JSON.parse(ok(result, what)) as T;
}

export function okYaml<T = any>(result: RunResult, what: unknown = ''): T {
  return load(ok(result, what)) as T;
}

/**
 * The command failed the way a user error must: a non-zero exit (`code` if given), exactly one
 * line on stderr starting with "tq: " (matching `pattern`), and no stack trace.
 */
export function failsWithOneLine(result: RunResult, pattern: RegExp, code?: number): string {
  const context = describe('', result);
  if (code === undefined) assert.notEqual(result.code, 0, context);
  else assert.equal(result.code, code, context);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr expected\n${context}`);
  assert.match(lines[0]!, /^tq: /, context);
  assert.match(lines[0]!, pattern, context);
  assert.doesNotMatch(result.stderr + result.stdout, /^\s+at /m, `no stack trace expected\n${context}`);
  return lines[0]!;
}

export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
