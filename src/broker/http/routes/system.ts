/** Stats, the live events stream, the queue rules, health, readiness, /metrics and the OpenAPI document. */
import { HttpError } from '../errors.ts';
import { errors, json, type Route } from '../api.ts';
import { SAMPLE_INTERVAL_MS } from '../history.ts';
import { CANCELLABLE_STATES, FINISHED_STATES, NAME_PATTERN, PRIORITY_NAMES, RETRYABLE_STATES, TASK_STATES } from '../../../model/task.ts';
import { EventsQuery, Health, Model, Stats, StatsHistory } from '../schemas.ts';

/** The rules as the dashboard reads them: it keeps no copy of its own. */
const MODEL = {
  states: TASK_STATES,
  finishedStates: FINISHED_STATES,
  cancellableStates: CANCELLABLE_STATES,
  retryableStates: RETRYABLE_STATES,
  priorities: PRIORITY_NAMES,
  namePattern: NAME_PATTERN.source,
};

export const SYSTEM_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/stats',
    operationId: 'getStats',
    summary: 'Depth per queue, priority and state; the oldest pending age',
    tag: 'stats',
    responses: { 200: { description: 'the stats, as `tq stats --output json` prints them', schema: Stats } },
    async handle(api) {
      return json(await api.call('stats', {}));
    },
  },
  {
    method: 'GET',
    path: '/api/v1/stats/history',
    operationId: 'getStatsHistory',
    summary: 'The last 15 minutes: depth per queue, throughput and workers every 2 s',
    description: 'Kept in the broker\'s memory from its start; what the dashboard\'s chart draws.',
    tag: 'stats',
    responses: { 200: { description: 'samples, oldest first', schema: StatsHistory } },
    handle(api) {
      return json({ intervalMs: SAMPLE_INTERVAL_MS, samples: api.history.list() });
    },
  },
  {
    method: 'GET',
    path: '/api/v1/events',
    operationId: 'streamEvents',
    summary: 'Server-sent events: task changes once durable, and stats every 2 s',
    description:
      '`event: task` with {change: created|updated|deleted, previousState, task} for every new task, change of state, cancel request or progress report, sent only after the change is on disk; `event: stats` with {stats, sample}. Filter with ?queue=a,b; ?stats=false leaves out the stats events. Try `curl -N http://127.0.0.1:7080/api/v1/events`.',
    tag: 'stats',
    query: EventsQuery,
    responses: { 200: { description: 'a text/event-stream that stays open', contentType: 'text/event-stream', schema: { type: 'string' } }, ...errors(400, 503) },
    handle(api, request, reply) {
      api.events.open(request, reply, request.query as { queue?: string; stats?: boolean });
      return reply;
    },
  },
  {
    method: 'GET',
    path: '/api/v1/model',
    operationId: 'getModel',
    summary: 'The queue rules: states, which can be cancelled or retried, priority names, the name pattern',
    description: 'Taken from the broker\'s own model (src/model/task.ts); the dashboard shows its cancel and retry buttons and checks names by these.',
    tag: 'system',
    responses: { 200: { description: 'the rules', schema: Model } },
    handle() {
      return MODEL;
    },
  },
  {
    method: 'GET',
    path: '/api/v1/health',
    operationId: 'health',
    summary: 'Alive: the broker process answers',
    tag: 'system',
    responses: { 200: { description: 'alive', schema: Health } },
    handle() {
      return { status: 'ok' };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/ready',
    operationId: 'ready',
    summary: 'Ready: the engine is open and the broker accepts requests',
    tag: 'system',
    responses: { 200: { description: 'ready', schema: Health }, ...errors(503) },
    handle(api) {
      if (!api.accepting()) throw new HttpError(503, 'SHUTTING_DOWN', 'the broker is stopping');
      try {
        api.engine.queues();
      } catch (error) {
        throw new HttpError(503, 'UNAVAILABLE', `the engine cannot be read: ${(error as Error).message}`);
      }
      return { status: 'ready' };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tag: 'system',
    responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
    handle(api) {
      return api.openapi();
    },
  },
  {
    method: 'GET',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: 'Task counters by queue and type, depth by queue, priority and state, workers and free slots, queue-wait, run-time and commit histograms, the LMDB size and process metrics.',
    tag: 'system',
    responses: { 200: { description: 'the Prometheus text format', contentType: 'text/plain; version=0.0.4', schema: { type: 'string' } } },
    async handle(api, _request, reply) {
      const text = await api.metrics.scrape();
      reply.type(api.metrics.contentType);
      return text;
    },
  },
];
