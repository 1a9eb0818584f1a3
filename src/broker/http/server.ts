/**
 * The broker's HTTP server (fastify): the REST API under /api/v1, /metrics and the web dashboard.
 * Loaded by the broker only when it starts with HTTP on. Requests are validated by the route
 * schemas (schemas.ts); every answer, errors included, is JSON in the CLI's vocabulary.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import pkg from '../../../package.json' with { type: 'json' };
import type { RequestContext } from '../requests.ts';
import { handle } from '../requests.ts';
import { TqError } from '../../model/errors.ts';
import type { Logger } from '../../log/logger.ts';
import { Activity } from './activity.ts';
import type { Api, Route } from './api.ts';
import { registerDashboard } from './dashboard.ts';
import { errorBody, HttpError, toApiError } from './errors.ts';
import { EventStreams } from './events.ts';
import { History } from './history.ts';
import { inputOptions, noRoute, registerJsonParser } from './input.ts';
import { createMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { DLQ_ROUTES } from './routes/dlq.ts';
import { QUEUE_ROUTES } from './routes/queues.ts';
import { SYSTEM_ROUTES } from './routes/system.ts';
import { TASK_ROUTES } from './routes/tasks.ts';
import { WORKER_ROUTES } from './routes/workers.ts';
import type { JsonSchema } from './schemas.ts';

export const ROUTES: Route[] = [...TASK_ROUTES, ...QUEUE_ROUTES, ...DLQ_ROUTES, ...WORKER_ROUTES, ...SYSTEM_ROUTES];

export interface HttpDeps {
  context: Omit<RequestContext, 'worker'>;
  log: Logger;
  /** False once the broker is stopping. */
  accepting: () => boolean;
}

export interface HttpServer {
  host: string;
  port: number;
  /** http://host:port/ — the dashboard. */
  url: string;
  close(): Promise<void>;
}

/** Room for a batch of tasks in JSON (base64 and escapes make JSON bigger than msgpack). */
function bodyLimitOf(maxPayloadBytes: number): number {
  return Math.min(256 * 1024 * 1024, 4 * maxPayloadBytes + 1024 * 1024);
}

export async function startHttpServer(deps: HttpDeps, host: string, port: number): Promise<HttpServer> {
  const { context, log } = deps;
  const activity = new Activity(context.pipeline);
  const history = new History(context, activity);
  const events = new EventStreams(activity, history, log);
  const metrics = createMetrics(context, activity);
  let document: unknown = null;
  const api: Api = {
    call: (op, args) => handle({ ...context, worker: undefined }, op, args) as never,
    accepting: deps.accepting,
    engine: context.engine,
    history,
    events,
    metrics,
    openapi: () => (document ??= openApiDocument(ROUTES, pkg.version)),
  };

  const input = inputOptions();
  const app = Fastify({
    ...input,
    logger: false,
    bodyLimit: bodyLimitOf(context.config.maxPayloadBytes),
    forceCloseConnections: true,
    requestTimeout: 120_000,
    // fastify's own 503 while closing is not in our shape: the onRequest hook below answers instead.
    return503OnClosing: false,
    routerOptions: { ...input.routerOptions, ignoreTrailingSlash: true },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, allowUnionTypes: true } },
  });
  let closing = false;
  app.addHook('onRequest', async () => {
    if (closing) throw new HttpError(503, 'SHUTTING_DOWN', 'the broker is stopping');
  });
  guardOrigin(app, host);
  registerJsonParser(app);
  app.addHook('preValidation', async (request) => coerceQuery(request));
  app.setErrorHandler((error, request, reply) => {
    const answer = toApiError(error, request.headers['content-type']);
    if (answer.status >= 500 && answer.code === 'INTERNAL') log.error('http request failed', { method: request.method, url: request.url, error: (error as Error)?.stack ?? String(error) });
    void reply.code(answer.status).send(errorBody(answer));
  });
  app.setNotFoundHandler((request, reply) => noRoute(app, request, reply));

  for (const route of ROUTES) {
    const schema: Record<string, JsonSchema> = {};
    if (route.params) schema.params = route.params;
    if (route.query) schema.querystring = route.query;
    if (route.body) schema.body = route.body;
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      schema,
      // A body that may be left out is validated as {} when it is.
      preValidation: route.bodyOptional ? async (request) => void (request.body ??= {}) : undefined,
      handler: (request, reply) => route.handle(api, request, reply),
    });
  }
  registerDashboard(app);

  history.start();
  history.take();
  const stop = () => {
    events.close();
    history.stop();
    metrics.close();
    activity.close();
  };
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (error) {
    stop();
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    const hint = 'choose another with --http-port or TQ_HTTP_PORT (0 for any free port), or switch HTTP off with --no-http or TQ_HTTP=false';
    if (code === 'EADDRINUSE') throw new TqError('INVALID_ARGUMENT', `HTTP port ${port} on ${host} is already in use: stop what uses it, or ${hint}`);
    if (code === 'EACCES') throw new TqError('INVALID_ARGUMENT', `not allowed to listen on ${host}:${port} for HTTP: pick a port above 1024, or ${hint}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new TqError('INVALID_ARGUMENT', `cannot listen on ${host} for HTTP: no such local address (--http-host, TQ_HTTP_HOST)`);
    throw error;
  }
  const bound = app.server.address();
  const boundPort = typeof bound === 'object' && bound ? bound.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  log.debug('http server ready', { address });
  return {
    host,
    port: boundPort,
    url: `http://${urlHost}:${boundPort}/`,
    async close() {
      closing = true;
      stop();
      await app.close();
    },
  };
}

/** Query strings arrive as strings: integers and booleans become numbers and booleans where the schema says so. */
function coerceQuery(request: FastifyRequest): void {
  const schema = request.routeOptions.schema?.querystring as JsonSchema | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  if (!schema || !query) return;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, value] of Object.entries(query)) {
    const type = properties[key]?.type;
    if (typeof value !== 'string') continue;
    if (type === 'integer' && /^-?\d{1,15}$/.test(value)) query[key] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false' || value === '1' || value === '0')) query[key] = value === 'true' || value === '1';
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The HTTP actions have no auth yet, so the server guards what a browser could be tricked into:
 * a page from another origin may not change anything (cross-site POST/DELETE are refused), and
 * on a loopback address only loopback host names are answered (no DNS rebinding).
 */
function guardOrigin(app: FastifyInstance, host: string): void {
  const loopbackOnly = LOOPBACK.test(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  app.addHook('onRequest', async (request) => {
    const hostHeader = request.headers.host ?? '';
    if (loopbackOnly) {
      const name = hostHeader.replace(/:\d+$/, '');
      if (!LOOPBACK.test(name)) throw new HttpError(403, 'FORBIDDEN', `this broker answers only on a loopback address (got Host ${JSON.stringify(hostHeader)}): use http://127.0.0.1`);
    }
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    const origin = request.headers.origin;
    let crossSite = request.headers['sec-fetch-site'] === 'cross-site';
    if (origin !== undefined) {
      try {
        crossSite ||= new URL(origin).host !== hostHeader;
      } catch {
        crossSite = true;
      }
    }
    if (crossSite) throw new HttpError(403, 'FORBIDDEN', 'a page from another origin may not change tasks or queues');
  });
}
