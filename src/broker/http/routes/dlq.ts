/** /api/v1/dlq: the dead-letter queue, and replaying it. */
import { errors, json, type Route } from '../api.ts';
import { BulkOutcome, DlqQuery, ReplayBody, TaskPage } from '../schemas.ts';

export const DLQ_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/dlq',
    operationId: 'listDeadTasks',
    summary: 'The dead-letter queue: tasks that used up their retries',
    description: 'The same listing as GET /api/v1/tasks?state=dead.',
    tag: 'dlq',
    query: DlqQuery,
    responses: { 200: { description: 'one page of dead tasks', schema: TaskPage }, ...errors(400) },
    async handle(api, request) {
      const query = request.query as { queue?: string; limit?: number; cursor?: string };
      return json(await api.call('list', { ...query, state: 'dead' }));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/dlq/replay',
    operationId: 'replayDeadTasks',
    summary: 'Put dead tasks back in their queues with their attempts reset',
    description: 'Give ids, or a queue and/or a limit; with no body, replays up to 10,000 dead tasks of every queue. more says whether dead tasks are left.',
    tag: 'dlq',
    body: ReplayBody,
    bodyOptional: true,
    responses: { 200: { description: 'how many were replayed', schema: BulkOutcome }, ...errors(400, 404, 409) },
    async handle(api, request) {
      return json(await api.call('dlqReplay', (request.body ?? {}) as { queue?: string; ids?: string[]; limit?: number }));
    },
  },
];
