/**
 * The engine's task as the wire shows it: the engine's bookkeeping (sequences, sizes) left out.
 * Payload and result come only with a whole task (get, wait, a push), not in listings or submit answers.
 */
import type { Task, TaskRecord } from '../model/task.ts';
import type { WireTask } from './messages.ts';

export function wireTask(task: TaskRecord | Task): WireTask {
  const wire: WireTask = {
    id: task.id,
    type: task.type,
    queue: task.queue,
    priority: task.priority,
    state: task.state,
    attempts: task.attempts,
    maxRetries: task.maxRetries,
    timeoutMs: task.timeoutMs,
    backoffBaseMs: task.backoffBaseMs,
    backoffCapMs: task.backoffCapMs,
    runAt: task.runAt,
    idempotencyKey: task.idempotencyKey,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    lastError: task.lastError,
    lease: task.lease,
    cancelRequested: task.cancelRequested,
    progress: task.progress,
    history: task.history,
    tags: task.tags,
  };
  // Set only when known, so a listing carries no key at all rather than a misleading nil.
  if ('payload' in task) {
    wire.payload = task.payload;
    wire.result = task.result;
  }
  return wire;
}
