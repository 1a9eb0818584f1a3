/**
 * Random HTTP requests for the REST fuzzer: methods, paths (the real routes with odd parameters,
 * and paths no route has), queries, headers and bodies of every content type; sent raw with
 * node:http so that nothing in between fixes them up.
 */
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { DLQ_ROUTES } from '../../../src/broker/http/routes/dlq.ts';
import { QUEUE_ROUTES } from '../../../src/broker/http/routes/queues.ts';
import { SYSTEM_ROUTES } from '../../../src/broker/http/routes/system.ts';
import { TASK_ROUTES } from '../../../src/broker/http/routes/tasks.ts';
import { WORKER_ROUTES } from '../../../src/broker/http/routes/workers.ts';
import { FUZZ_QUEUES, taskInput, type Known } from './requests.ts';
import type { Rng } from './random.ts';

export const ROUTES = [...TASK_ROUTES, ...QUEUE_ROUTES, ...DLQ_ROUTES, ...WORKER_ROUTES, ...SYSTEM_ROUTES];

export interface RestCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The route the path was made from, if any. */
  route?: { method: string; path: string; hasBody: boolean };
  label: string;
}

export interface RestAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'PROPFIND', 'FOO'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/msgpack',
  'a/b/c',
  '',
];

function param(rng: Rng, name: string, known: Known): string {
  const odd = ['%ZZ', '%', '..%2f..%2fetc', '%00', 'a%20b', encodeURIComponent('💥'), 'x'.repeat(rng.pick([200, 5_000])), '__proto__', ''];
  if (rng.chance(0.3)) return rng.pick(odd);
  if (name === 'id') return known.ids.length > 0 && rng.chance(0.6) ? encodeURIComponent(rng.pick(known.ids)) : rng.string(26, '0123456789ABCDEFGHJKMNPQRSTVWXYZ');
  return rng.pick(FUZZ_QUEUES);
}

function query(rng: Rng): string {
  const pairs: string[] = [];
  for (let i = rng.int(0, 4); i > 0; i--) {
    const key = rng.pick(['limit', 'state', 'queue', 'type', 'cursor', 'since', 'zzz', '__proto__', 'limit[]', '%ZZ']);
    const value = rng.pick(['1', '-1', '0', '1e309', 'NaN', 'true', 'pending', 'fz-a', '', '%ZZ', 'x'.repeat(rng.pick([10, 60_000]))]);
    pairs.push(`${key}=${value}`);
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

function jsonBody(rng: Rng): string {
  switch (rng.int(0, 8)) {
    case 0: {
      const levels = rng.pick([64, 200, 10_000, 100_000]);
      const inner = `${'['.repeat(levels)}1${']'.repeat(levels)}`;
      return rng.chance(0.5) ? `{"type":"fz.job","queue":"fz-a","payload":${inner}}` : inner;
    }
    case 1:
      return '{"type":"fz.job","queue":"fz-a","__proto__":{"x":1}}';
    case 2:
      return rng.pick(['{', '[1,', '"text"', '7', 'null', 'true', '{"a":1}{"b":2}', '\u0000', '{"type":"fz.job","payload":1e400}', '']);
    case 3:
      return JSON.stringify(Array.from({ length: rng.int(1, 3) }, () => taskInput(rng)), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    case 4:
      return JSON.stringify({ type: 'fz.job', queue: 'fz-a', payload: { $base64: rng.pick(['AAAA', '!!!', '']) } });
    case 5:
      return JSON.stringify({ type: 'fz.job', queue: 'fz-a', runAt: rng.pick(['2020-01-01T00:00:00Z', 'yesterday', -1, 1e20]), delayMs: rng.pick([undefined, 100]) });
    case 6:
      return JSON.stringify({ maxRetries: rng.pick([1, -1, 'x', null]), timeoutMs: rng.pick([100, 0, 1e20]), zzz: 1 });
    default:
      return JSON.stringify(taskInput(rng), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v));
  }
}

export function restCase(rng: Rng, known: Known): RestCase {
  const headers: Record<string, string> = {};
  let method: string;
  let path: string;
  let route: RestCase['route'];
  if (rng.chance(0.04)) {
    // Issue 12's deep payload: the JSON-to-value conversion recursed into a 500.
    const levels = rng.pick([1_000, 100_000]);
    const body = Buffer.from(`{"type":"fz.job","queue":"fz-a","payload":${'['.repeat(levels)}1${']'.repeat(levels)}}`);
    return { method: 'POST', path: '/api/v1/tasks', headers: { 'content-type': 'application/json' }, body, label: `POST /api/v1/tasks with a payload nested ${levels} deep` };
  }
  if (rng.chance(0.8)) {
    const chosen = rng.pick(ROUTES);
    method = rng.chance(0.85) ? chosen.method : rng.pick(METHODS);
    path = chosen.path.replace(/\{(\w+)\}/g, (_m, name: string) => param(rng, name, known));
    route = { method: chosen.method, path: chosen.path, hasBody: chosen.body !== undefined };
  } else {
    method = rng.pick(METHODS);
    path = rng.pick(['/', '/api', '/api/v1', '/api/v2/tasks', '/api/v1/tasks/', '//api//v1//tasks', '/%ZZ', '/api/v1/tasks/%ZZ', '/index.html', '/../../etc/passwd', `/${'a'.repeat(rng.pick([100, 10_000]))}`, '/dashboard/x.js', '*']);
  }
  path += query(rng);
  if (rng.chance(0.1)) headers[rng.pick(['x-big', 'cookie', 'user-agent'])] = 'v'.repeat(rng.pick([1_000, 20_000, 70_000]));
  if (rng.chance(0.1)) headers.origin = rng.pick(['http://evil.example', 'null', 'http://127.0.0.1']);
  if (rng.chance(0.05)) headers.host = rng.pick(['evil.example', '', '127.0.0.1:1']);
  if (rng.chance(0.05)) headers['accept-encoding'] = rng.pick(['gzip', 'br', '*', 'x']);
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' ? rng.chance(0.85) : rng.chance(0.1)) {
    const type = rng.pick(CONTENT_TYPES);
    if (type !== '') headers['content-type'] = type;
    body = Buffer.from(type.includes('json') || rng.chance(0.5) ? jsonBody(rng) : rng.pick(['hello', 'a=1&b=2', '--x\r\n\r\n--x--', rng.bytes(rng.int(0, 100)).toString('latin1')]), 'utf8');
    if (rng.chance(0.05)) body = Buffer.concat([body, Buffer.alloc(rng.pick([1_000_000, 20_000_000]), 0x20)]);
  }
  const label = `${method} ${path.length > 120 ? `${path.slice(0, 100)}…(${path.length} chars)` : path} ${JSON.stringify(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.length > 40 ? `${v.slice(0, 10)}…(${v.length})` : v])))}${body ? ` body ${body.length} bytes: ${body.subarray(0, 80).toString('utf8')}` : ''}`;
  return { method, path, headers, body, route, label };
}

/** Sends one request; resolves with the answer, or with an Error when none came within `ms`. */
export function send(port: number, sent: RestCase, ms: number): Promise<RestAnswer | Error> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: RestAnswer | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(value);
    };
    let timer: NodeJS.Timeout | undefined;
    let req: ClientRequest;
    try {
      req = request({ host: '127.0.0.1', port, method: sent.method, path: sent.path, headers: sent.headers, agent: false, insecureHTTPParser: true }, onResponse);
    } catch (error) {
      // node:http refuses to send it (a character no request line may hold): nothing reached the broker.
      resolve(Object.assign(error as Error, { unsent: true }));
      return;
    }
    function onResponse(res: IncomingMessage): void {
      const chunks: Buffer[] = [];
      const answer = () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      // An event stream answers with its headers and never ends: the headers are the answer.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) return void answer();
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', answer);
      res.on('error', answer);
    }
    timer = setTimeout(() => done(new Error(`no answer within ${ms} ms`)), ms);
    req.on('error', (error) => done(error));
    if (sent.body) req.end(sent.body);
    else req.end();
  });
}

/** The error body every error must have: `{"error":{"code","message"}}`; undefined when it has it. */
export function errorShapeProblem(answer: RestAnswer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `${answer.status} with a body that is not JSON: ${answer.body.slice(0, 120)}`;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || error.message === '') return `${answer.status} with a body not of the shape {"error":{"code","message"}}: ${answer.body.slice(0, 160)}`;
  return undefined;
}
