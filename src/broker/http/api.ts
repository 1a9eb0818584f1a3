/**
 * A REST route as data: method, path, schemas, documented responses and a handler. server.ts
 * registers each with fastify (which validates with the schemas) and openapi.ts documents the
 * same objects. Handlers go through the broker's request handlers (src/broker/requests.ts), the
 * very code the TCP protocol runs, so REST and the CLI cannot disagree.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/engine.ts';
import type { Op, Ops } from '../../protocol/messages.ts';
import { toPlain } from '../../protocol/plain.ts';
import type { EventStreams } from './events.ts';
import type { History } from './history.ts';
import type { Metrics } from './metrics.ts';
import { ErrorBody, type JsonSchema } from './schemas.ts';

export interface Api {
  /** Runs a broker request (the same handler as over TCP) with no worker session. */
  call<O extends Op>(op: O, args: Ops[O]['args']): Promise<Ops[O]['result']>;
  /** False once the broker is stopping. */
  accepting(): boolean;
  engine: Engine;
  history: History;
  events: EventStreams;
  metrics: Metrics;
  /** The OpenAPI document of every route. */
  openapi(): unknown;
}

export interface ResponseDoc {
  description: string;
  schema?: JsonSchema;
  /** application/json unless said otherwise. */
  contentType?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI form: /api/v1/tasks/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  /** The body may be left out (POST /dlq/replay). */
  bodyOptional?: boolean;
  responses: Record<number, ResponseDoc>;
  handle(api: Api, request: FastifyRequest, reply: FastifyReply): unknown;
}

const ERRORS: Record<number, string> = {
  400: 'a bad request: the message names the field (code INVALID_ARGUMENT)',
  404: 'no such task (code NOT_FOUND)',
  409: 'the task is not in a state that allows this (code INVALID_STATE)',
  413: 'a payload or the request body is over the limit (code TOO_LARGE)',
  415: 'the body is not application/json (code INVALID_ARGUMENT)',
  503: 'the broker is stopping, or too many event streams are open',
  507: 'the disk holding the data directory is full: nothing was written, reads still work (code STORAGE_FULL)',
};

/** The documented error responses of a route. */
export function errors(...statuses: number[]): Record<number, ResponseDoc> {
  return Object.fromEntries(statuses.map((status) => [status, { description: ERRORS[status]!, schema: ErrorBody }]));
}

/** A wire value as the API sends it: the CLI's JSON form (ISO-8601 times, {"$base64"} binary). */
export function json(value: unknown): unknown {
  return toPlain(value);
}
