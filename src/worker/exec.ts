/**
 * The built-in `exec` handler: runs a command line with the task's payload as JSON on stdin.
 *
 * Payload: `{command: string | string[], cwd?: string, env?: {NAME: value}}` (other fields are
 * the command's business: the whole payload is on its stdin). A string runs with `sh -c`; an array
 * runs the program directly. The result is stdout as text (at most 1 MiB; a longer output is cut
 * and says so). A non-zero exit fails the attempt with the end of stderr as the error.
 *
 * The command runs in its own process group. When the attempt is aborted (timeout, cancel, lost
 * lease, stopping worker) the whole group gets SIGTERM, then SIGKILL 2 s later; when the command
 * exits, whatever it left running in its group is killed, so nothing outlives its task.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { HandlerContext, HandlerTask } from './types.ts';

export const MAX_STDOUT_BYTES = 1024 * 1024;
/** The tail of stderr kept for the error (the task's error is cut at 8 KiB anyway). */
export const MAX_STDERR_BYTES = 8 * 1024;
const KILL_AFTER_MS = 2_000;

export interface ExecPayload {
  command: string | string[];
  cwd?: string;
  env?: Record<string, string>;
  [field: string]: unknown;
}

export async function execHandler(task: HandlerTask<ExecPayload>, ctx: HandlerContext): Promise<string> {
  const payload = task.payload;
  const command = payload?.command;
  let file: string;
  let args: string[];
  if (typeof command === 'string' && command.trim() !== '') {
    [file, args] = ['/bin/sh', ['-c', command]];
  } else if (Array.isArray(command) && command.length > 0 && command.every((part) => typeof part === 'string') && command[0] !== '') {
    [file, args] = [command[0]!, command.slice(1)];
  } else {
    throw new TypeError('exec needs a payload {command: "a shell command line"} or {command: ["program", "arg", ...]}');
  }
  if (payload.env !== undefined && (payload.env === null || typeof payload.env !== 'object' || Object.values(payload.env).some((value) => typeof value !== 'string'))) {
    throw new TypeError('exec: payload.env must map names to strings');
  }
  ctx.signal.throwIfAborted();

  const child = spawn(file, args, {
    cwd: typeof payload.cwd === 'string' ? payload.cwd : undefined,
    env: { ...process.env, ...payload.env, TQ_TASK_ID: task.id, TQ_TASK_TYPE: task.type, TQ_TASK_ATTEMPT: String(ctx.attempt) },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const stdout = new Head(MAX_STDOUT_BYTES);
  const stderr = new Tail(MAX_STDERR_BYTES);
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin!.on('error', () => undefined); // a command that does not read its stdin
  child.stdin!.end(JSON.stringify(payload));

  return new Promise<string>((resolve, reject) => {
    let killTimer: NodeJS.Timeout | null = null;
    const onAbort = () => {
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_AFTER_MS);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      ctx.signal.removeEventListener('abort', onAbort);
      reject(new Error(`exec: cannot run ${JSON.stringify(file)}: ${error.message}`));
    });
    // The command has exited: what it left behind in its group goes too, which also closes the pipes.
    child.once('exit', () => killGroup(child, 'SIGKILL'));
    child.once('close', (code, signal) => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (killTimer && !ctx.signal.aborted) clearTimeout(killTimer);
      if (ctx.signal.aborted) return reject(ctx.signal.reason);
      if (code === 0) return resolve(stdout.text());
      const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
      const err = stderr.text().trim();
      reject(new Error(`command failed with ${how}${err ? `: ${err}` : ' (no stderr)'}`));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** The first `max` bytes of a stream, and how many were dropped. */
class Head {
  private readonly max: number;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(max: number) {
    this.max = max;
  }

  push(chunk: Buffer): void {
    const room = this.max - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${text}\n[tq: output cut at ${this.max} bytes; ${this.dropped} more bytes dropped]` : text;
  }
}

/** The last `max` bytes of a stream. */
class Tail {
  private readonly max: number;
  private buffer = Buffer.alloc(0);
  private cut = false;

  constructor(max: number) {
    this.max = max;
  }

  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.buffer, chunk]);
    if (joined.length > this.max) this.cut = true;
    this.buffer = joined.length > this.max ? Buffer.from(joined.subarray(joined.length - this.max)) : joined;
  }

  text(): string {
    const text = this.buffer.toString('utf8');
    return this.cut ? `[…] ${text}` : text;
  }
}
