/**
 * `tq worker start`: load the configuration and the handlers, run a worker until SIGTERM or SIGINT
 * (a second signal skips what is left of the grace), stop cleanly, exit 0.
 */
import { formatDuration } from '../config/duration.ts';
import { createLogger } from '../log/logger.ts';
import { type WorkerConfig, loadWorkerConfig } from './config.ts';
import { loadHandlers } from './handlers.ts';
import { TqWorker } from './worker.ts';

/** After the worker stopped, handlers that ignore their signal must not keep the process alive. */
const EXIT_AFTER_MS = 500;

export async function runWorker(options: { configFile?: string; flags: Partial<Record<keyof WorkerConfig, unknown>> }): Promise<void> {
  const config = loadWorkerConfig({ configFile: options.configFile, env: process.env, flags: options.flags });
  const log = createLogger('worker', config.logLevel);
  const handlers = config.handlers ? await loadHandlers(config.handlers) : {};
  const worker = new TqWorker({
    broker: config.broker,
    queues: config.queues,
    concurrency: config.concurrency,
    handlers,
    name: config.name || undefined,
    graceMs: config.grace,
    allowExec: config.allowExec,
    apiKey: config.apiKey || null,
    log,
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log.info('stopping', { signal, grace: formatDuration(config.grace) });
      void worker.stop();
    } else {
      log.warn('stopping now: second signal', { signal });
      void worker.stop({ graceMs: 0 });
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Started by `tq dev` with an IPC channel: if that parent dies, stop as if told to.
  const onParentGone = () => onSignal('SIGTERM');
  if (process.channel) process.once('disconnect', onParentGone);
  log.info('worker starting', {
    worker: worker.id,
    broker: config.broker,
    queues: config.queues.join(','),
    concurrency: config.concurrency,
    handlers: worker.types.join(','),
  });
  if (config.allowExec) log.warn('exec is on: this worker runs the shell command of any exec task it is given (--allow-exec)');
  worker.start().catch(() => undefined); // failures surface through worker.done
  try {
    await worker.done;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('disconnect', onParentGone);
    setTimeout(() => process.exit(), EXIT_AFTER_MS).unref();
  }
}
