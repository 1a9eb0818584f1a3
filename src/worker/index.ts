/** The worker runtime as a library: `new TqWorker({handlers}).start()`. */
export { TqWorker } from './worker.ts';
export { DEFAULT_CONCURRENCY, DEFAULT_GRACE_MS, type WorkerOptions, type WorkerStats } from './options.ts';
export { TaskAbortedError, UnrecoverableError, type AbortReason, type Handler, type HandlerContext, type HandlerTask, type Handlers } from './types.ts';
export { BUILTIN_HANDLERS } from './builtins.ts';
export { loadHandlers } from './handlers.ts';
