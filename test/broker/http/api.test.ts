/**
 * The REST API over real HTTP against a real broker process: every route, the CLI's task fields,
 * each 4xx case (400 naming the field, 404, 409, 413, 415), the events stream and the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dirname, join } from 'node:path';
import { CANCELLABLE_STATES, FINISHED_STATES, NAME_PATTERN, PRIORITY_NAMES, RETRYABLE_STATES, TASK_STATES } from '../../../src/model/task.ts';
import { eventually, removeDir, runTq, startBroker, tempDir } from '../../helpers/broker.ts';
import { startWorker, type WorkerProcess } from '../../worker/helpers.ts';
import { assertError, call, type HttpBroker, readEvents, startHttpBroker, stopHttpBroker } from './helpers.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('REST API', () => {
  let broker: HttpBroker;
  let worker: WorkerProcess | undefined;

  before(async () => {
    broker = await startHttpBroker();
  });
  after(async () => {
    await worker?.stop();
    await stopHttpBroker(broker);
  });

  it('submits one task: 201, a Location, the CLI\'s task fields with ISO-8601 times', async () => {
    const answer = await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'rest', payload: { hello: 'world' }, priority: 'high', tags: ['a'] });
    assert.equal(answer.status, 201, answer.text);
    assert.equal(answer.body.created, true);
    const task = answer.body.task;
    assert.equal(answer.headers.get('location'), `/api/v1/tasks/${task.id}`);
    assert.equal(task.state, 'pending');
    assert.equal(task.priority, 150);
    assert.match(task.createdAt, ISO);
    assert.equal('payload' in task, false, 'a submit answer leaves the payload out, as over TCP');

    const got = await call(broker, 'GET', `/api/v1/tasks/${task.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.payload, { hello: 'world' });
    // The same task, field for field, as `tq status --output json` prints it.
    const cli = await runTq(['status', task.id, '--output', 'json', '--broker', broker.address]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(got.body, JSON.parse(cli.stdout));
  });

  it('submits an array in one go, and an idempotency key a second time answers 200 with the same task', async () => {
    const many = await call(broker, 'POST', '/api/v1/tasks', [
      { type: 'echo', queue: 'rest-many', idempotencyKey: 'k-1' },
      { type: 'echo', queue: 'rest-many', runAt: '2099-01-01T00:00:00Z' },
      { type: 'echo', queue: 'rest-many', runAt: Date.now() + 3_600_000 },
      { type: 'echo', queue: 'rest-many', delayMs: 3_600_000 },
    ]);
    assert.equal(many.status, 201, many.text);
    assert.equal(many.body.tasks.length, 4);
    assert.deepEqual(many.body.tasks.map((outcome: any) => outcome.task.state), ['pending', 'scheduled', 'scheduled', 'scheduled']);
    assert.equal(many.body.tasks[1].task.runAt, '2099-01-01T00:00:00.000Z');
    const again = await call(broker, 'POST', '/api/v1/tasks', { type: 'other', queue: 'rest-many', idempotencyKey: 'k-1' });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.created, false);
    assert.equal(again.body.task.id, many.body.tasks[0].task.id);
  });

  it('keeps binary payloads as {"$base64": ...} both ways', async () => {
    const answer = await call(broker, 'POST', '/api/v1/tasks', { type: 'bin', queue: 'rest-bin', payload: { $base64: 'AAECAwQ=' } });
    const got = await call(broker, 'GET', `/api/v1/tasks/${answer.body.task.id}`);
    assert.deepEqual(got.body.payload, { $base64: 'AAECAwQ=' });
  });

  it('lists with filters and follows the cursor to the last page', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await call(broker, 'POST', '/api/v1/tasks', { type: 'paged', queue: 'rest-list', payload: i })).body.task.id);
    await call(broker, 'POST', '/api/v1/tasks', { type: 'not-paged', queue: 'rest-list' });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const answer: any = await call(broker, 'GET', `/api/v1/tasks?queue=rest-list&type=paged&state=pending&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(answer.status, 200, answer.text);
      assert.ok(answer.body.tasks.length <= 2);
      for (const task of answer.body.tasks) {
        assert.equal(task.type, 'paged');
        assert.equal('payload' in task, false);
        seen.push(task.id);
      }
      cursor = answer.body.nextCursor;
      if (cursor === null) break;
    }
    assert.deepEqual(new Set(seen), ids);
    assert.equal(seen.length, 5);
  });

  it('cancels, refuses a second cancel with 409, retries the cancelled task', async () => {
    const { task } = (await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'rest-cancel' })).body;
    const cancelled = await call(broker, 'DELETE', `/api/v1/tasks/${task.id}`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.body.state, 'cancelled');
    assertError(await call(broker, 'DELETE', `/api/v1/tasks/${task.id}`), 409, 'INVALID_STATE', /cancelled/);
    const retried = await call(broker, 'POST', `/api/v1/tasks/${task.id}/retry`);
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.body.state, 'pending');
    assertError(await call(broker, 'POST', `/api/v1/tasks/${task.id}/retry`), 409, 'INVALID_STATE');
  });

  it('pauses and resumes a queue, and lists the queues', async () => {
    await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'rest-pause' });
    const paused = await call(broker, 'POST', '/api/v1/queues/rest-pause/pause');
    assert.deepEqual([paused.body.name, paused.body.paused], ['rest-pause', true]);
    const queues = await call(broker, 'GET', '/api/v1/queues');
    assert.equal(queues.body.queues.find((queue: any) => queue.name === 'rest-pause')?.paused, true);
    const resumed = await call(broker, 'POST', '/api/v1/queues/rest-pause/resume');
    assert.deepEqual([resumed.body.name, resumed.body.paused], ['rest-pause', false]);
  });

  it('lists dead tasks, replays them by id and by queue, and lists the worker that failed them', async () => {
    worker = await startWorker(broker.address, ['--queues', 'rest-dlq', '--name', 'rest-worker']);
    const submitted = await call(broker, 'POST', '/api/v1/tasks', [
      { type: 'fail', queue: 'rest-dlq', maxRetries: 0, payload: { message: 'boom' } },
      { type: 'fail', queue: 'rest-dlq', maxRetries: 0, payload: { message: 'boom' } },
    ]);
    const ids = submitted.body.tasks.map((outcome: any) => outcome.task.id).sort();
    const deadIds = async () => {
      const page = await call(broker, 'GET', '/api/v1/dlq?queue=rest-dlq');
      assert.equal(page.status, 200, page.text);
      return page.body.tasks.map((task: any) => task.id).sort();
    };
    await eventually(async () => ((await deadIds()).length === 2 ? true : undefined), 20_000, 'two dead tasks');
    assert.deepEqual(await deadIds(), ids);
    const dead = (await call(broker, 'GET', `/api/v1/tasks/${ids[0]}`)).body;
    assert.equal(dead.state, 'dead');
    assert.equal(dead.lastError, 'boom');
    assert.equal(dead.history[0].error, 'boom');

    const workers = await call(broker, 'GET', '/api/v1/workers');
    const listed = workers.body.workers.find((entry: any) => entry.name === 'rest-worker');
    assert.ok(listed, workers.text);
    assert.equal(listed.connected, true);
    assert.match(listed.connectedAt, ISO);
    assert.equal(dead.history[0].workerId, listed.id);

    const one = await call(broker, 'POST', '/api/v1/dlq/replay', { ids: [ids[0]] });
    assert.deepEqual(one.body, { count: 1, more: false });
    await eventually(async () => ((await deadIds()).length === 2 ? true : undefined), 20_000, 'the replayed task to die again');
    const all = await call(broker, 'POST', '/api/v1/dlq/replay', { queue: 'rest-dlq', limit: 10 });
    assert.deepEqual(all.body, { count: 2, more: false });
    assertError(await call(broker, 'POST', '/api/v1/dlq/replay', { ids: ['01a2022e-0000-7000-8000-000000000000'] }), 404, 'NOT_FOUND');
    const pending = (await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'rest-dlq-none' })).body.task;
    assertError(await call(broker, 'POST', '/api/v1/dlq/replay', { ids: [pending.id] }), 409, 'INVALID_STATE', /not dead/);
    const empty = await call(broker, 'POST', '/api/v1/dlq/replay');
    assert.equal(empty.status, 200, 'no body at all replays every queue');
  });

  it('answers stats as tq stats does, and health and readiness', async () => {
    const stats = await call(broker, 'GET', '/api/v1/stats');
    assert.equal(stats.status, 200);
    const cli = await runTq(['stats', '--output', 'json', '--broker', broker.address]);
    const cliStats = JSON.parse(cli.stdout);
    assert.deepEqual(Object.keys(stats.body), Object.keys(cliStats));
    assert.deepEqual(stats.body.queues.map((queue: any) => queue.name).sort(), cliStats.queues.map((queue: any) => queue.name).sort());
    assert.deepEqual(stats.body.queues.find((queue: any) => queue.name === 'rest-list').priorities, { 100: { pending: 6 } });
    assert.deepEqual((await call(broker, 'GET', '/api/v1/health')).body, { status: 'ok' });
    assert.deepEqual((await call(broker, 'GET', '/api/v1/ready')).body, { status: 'ready' });
    const history = await call(broker, 'GET', '/api/v1/stats/history');
    assert.equal(history.body.intervalMs, 2_000);
    assert.ok(history.body.samples.length >= 1);
    assert.match(history.body.samples[0].sampledAt, ISO);
  });

  it('400: a bad request names the field', async () => {
    const cases: [string, string, unknown, string, RegExp][] = [
      ['POST', '/api/v1/tasks', { payload: 1 }, 'body.type', /body\.type is required/],
      ['POST', '/api/v1/tasks', { type: 'has space' }, 'body.type', /body\.type must be 1-128 characters/],
      ['POST', '/api/v1/tasks', { type: 'echo', priority: 300 }, 'body.priority', /<= 255/],
      ['POST', '/api/v1/tasks', { type: 'echo', priority: 'huge' }, 'body.priority', /one of "low", "normal", "high", "urgent"/],
      ['POST', '/api/v1/tasks', { type: 'echo', tpye: 'x' }, 'body.tpye', /not a known field/],
      ['POST', '/api/v1/tasks', { type: 'echo', maxRetries: '3' }, 'body.maxRetries', /must be integer/],
      ['POST', '/api/v1/tasks', { type: 'echo', runAt: 'tomorrow' }, 'body.runAt', /runAt/],
      ['POST', '/api/v1/tasks', [{ type: 'echo' }, { type: 'echo', queue: '' }], 'body[1].queue', /body\[1\]\.queue/],
      ['POST', '/api/v1/tasks', [], 'body', /body must NOT have fewer than 1 items/],
      ['POST', '/api/v1/tasks', 5, 'body', /body must be object or array/],
      ['GET', '/api/v1/tasks?limit=0', undefined, 'querystring.limit', />= 1/],
      ['GET', '/api/v1/tasks?limit=many', undefined, 'querystring.limit', /must be integer/],
      ['GET', '/api/v1/tasks?state=done', undefined, 'querystring.state', /one of "waiting"/],
      ['GET', '/api/v1/tasks?color=red', undefined, 'querystring.color', /not a known field/],
      ['GET', '/api/v1/tasks?cursor=abc', undefined, 'querystring.cursor', /cursor/],
      ['GET', '/api/v1/dlq?queue=a%20b', undefined, 'querystring.queue', /querystring\.queue/],
      ['POST', '/api/v1/queues/not%20ok/pause', undefined, 'params.name', /params\.name must be 1-128 characters/],
      ['POST', '/api/v1/dlq/replay', { ids: [] }, 'body.ids', /fewer than 1/],
      ['POST', '/api/v1/dlq/replay', { limit: 0 }, 'body.limit', />= 1/],
      ['GET', '/api/v1/events?stats=maybe', undefined, 'querystring.stats', /boolean/],
    ];
    for (const [method, path, body, field, message] of cases) {
      const answer = await call(broker, method, path, body);
      assertError(answer, 400, 'INVALID_ARGUMENT', message);
      assert.equal(answer.body.error.field, field, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`);
    }
    assertError(await call(broker, 'POST', '/api/v1/tasks', '{"type":', { contentType: 'application/json' }), 400, 'INVALID_ARGUMENT', /not valid JSON/);
    assertError(await call(broker, 'POST', '/api/v1/tasks', 'type=echo', { contentType: 'application/x-www-form-urlencoded' }), 415, 'INVALID_ARGUMENT', /JSON/);
  });

  it('404: an unknown id or route', async () => {
    const unknown = '01a2022e-0000-7000-8000-000000000000';
    assertError(await call(broker, 'GET', `/api/v1/tasks/${unknown}`), 404, 'NOT_FOUND', /not found/);
    assertError(await call(broker, 'DELETE', `/api/v1/tasks/${unknown}`), 404, 'NOT_FOUND');
    assertError(await call(broker, 'POST', `/api/v1/tasks/${unknown}/retry`), 404, 'NOT_FOUND');
    assertError(await call(broker, 'GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND', /openapi/);
  });

  it('403: refuses changes from another origin and unknown host names', async () => {
    assertError(await call(broker, 'POST', '/api/v1/queues/rest-x/pause', undefined, { headers: { origin: 'http://evil.example' } }), 403, 'FORBIDDEN');
    // fetch will not send another Host: a raw request, as a DNS-rebinding page's would arrive.
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: broker.httpPort, path: '/api/v1/stats', headers: { host: `evil.example:${broker.httpPort}` } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(rebound.status, 403, rebound.body);
    assert.equal(JSON.parse(rebound.body).error.code, 'FORBIDDEN');
    const same = await call(broker, 'POST', '/api/v1/queues/rest-x/resume', undefined, { headers: { origin: broker.base } });
    assert.equal(same.status, 200, same.text);
  });

  it('streams task events once durable, filtered by queue, and stats', async () => {
    let submitted = '';
    const events = await readEvents(`${broker.base}/api/v1/events?queue=rest-events`, (seen) =>
      seen.some((e) => e.event === 'stats' && e.data.stats.queues.length > 0) && seen.some((e) => e.event === 'task' && e.data.task.id === submitted && e.data.task.state === 'cancelled'), {
      onOpen: async () => {
        await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'rest-elsewhere' });
        submitted = (await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', queue: 'rest-events' })).body.task.id;
        await call(broker, 'DELETE', `/api/v1/tasks/${submitted}`);
      },
    });
    const tasks = events.filter((e) => e.event === 'task');
    assert.ok(tasks.every((e) => e.data.task.queue === 'rest-events'), 'only the queue asked for');
    assert.deepEqual(tasks.map((e) => [e.data.change, e.data.previousState, e.data.task.state]), [
      ['created', null, 'pending'],
      ['updated', 'pending', 'cancelled'],
    ]);
    assert.match(tasks[0]!.data.task.createdAt, ISO);
    const stats = events.findLast((e) => e.event === 'stats')!.data;
    assert.deepEqual(stats.stats.queues.map((queue: any) => queue.name), ['rest-events']);
    assert.ok(stats.sample.rates && stats.sample.workers);
  });

  it('serves an OpenAPI 3.1 document of every route, built from the validation schemas', async () => {
    const answer = await call(broker, 'GET', '/api/v1/openapi.json');
    assert.equal(answer.status, 200);
    const doc = answer.body;
    assert.equal(doc.openapi, '3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, methods]: [string, any]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    for (const route of [
      'POST /api/v1/tasks', 'GET /api/v1/tasks', 'GET /api/v1/tasks/{id}', 'DELETE /api/v1/tasks/{id}', 'POST /api/v1/tasks/{id}/retry',
      'GET /api/v1/queues', 'POST /api/v1/queues/{name}/pause', 'POST /api/v1/queues/{name}/resume', 'GET /api/v1/dlq', 'POST /api/v1/dlq/replay',
      'GET /api/v1/workers', 'GET /api/v1/stats', 'GET /api/v1/health', 'GET /api/v1/ready', 'GET /api/v1/events', 'GET /metrics',
    ]) {
      assert.ok(routes.includes(route), `${route} is documented`);
    }
    const submit = doc.paths['/api/v1/tasks'].post;
    assert.deepEqual(submit.requestBody.content['application/json'].schema.oneOf[0], { $ref: '#/components/schemas/TaskInput' });
    assert.ok(submit.responses['400'] && submit.responses['413']);
    assert.deepEqual(doc.paths['/api/v1/tasks'].get.parameters.map((p: any) => p.name), ['state', 'queue', 'type', 'limit', 'cursor']);
    // The documented task is the task the API sends: every field named, every required one there.
    const schema = doc.components.schemas.Task;
    const id = (await call(broker, 'GET', '/api/v1/tasks?limit=1')).body.tasks[0].id;
    const task = (await call(broker, 'GET', `/api/v1/tasks/${id}`)).body;
    for (const key of Object.keys(task)) assert.ok(key in schema.properties, `${key} is documented`);
    for (const key of schema.required) assert.ok(key in task, `${key} is sent`);
    assert.deepEqual(schema.properties.state.enum, ['waiting', 'scheduled', 'pending', 'running', 'succeeded', 'failed', 'dead', 'cancelled']);
  });

  it('serves every dashboard file as it is on disk, with its content type, a strict CSP and ETags', async () => {
    const dir = join(import.meta.dirname, '../../../src/dashboard');
    const names = readdirSync(dir).filter((name) => name === 'index.html' || /\.(js|css)$/.test(name));
    assert.ok(names.includes('app.js') && names.includes('style.css'), names.join(', '));
    const types: Record<string, RegExp> = { html: /^text\/html; charset=utf-8$/, js: /^text\/javascript; charset=utf-8$/, css: /^text\/css; charset=utf-8$/ };
    const served = new Map<string, string>();
    for (const name of names) {
      const path = name === 'index.html' ? '/' : `/assets/${name}`;
      const answer = await fetch(`${broker.base}${path}`);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type')!, types[name.slice(name.lastIndexOf('.') + 1)]!, path);
      assert.match(answer.headers.get('content-security-policy')!, /default-src 'none'; script-src 'self'/, path);
      const body = await answer.text();
      assert.equal(body, readFileSync(join(dir, name), 'utf8'), `${path} is ${name} as on disk`);
      served.set(path, body);
      const etag = answer.headers.get('etag')!;
      assert.equal((await fetch(`${broker.base}${path}`, { headers: { 'if-none-match': etag } })).status, 304, path);
    }
    // Everything the page loads is served: the page's script and stylesheet, every module's imports.
    const wanted = [...served.get('/')!.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(wanted.sort(), ['/assets/app.js', '/assets/style.css']);
    for (const [path, body] of served) {
      if (!path.endsWith('.js')) continue;
      for (const [, spec] of body.matchAll(/^import [^'\n]*'(\.\/[^']+)';$/gm)) wanted.push(`/assets/${spec!.slice(2)}`);
    }
    for (const path of wanted) assert.ok(served.has(path), `${path} is served`);
    // Nothing else of the directory is: not its types or its tsconfig.
    for (const path of ['/assets/types.d.ts', '/assets/tsconfig.json', '/assets/nope.js']) {
      assert.equal((await fetch(`${broker.base}${path}`)).status, 404, path);
    }
  });

  it('GET /api/v1/model: the queue rules of src/model, documented', async () => {
    const answer = await call(broker, 'GET', '/api/v1/model');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {
      states: [...TASK_STATES],
      finishedStates: [...FINISHED_STATES],
      cancellableStates: [...CANCELLABLE_STATES],
      retryableStates: [...RETRYABLE_STATES],
      priorities: { ...PRIORITY_NAMES },
      namePattern: NAME_PATTERN.source,
    });
    const doc = (await call(broker, 'GET', '/api/v1/openapi.json')).body;
    const schema = doc.paths['/api/v1/model'].get.responses['200'].content['application/json'].schema;
    assert.deepEqual(Object.keys(answer.body).sort(), [...schema.required].sort());
  });
});

describe('REST API limits and settings', () => {
  it('413: a payload over the broker\'s limit, and a body over the HTTP limit', async () => {
    const broker = await startHttpBroker({ env: { TQ_MAX_PAYLOAD_BYTES: '1024' } });
    try {
      assertError(await call(broker, 'POST', '/api/v1/tasks', { type: 'big', payload: 'x'.repeat(4_000) }), 413, 'TOO_LARGE', /over the limit of 1024/);
      // The HTTP body limit is 4 × maxPayloadBytes + 1 MiB.
      assertError(await call(broker, 'POST', '/api/v1/tasks', { type: 'big', payload: 'x'.repeat(2 * 1024 * 1024) }), 413, 'TOO_LARGE', /request body/);
      const many = Array.from({ length: 10_001 }, () => ({ type: 'tiny' }));
      assertError(await call(broker, 'POST', '/api/v1/tasks', many), 413, 'TOO_LARGE', /at most 10000 tasks/);
      const small = await call(broker, 'POST', '/api/v1/tasks', { type: 'small', payload: 'x'.repeat(100) });
      assert.equal(small.status, 201);
    } finally {
      await stopHttpBroker(broker);
    }
  });

  it('--no-http serves no HTTP; a taken HTTP port is one clear line', async () => {
    const off = await startBroker({ args: ['--no-http'] });
    assert.equal(off.httpPort, undefined);
    assert.doesNotMatch(off.output(), /http listening/);
    await off.stop();
    removeDir(dirname(off.dataDir));

    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = tempDir();
    try {
      const result = await runTq(['broker', 'start', '--data-dir', join(dir, 'data'), '--port', '0', '--http-port', String(port)]);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`^tq: HTTP port ${port} on 127\\.0\\.0\\.1 is already in use: .*--http-port or TQ_HTTP_PORT`));
    } finally {
      taken.close();
      removeDir(dir);
    }
  });
});
