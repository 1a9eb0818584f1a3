/** /api/v1/tasks: submit, read, list, cancel and retry tasks. */
import type { ListArgs, TaskInput } from '../../../protocol/messages.ts';
import { fromJsonValue } from '../../../protocol/plain.ts';
import { errors, json, type Route } from '../api.ts';
import { IdParams, ListQuery, SubmitBody, SubmitManyResult, SubmitOutcome, Task, TaskPage } from '../schemas.ts';

/** A task as JSON gives it: binary payloads as {"$base64"}, runAt as ISO-8601 or epoch ms. */
type TaskJson = Omit<TaskInput, 'runAt'> & { runAt?: string | number };

function toTaskInput(raw: TaskJson): TaskInput {
  const { runAt, payload, ...rest } = raw;
  const input: TaskInput = { ...rest };
  if (payload !== undefined) input.payload = fromJsonValue(payload);
  if (runAt !== undefined) input.runAt = typeof runAt === 'string' ? Date.parse(runAt) : runAt;
  return input;
}

export const TASK_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/v1/tasks',
    operationId: 'submitTasks',
    summary: 'Submit one task or many',
    description:
      'One task answers {task, created}; an array answers {tasks: [{task, created}, ...]}, all written in one transaction. 201 when a task was created, 200 when every idempotency key named an existing task. Answered once the tasks are on disk.',
    tag: 'tasks',
    body: SubmitBody,
    responses: {
      201: { description: 'created (one task: SubmitOutcome; an array: {tasks})', schema: { oneOf: [SubmitOutcome, SubmitManyResult] } },
      200: { description: 'nothing new: idempotency keys named existing tasks', schema: { oneOf: [SubmitOutcome, SubmitManyResult] } },
      ...errors(400, 413, 503),
    },
    async handle(api, request, reply) {
      const body = request.body as TaskJson | TaskJson[];
      const many = Array.isArray(body);
      const tasks = many ? body.map((task) => toTaskInput(task)) : [toTaskInput(body)];
      const outcomes = await api.call('submit', { tasks });
      const created = outcomes.some((outcome) => outcome.created);
      reply.code(created ? 201 : 200);
      if (many) return json({ tasks: outcomes });
      if (created) reply.header('location', `/api/v1/tasks/${outcomes[0]!.task.id}`);
      return json(outcomes[0]);
    },
  },
  {
    method: 'GET',
    path: '/api/v1/tasks',
    operationId: 'listTasks',
    summary: 'List tasks',
    description: 'Newest change of state first, at most 1,000 a page (default 100); follow nextCursor for the next page. Listed tasks leave out payload and result.',
    tag: 'tasks',
    query: ListQuery,
    responses: { 200: { description: 'one page', schema: TaskPage }, ...errors(400) },
    async handle(api, request) {
      return json(await api.call('list', request.query as ListArgs));
    },
  },
  {
    method: 'GET',
    path: '/api/v1/tasks/{id}',
    operationId: 'getTask',
    summary: 'One task, with its payload, result and attempts',
    tag: 'tasks',
    params: IdParams,
    responses: { 200: { description: 'the task', schema: Task }, ...errors(400, 404) },
    async handle(api, request) {
      return json(await api.call('get', request.params as { id: string }));
    },
  },
  {
    method: 'DELETE',
    path: '/api/v1/tasks/{id}',
    operationId: 'cancelTask',
    summary: 'Cancel a task',
    description: 'Pending, scheduled and failed tasks end cancelled at once; a running task keeps running with cancelRequested until its worker reports, then ends cancelled. The task stays readable.',
    tag: 'tasks',
    params: IdParams,
    responses: { 200: { description: 'the task after the cancel', schema: Task }, ...errors(400, 404, 409) },
    async handle(api, request) {
      return json(await api.call('cancel', request.params as { id: string }));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/tasks/{id}/retry',
    operationId: 'retryTask',
    summary: 'Run a dead, failed or cancelled task again',
    description: 'Resets its attempts to 0 and makes it pending.',
    tag: 'tasks',
    params: IdParams,
    responses: { 200: { description: 'the task, pending again', schema: Task }, ...errors(400, 404, 409) },
    async handle(api, request) {
      return json(await api.call('retry', request.params as { id: string }));
    },
  },
];
