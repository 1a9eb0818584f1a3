/**
 * What the HTTP server takes before a route sees it, and how it refuses the rest in the API's own
 * error shape: the size of the request head and of a path segment, JSON bodies (parsed here, with
 * prototype-changing keys refused by name), requests Node cannot parse, URLs the router cannot
 * decode, and methods a path does not take.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, errorBody, fieldPath, HttpError, shown } from './errors.ts';

export const HTTP_LIMITS = {
  /** The request line and headers together (Node's maxHeaderSize): a long query string counts here. */
  headBytes: 16 * 1024,
  /** One path segment: task ids and queue names are at most 128 characters, the schemas say so. */
  paramLength: 512,
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** fastify's options for the limits and refusals above. */
export function inputOptions() {
  return {
    http: { maxHeaderSize: HTTP_LIMITS.headBytes },
    routerOptions: { maxParamLength: HTTP_LIMITS.paramLength },
    frameworkErrors: routerError,
    clientErrorHandler: clientError,
  };
}

/** Parses JSON bodies only: any other content type is left without a parser, and fastify refuses it with 415. */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
    try {
      done(null, parseJsonBody(body));
    } catch (error) {
      done(error as Error);
    }
  });
}

export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new HttpError(400, 'INVALID_ARGUMENT', 'the body is empty: send JSON, or leave out the Content-Type header');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `the body is not valid JSON: ${(error as Error).message}`);
  }
  // Only a text that spells (or escapes) one of the keys can hold it.
  const key = /__proto__|constructor|\\u/.test(text) ? poisonedKey(value) : null;
  if (key !== null) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `${key} is not allowed: keys named __proto__, and constructor holding prototype, are refused (they could change the prototype of objects)`, key);
  }
  return value;
}

/**
 * The path of the first `__proto__` key, or `constructor` holding `prototype`, in parsed JSON; null
 * if none. A walk with a stack of its own: any depth.
 */
function poisonedKey(value: unknown): string | null {
  interface Visit {
    value: unknown;
    key: string;
    parent: Visit | null;
  }
  const path = (visit: Visit): string => {
    const keys: string[] = [];
    for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.unshift(at.key);
    return fieldPath('body', keys);
  };
  if (value === null || typeof value !== 'object') return null;
  const todo: Visit[] = [{ value, key: '', parent: null }];
  for (let visit = todo.pop(); visit !== undefined; visit = todo.pop()) {
    for (const [key, item] of Object.entries(visit.value as object)) {
      const child: Visit = { value: item, key, parent: visit };
      if (key === '__proto__') return path(child);
      if (item === null || typeof item !== 'object') continue;
      if (key === 'constructor' && Object.hasOwn(item, 'prototype')) return path({ value: null, key: 'prototype', parent: child });
      todo.push(child);
    }
  }
  return null;
}

/** A URL the router could not decode, or a path segment over the limit. */
function routerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? '';
  let answer: ApiError;
  if (error.code === 'FST_ERR_BAD_URL') {
    answer = { status: 400, code: 'INVALID_ARGUMENT', message: `the URL path ${shown(path)} is not valid: a % must begin an escape such as %2F` };
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    answer = { status: 414, code: 'TOO_LARGE', message: `a segment of the URL path is over ${HTTP_LIMITS.paramLength} characters, the limit: ids and names are at most 128` };
  } else {
    answer = { status: 500, code: 'INTERNAL', message: `internal error: ${error.message}` };
  }
  void reply.code(answer.status).send(errorBody(answer));
}

/**
 * A request Node's parser refused (a head over the limit, a malformed request line or header, a
 * request too slow to arrive): answered in the API's shape, then the connection is closed, as the
 * stream cannot be read on.
 */
function clientError(error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = clientAnswer(error);
  if (answer && socket.writable) {
    const body = JSON.stringify(errorBody(answer));
    // The parser failed, but the request line it read is still there: an answer to a HEAD has no body.
    const raw = (error as { rawPacket?: unknown }).rawPacket;
    const head = Buffer.isBuffer(raw) && raw.toString('latin1', 0, 5).toUpperCase() === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
    // What the client still sends is read and dropped, so the close is clean (no reset that could
    // lose the answer); a client that never stops is cut off.
    socket.resume();
    setTimeout(() => socket.destroy(), 1_000).unref();
  } else {
    socket.destroy();
  }
}

function clientAnswer(error: NodeJS.ErrnoException & { reason?: string }): ApiError | null {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'TOO_LARGE', message: `the request line and headers are over ${HTTP_LIMITS.headBytes / 1024} KiB, the limit (a long query string counts): send less` };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'TIMEOUT', message: 'the request did not arrive in time: send it whole, promptly' };
  if (error.code?.startsWith('HPE_')) return { status: 400, code: 'INVALID_ARGUMENT', message: `a malformed HTTP request: ${error.reason ?? error.message}` };
  return null;
}

/** No route for the method and path: 405 naming the methods the path takes, or 404 if it takes none. */
export function noRoute(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? '';
  const allowed = METHODS.filter((method) => method !== request.method && app.findRoute({ method, url: path }) !== null);
  if (allowed.length === 0) {
    void reply.code(404).send(errorBody({ status: 404, code: 'NOT_FOUND', message: `no route ${request.method} ${shown(path)}: see /api/v1/openapi.json` }));
    return;
  }
  void reply
    .code(405)
    .header('allow', allowed.join(', '))
    .send(errorBody({ status: 405, code: 'METHOD_NOT_ALLOWED', message: `${shown(path)} takes ${allowed.join(', ')}, not ${request.method}: see /api/v1/openapi.json` }));
}
