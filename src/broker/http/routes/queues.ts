/** /api/v1/queues: list queues, pause and resume them. */
import { errors, json, type Route } from '../api.ts';
import { Queue, QueueList, QueueParams } from '../schemas.ts';

export const QUEUE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/queues',
    operationId: 'listQueues',
    summary: 'Every queue, and whether it is paused',
    description: 'A queue appears with its first task. Depths per queue are in GET /api/v1/stats.',
    tag: 'queues',
    responses: { 200: { description: 'the queues', schema: QueueList } },
    async handle(api) {
      return json({ queues: await api.call('queues', {}) });
    },
  },
  {
    method: 'POST',
    path: '/api/v1/queues/{name}/pause',
    operationId: 'pauseQueue',
    summary: 'Pause a queue: workers get none of its tasks until it is resumed',
    description: 'Running tasks finish; submits are still accepted.',
    tag: 'queues',
    params: QueueParams,
    responses: { 200: { description: 'the queue', schema: Queue }, ...errors(400) },
    async handle(api, request) {
      return json(await api.call('pauseQueue', { queue: (request.params as { name: string }).name }));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/queues/{name}/resume',
    operationId: 'resumeQueue',
    summary: 'Resume a paused queue',
    tag: 'queues',
    params: QueueParams,
    responses: { 200: { description: 'the queue', schema: Queue }, ...errors(400) },
    async handle(api, request) {
      return json(await api.call('resumeQueue', { queue: (request.params as { name: string }).name }));
    },
  },
];
