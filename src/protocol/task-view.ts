/**
 * The engine's task as the wire shows it: the engine's bookkeeping (sequences, sizes) left out.
 * Payload and result come only with a whole task (get, wait, a push), not in listings or submit answers.
 */
import type { Task, TaskRecord } from '../engine/task.ts';
import type { WireTask } from './messages.ts';

export function wireTask(task: TaskRecord | Task): WireTask {
  return {
    id: task.id,
    type: task.type,
    queue: task.queue,
    priority: task.priority,
    state: task.state,
    payload: 'payload' in task ? task.payload : undefined,
    result: 'result' in task ? task.result : undefined,
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
}
