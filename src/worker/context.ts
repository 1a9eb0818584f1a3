/**
 * The `ctx` a handler gets for one attempt. Progress reports are coalesced: at most one is on its
 * way per task and the latest value replaces any that waited, so a handler may report in a tight
 * loop without flooding the broker. Progress is informational: it is dropped while disconnected
 * and after the attempt ended, and a failed report is only logged.
 */
import type { Ops } from '../protocol/messages.ts';
import type { Fields, Logger } from '../log/logger.ts';
import type { Job } from './job.ts';
import type { HandlerContext } from './types.ts';

export interface ContextDeps {
  workerId: string;
  log: Logger;
  connected: () => boolean;
  progress: (args: Ops['progress']['args']) => Promise<unknown>;
}

export function childLogger(log: Logger, fields: Fields): Logger {
  return {
    debug: (message, more) => log.debug(message, { ...fields, ...more }),
    info: (message, more) => log.info(message, { ...fields, ...more }),
    warn: (message, more) => log.warn(message, { ...fields, ...more }),
    error: (message, more) => log.error(message, { ...fields, ...more }),
  };
}

export function handlerContext(job: Job, deps: ContextDeps): HandlerContext {
  const { task } = job;
  const log = childLogger(deps.log, { task: task.id, type: task.type, attempt: task.attempts });
  return {
    signal: job.signal,
    progress: progressReporter(job, deps, log),
    log,
    attempt: task.attempts,
    token: job.token,
    taskId: task.id,
    type: task.type,
    queue: task.queue,
    workerId: deps.workerId,
    deadline: job.deadline,
  };
}

function progressReporter(job: Job, deps: ContextDeps, log: Logger): HandlerContext['progress'] {
  let waiting: { fraction: number; message: string | null; resolvers: (() => void)[] } | null = null;
  let sending = false;

  const pump = () => {
    if (sending || !waiting) return;
    const next = waiting;
    waiting = null;
    if (job.phase !== 'running' || !deps.connected()) {
      for (const resolve of next.resolvers) resolve();
      return;
    }
    sending = true;
    deps
      .progress({ id: job.task.id, token: job.token, fraction: next.fraction, message: next.message })
      .catch((error: Error) => log.debug('progress report failed', { error: error.message }))
      .finally(() => {
        sending = false;
        for (const resolve of next.resolvers) resolve();
        pump();
      });
  };

  return (fraction, message = null) => {
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
      throw new RangeError(`ctx.progress: fraction must be a number from 0 to 1 (got ${JSON.stringify(fraction)})`);
    }
    const text = message === null || message === undefined ? null : String(message);
    return new Promise<void>((resolve) => {
      if (waiting) {
        waiting.fraction = fraction;
        waiting.message = text;
        waiting.resolvers.push(resolve);
      } else {
        waiting = { fraction, message: text, resolvers: [resolve] };
      }
      pump();
    });
  };
}
