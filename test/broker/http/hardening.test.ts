/**
 * The HTTP listener under odd and hostile requests, against a real broker process: malformed and
 * oversized requests (sent raw over `net`, as no polite client would), bodies of the wrong type,
 * prototype-changing keys, values nested past the depth limit, and a full disk. Each answers in the
 * API's own error shape with a fitting status, and the broker goes on serving after each.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../../src/client/client.ts';
import { TqError } from '../../../src/model/errors.ts';
import { MAX_VALUE_DEPTH } from '../../../src/model/value-limits.ts';
import { RemoteError } from '../../../src/protocol/errors.ts';
import { toApiError } from '../../../src/broker/http/errors.ts';
import { removeDir, runTq, tempDir } from '../../helpers/broker.ts';
import { type Answer, assertError, call, type HttpBroker, startHttpBroker, stopHttpBroker } from './helpers.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}

/** Sends bytes as they are and reads the answer until the server closes the connection. */
function raw(broker: HttpBroker, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(broker.httpPort, '127.0.0.1', () => socket.end(request));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    // The server may close while we still send (the head was over its limit): what it answered counts.
    socket.on('error', (error) => (received ? undefined : reject(error)));
    socket.on('close', () => {
      const [head = '', text = ''] = received.split(/\r\n\r\n(.*)/s);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // left as text: the assertions on it say what was wrong
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, text: received });
    });
  });
}

const HOST = 'Host: 127.0.0.1\r\nConnection: close\r\n';

function post(path: string, body: string, contentType = 'application/json'): string {
  return `POST ${path} HTTP/1.1\r\n${HOST}Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Exactly tq's error shape: `{"error": {"code", "message", "field"?}}` and nothing else. */
function assertShape(answer: RawAnswer | Answer, status: number, code: string, message?: RegExp): void {
  assertError(answer as Answer, status, code, message);
  assert.match(answer.headers instanceof Headers ? (answer.headers.get('content-type') ?? '') : (answer.headers['content-type'] ?? ''), /^application\/json/);
  assert.deepEqual(Object.keys(answer.body), ['error'], answer.text);
  for (const key of Object.keys(answer.body.error)) assert.ok(['code', 'message', 'field'].includes(key), `unexpected key ${key}: ${answer.text}`);
}

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('HTTP hardening', () => {
  let broker: HttpBroker;

  before(async () => {
    broker = await startHttpBroker();
  });
  after(async () => {
    await stopHttpBroker(broker);
  });

  /** The broker still answers an ordinary request, over a new connection. */
  async function stillServes(): Promise<void> {
    const answer = await call(broker, 'POST', '/api/v1/tasks', { type: 'after', queue: 'hardening-ok' });
    assert.equal(answer.status, 201, answer.text);
    assert.equal((await call(broker, 'GET', `/api/v1/tasks/${answer.body.task.id}`)).body.type, 'after');
  }

  it('malformed and oversized requests get our shape: bad URL 400, long head 431, long segment 414, garbage 400, huge body 413', async () => {
    const cases: [string, string, number, string, RegExp][] = [
      ['a bad escape in a task id', `GET /api/v1/tasks/%ZZ HTTP/1.1\r\n${HOST}\r\n`, 400, 'INVALID_ARGUMENT', /URL path "\/api\/v1\/tasks\/%ZZ" is not valid/],
      ['a bad escape outside a parameter', `GET /api/v1/%ZZ HTTP/1.1\r\n${HOST}\r\n`, 400, 'INVALID_ARGUMENT', /is not valid/],
      ['a 60 KB query string', `GET /api/v1/tasks?state=${'a'.repeat(60 * 1024)} HTTP/1.1\r\n${HOST}\r\n`, 431, 'TOO_LARGE', /over 16 KiB, the limit \(a long query string counts\)/],
      ['a 20 KB header', `GET /api/v1/stats HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, 431, 'TOO_LARGE', /over 16 KiB/],
      ['a 1,000-character path segment', `GET /api/v1/tasks/${'a'.repeat(1000)} HTTP/1.1\r\n${HOST}\r\n`, 414, 'TOO_LARGE', /over 512 characters/],
      ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400, 'INVALID_ARGUMENT', /malformed HTTP request/],
      ['a Content-Length that is not a number', `POST /api/v1/tasks HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`, 400, 'INVALID_ARGUMENT', /malformed HTTP request.*Content-Length/],
      ['a body announced at 1 TB', `POST /api/v1/tasks HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{}`, 413, 'TOO_LARGE', /request body is over the broker's limit/],
    ];
    for (const [what, request, status, code, message] of cases) {
      const answer = await raw(broker, request);
      assert.equal(answer.status, status, `${what}: ${answer.text.slice(0, 300)}`);
      assertShape(answer, status, code, message);
      await stillServes();
    }
  });

  it('a HEAD the parser cannot read is answered with a status line and no body', async () => {
    const answer = await raw(broker, `HEAD /api/v1/stats HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    assert.equal(answer.status, 431, answer.text.slice(0, 300));
    assert.equal(answer.body, '', 'a HEAD answer carries no body');
    await stillServes();
  });

  it('a HEAD of the event stream is answered with its headers and ended, not held open', { timeout: 10_000 }, async () => {
    const answer = await raw(broker, `HEAD /api/v1/events HTTP/1.1\r\n${HOST}\r\n`);
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    assert.match(answer.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(answer.body, '');
    await stillServes();
  });

  it('a long head through fetch gets its answer too, not a reset', async () => {
    assertShape(await call(broker, 'GET', `/api/v1/tasks?state=${'a'.repeat(60 * 1024)}`), 431, 'TOO_LARGE', /16 KiB/);
    assertShape(await call(broker, 'GET', '/api/v1/stats', undefined, { headers: { 'x-big': 'a'.repeat(20 * 1024) } }), 431, 'TOO_LARGE', /16 KiB/);
    await stillServes();
  });

  it('a segment longer than an id but under the segment limit is the schema\'s 400, naming the field', async () => {
    const answer = await call(broker, 'GET', `/api/v1/tasks/${'a'.repeat(200)}`);
    assertShape(answer, 400, 'INVALID_ARGUMENT', /128/);
    assert.equal(answer.body.error.field, 'params.id');
  });

  it('an unknown route is 404; a known path with the wrong method is 405 with Allow', async () => {
    assertShape(await call(broker, 'GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND', /no route GET "\/api\/v1\/nothing-here"/);
    const put = await call(broker, 'PUT', '/api/v1/tasks', { type: 'x' });
    assertShape(put, 405, 'METHOD_NOT_ALLOWED', /takes GET, HEAD, POST, not PUT/);
    assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
    const patch = await call(broker, 'PATCH', '/api/v1/tasks/01a2022e-0000-7000-8000-000000000000');
    assertShape(patch, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(patch.headers.get('allow'), 'GET, HEAD, DELETE');
    assert.equal((await call(broker, 'DELETE', '/')).headers.get('allow'), 'GET, HEAD', 'the dashboard is covered too');
    await stillServes();
  });

  it('415 for a body that is not JSON, naming the type sent and the one expected', async () => {
    const plain = await call(broker, 'POST', '/api/v1/tasks', 'hello', { contentType: 'text/plain' });
    assertShape(plain, 415, 'INVALID_ARGUMENT', /the body is "text\/plain": send it as JSON, with Content-Type: application\/json/);
    const form = await call(broker, 'PATCH', '/api/v1/queues/q/config', 'maxRetries=1', { contentType: 'application/x-www-form-urlencoded' });
    assertShape(form, 415, 'INVALID_ARGUMENT', /x-www-form-urlencoded/);
    assertShape(await raw(broker, post('/api/v1/tasks', '{"type":"x"}', '').replace('Content-Type: \r\n', '')), 415, 'INVALID_ARGUMENT', /no Content-Type/);
    await stillServes();
  });

  it('a __proto__ key, or constructor holding prototype, is refused by name: valid JSON, not "not valid JSON"', async () => {
    const cases: [string, string][] = [
      ['{"type":"x","__proto__":{"admin":true}}', 'body.__proto__'],
      ['{"type":"x","payload":{"a":[1,{"__proto__":1}]}}', 'body.payload.a[1].__proto__'],
      ['[{"type":"x"},{"type":"y","payload":{"constructor":{"prototype":{"admin":true}}}}]', 'body[1].payload.constructor.prototype'],
      // JSON escapes spell the same key: JSON.parse makes it __proto__.
      ['{"type":"x","payload":{"\\u005f_proto__":{}}}', 'body.payload.__proto__'],
    ];
    for (const [body, field] of cases) {
      const answer = await call(broker, 'POST', '/api/v1/tasks', body);
      assertShape(answer, 400, 'INVALID_ARGUMENT', /is not allowed: keys named __proto__/);
      assert.equal(answer.body.error.field, field, body);
      assert.doesNotMatch(answer.body.error.message, /not valid JSON/);
    }
    // The words alone are ordinary data.
    const fine = await call(broker, 'POST', '/api/v1/tasks', '{"type":"x","queue":"hardening-ok","payload":{"constructor":"a","prototype":{"__proto": 1}}}');
    assert.equal(fine.status, 201, fine.text);
    const got = await call(broker, 'GET', `/api/v1/tasks/${fine.body.task.id}`);
    assert.deepEqual(got.body.payload, { constructor: 'a', prototype: { __proto: 1 } });
    assertShape(await call(broker, 'POST', '/api/v1/tasks', '{"type":'), 400, 'INVALID_ARGUMENT', /not valid JSON/);
    await stillServes();
  });

  it(`a payload nested deeper than ${MAX_VALUE_DEPTH} levels is 400 naming the limit, 100,000 levels too; ${MAX_VALUE_DEPTH} levels go through whole`, async () => {
    const deepest = `{"type":"deep","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    assertShape(await call(broker, 'POST', '/api/v1/tasks', deepest), 400, 'INVALID_ARGUMENT', new RegExp(`tasks\\[0\\].payload nests deeper than the limit of ${MAX_VALUE_DEPTH}`));
    assertShape(
      await call(broker, 'POST', '/api/v1/tasks', [{ type: 'ok' }, { type: 'deep', payload: nested(MAX_VALUE_DEPTH + 1) }]),
      400,
      'INVALID_ARGUMENT',
      new RegExp(`tasks\\[1\\].payload nests deeper than the limit of ${MAX_VALUE_DEPTH}`),
    );
    const payload = nested(MAX_VALUE_DEPTH, { $base64: 'aGk=' });
    const ok = await call(broker, 'POST', '/api/v1/tasks', { type: 'deep', queue: 'hardening-ok', payload });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual((await call(broker, 'GET', `/api/v1/tasks/${ok.body.task.id}`)).body.payload, payload, 'read back as sent, binary included');
    await stillServes();
  });

  it('the OpenAPI document lists 415 where a body goes and 507 where a change is written', async () => {
    const paths = (await call(broker, 'GET', '/api/v1/openapi.json')).body.paths;
    assert.ok(paths['/api/v1/tasks'].post.responses['415'] && paths['/api/v1/tasks'].post.responses['507']);
    assert.ok(paths['/api/v1/queues/{name}/pause'].post.responses['507']);
    assert.equal(paths['/api/v1/queues/{name}/pause'].post.responses['415'], undefined, 'no body, no 415');
    assert.equal(paths['/api/v1/tasks'].get.responses['507'], undefined, 'a read writes nothing');
  });

  it('each model error code has its status: STORAGE_FULL 507, CLOSED 503, TOO_LARGE 413, ...', () => {
    const expected = { INVALID_ARGUMENT: 400, NOT_FOUND: 404, TOO_LARGE: 413, STALE_TOKEN: 409, INVALID_STATE: 409, STORAGE_FULL: 507, STORAGE_ERROR: 500, READ_ONLY: 503, CLOSED: 503 };
    for (const [code, status] of Object.entries(expected)) {
      assert.deepEqual(toApiError(new TqError(code as TqError['code'], 'm')), { status, code, message: 'm' }, code);
    }
    assert.equal(toApiError(new RemoteError('SHUTTING_DOWN', 'm')).status, 503);
  });
});

describe('HTTP and TCP on a full disk', () => {
  let mount: string | undefined;
  let broker: HttpBroker | undefined;
  let root: string;

  before(() => {
    root = tempDir('tq-full-');
    mount = join(root, 'disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (error) {
      mount = undefined;
      console.log(`cannot mount a tmpfs (${(error as Error).message.split('\n')[0]}): the full-disk test is skipped`);
    }
  });
  after(async () => {
    await broker?.stop();
    if (mount) execFileSync('umount', [mount]);
    removeDir(root);
  });

  it('a full disk is STORAGE_FULL: 507 over HTTP, the same code over TCP and in the CLI, and reads still work', async (t) => {
    if (!mount) return t.skip('no tmpfs (needs root)');
    broker = await startHttpBroker({ dataDir: join(mount, 'data') });
    const payload = { blob: 'x'.repeat(20_000) };
    let accepted = 0;
    let full: Answer | undefined;
    // 2 MiB holds about 90 of these.
    for (let i = 0; i < 400 && !full; i++) {
      const answer = await call(broker, 'POST', '/api/v1/tasks', { type: 'fill', payload });
      if (answer.status === 201) accepted++;
      else full = answer;
    }
    assert.ok(full, 'the disk never filled');
    assert.ok(accepted > 10, `only ${accepted} tasks fit`);
    assertShape(full, 507, 'STORAGE_FULL', /full.*free disk space; reads still work/);

    const client = await TqClient.connect({ broker: broker.address, reconnect: false });
    try {
      await assert.rejects(client.submit({ type: 'fill', payload }), (error: RemoteError) => error.code === 'STORAGE_FULL');
    } finally {
      client.close();
    }
    const cli = await runTq(['submit', '--type', 'fill', '--payload', JSON.stringify(payload), '--broker', broker.address]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /^tq: the data directory is full/);

    const stats = await call(broker, 'GET', '/api/v1/stats');
    assert.equal(stats.status, 200);
    assert.equal(stats.body.totals.pending, accepted, 'every acknowledged task is there, nothing else');
    const listed = await runTq(['list', '--queue', 'default', '--output', 'json', '--broker', broker.address]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).tasks.length, Math.min(accepted, 100));
  });
});
