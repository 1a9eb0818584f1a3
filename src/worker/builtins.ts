/**
 * Handlers every worker has, so tq does useful work with no code. A handlers file may replace any
 * of them by exporting a handler of the same name.
 *
 * - `echo`: returns the payload.
 * - `sleep` `{ms}`: waits, honouring the abort signal; returns `{sleptMs}`.
 * - `fail` `{message?, succeedOnAttempt?}`: throws `message` until attempt `succeedOnAttempt`.
 * - `exec` `{command, cwd?, env?}`: runs a command with the payload on stdin (see exec.ts). Only on
 *   a worker that allows it (`--allow-exec`, `allowExec: true`): otherwise whoever can submit a
 *   task could run any command on every worker machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execHandler } from './exec.ts';
import type { Handler, Handlers } from './types.ts';

const MAX_SLEEP_MS = 2 ** 31 - 1;

const echo: Handler = (task) => task.payload ?? null;

const sleepHandler: Handler<{ ms?: number } | null> = async (task, ctx) => {
  const ms = task.payload?.ms ?? 1_000;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
    throw new TypeError(`sleep needs a payload {ms: a number of milliseconds from 0 to ${MAX_SLEEP_MS}} (got ${JSON.stringify(ms)})`);
  }
  try {
    await sleep(ms, undefined, { signal: ctx.signal });
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw error;
  }
  return { sleptMs: ms };
};

const fail: Handler<{ message?: string; succeedOnAttempt?: number } | null> = (task, ctx) => {
  const { message, succeedOnAttempt } = task.payload ?? {};
  if (typeof succeedOnAttempt === 'number' && ctx.attempt >= succeedOnAttempt) return { attempt: ctx.attempt };
  throw new Error(typeof message === 'string' && message !== '' ? message : `failed on purpose (attempt ${ctx.attempt})`);
};

/** Every built-in, exec included, for code that asks for one by name. */
export const BUILTIN_HANDLERS: Readonly<Handlers> = Object.freeze({
  echo,
  sleep: sleepHandler,
  fail,
  exec: execHandler as Handler,
});

/** The built-ins a worker loads: all but exec unless `allowExec`. */
export function builtinHandlers(allowExec: boolean): Handlers {
  const { exec, ...safe } = BUILTIN_HANDLERS;
  return allowExec ? { ...safe, exec: exec! } : safe;
}

/** Why a worker has no handler for `type`: for exec, that it is off and how to turn it on. */
export function noHandlerError(type: string, types: readonly string[]): string {
  if (type === 'exec') {
    return 'exec is off on this worker: it runs no shell commands from tasks unless started with --allow-exec (TQ_ALLOW_EXEC=true, or allowExec: true in its config)';
  }
  return `no handler for type ${type} on this worker (it has ${types.join(', ') || 'none'})`;
}
