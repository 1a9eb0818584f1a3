/** The tq package: the client library, the worker runtime and the shared vocabulary. */
export { TqClient, type ClientOptions } from './client/client.ts';
export { RemoteError } from './protocol/errors.ts';
export type { Submitted, TaskInput, WireTask, WorkerInfo } from './protocol/messages.ts';
export { TASK_STATES, PRIORITY_NAMES, type TaskState } from './model/task.ts';
export { TqWorker, TaskAbortedError, UnrecoverableError, BUILTIN_HANDLERS, type WorkerOptions, type WorkerStats, type Handler, type HandlerContext, type HandlerTask, type Handlers, type AbortReason } from './worker/index.ts';
