/** /api/v1/queues: list queues, pause and resume them, change their settings. */
import { errors, json, type Route } from '../api.ts';
import type { QueueSettingsPatch } from '../../../model/queue.ts';
import { Queue, QueueConfig, QueueList, QueueParams } from '../schemas.ts';

export const QUEUE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/queues',
    operationId: 'listQueues',
    summary: 'Every queue: whether it is paused, and the settings its new tasks get',
    description: 'A queue appears with its first task, or once it is paused or configured. Depths per queue are in GET /api/v1/stats.',
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
  {
    method: 'PATCH',
    path: '/api/v1/queues/{name}/config',
    operationId: 'configureQueue',
    summary: "Change a queue's settings: the retries, timeout and backoff of the tasks submitted to it from now on",
    description:
      'A setting given is set, one given as null goes back to the default, one left out stays. A task that gives its own maxRetries or timeoutMs keeps it; tasks already submitted keep theirs. The same as `tq queue config`.',
    tag: 'queues',
    params: QueueParams,
    body: QueueConfig,
    responses: { 200: { description: 'the queue with its settings', schema: Queue }, ...errors(400) },
    async handle(api, request) {
      return json(await api.call('configureQueue', { queue: (request.params as { name: string }).name, settings: request.body as QueueSettingsPatch }));
    },
  },
];
