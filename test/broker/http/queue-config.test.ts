/**
 * PATCH /api/v1/queues/{name}/config over real HTTP against a real broker: settings set, reset
 * with null, taken by the tasks submitted after; bad bodies are 400 naming the field and change
 * nothing; GET /queues and the OpenAPI document show the settings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runTq } from '../../helpers/broker.ts';
import { assertError, call, type HttpBroker, startHttpBroker, stopHttpBroker } from './helpers.ts';

const DEFAULT_SETTINGS = { maxRetries: 3, timeoutMs: 1_800_000, backoffBaseMs: 1_000, backoffCapMs: 3_600_000 };

describe('REST queue settings', () => {
  let broker: HttpBroker;

  before(async () => {
    broker = await startHttpBroker();
  });
  after(async () => {
    await stopHttpBroker(broker);
  });

  async function submit(body: Record<string, unknown>) {
    const answer = await call(broker, 'POST', '/api/v1/tasks', { type: 'echo', ...body });
    assert.equal(answer.status, 201, answer.text);
    const { maxRetries, timeoutMs, backoffBaseMs, backoffCapMs } = answer.body.task;
    return { maxRetries, timeoutMs, backoffBaseMs, backoffCapMs };
  }

  it('sets settings that the tasks submitted after take, and lists them', async () => {
    const answer = await call(broker, 'PATCH', '/api/v1/queues/rest-config/config', { maxRetries: 6, timeoutMs: 45_000, backoffBaseMs: 500 });
    assert.equal(answer.status, 200, answer.text);
    const expected = { ...DEFAULT_SETTINGS, maxRetries: 6, timeoutMs: 45_000, backoffBaseMs: 500 };
    assert.deepEqual(answer.body, { name: 'rest-config', paused: false, ...expected, overrides: ['maxRetries', 'timeoutMs', 'backoffBaseMs'] });
    assert.deepEqual(await submit({ queue: 'rest-config' }), expected);
    assert.deepEqual(await submit({ queue: 'rest-config', maxRetries: 1 }), { ...expected, maxRetries: 1 }, "a task's own value wins");
    const listed = await call(broker, 'GET', '/api/v1/queues');
    assert.deepEqual(listed.body.queues.find((queue: any) => queue.name === 'rest-config'), answer.body);
    // The CLI reads the same settings from the broker.
    const cli = await runTq(['queue', 'config', 'rest-config', '-o', 'json', '--broker', broker.address]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), answer.body);
  });

  it('null resets a setting to the default; one left out stays', async () => {
    await call(broker, 'PATCH', '/api/v1/queues/rest-reset/config', { maxRetries: 9, backoffCapMs: 60_000 });
    const answer = await call(broker, 'PATCH', '/api/v1/queues/rest-reset/config', { backoffCapMs: null, timeoutMs: 10_000 });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body.overrides, ['maxRetries', 'timeoutMs']);
    assert.deepEqual(await submit({ queue: 'rest-reset' }), { ...DEFAULT_SETTINGS, maxRetries: 9, timeoutMs: 10_000 });
  });

  it('a bad body is 400 naming the field, and changes nothing', async () => {
    await call(broker, 'PATCH', '/api/v1/queues/rest-bad/config', { maxRetries: 2 });
    const cases: [string, unknown, string, RegExp][] = [
      ['/api/v1/queues/rest-bad/config', { maxRetries: 5, timeoutMs: 0 }, 'body.timeoutMs', /body\.timeoutMs must be >= 1/],
      ['/api/v1/queues/rest-bad/config', { maxRetries: 1_001 }, 'body.maxRetries', /body\.maxRetries must be <= 1000/],
      ['/api/v1/queues/rest-bad/config', { backoffCapMs: '1h' }, 'body.backoffCapMs', /body\.backoffCapMs must be integer,null/],
      ['/api/v1/queues/rest-bad/config', { maxRetries: 5, retries: 3 }, 'body.retries', /body\.retries is not a known field/],
      ['/api/v1/queues/not%20ok/config', { maxRetries: 5 }, 'params.name', /params\.name must be 1-128 characters/],
    ];
    for (const [path, body, field, message] of cases) {
      const answer = await call(broker, 'PATCH', path, body);
      assertError(answer, 400, 'INVALID_ARGUMENT', message);
      assert.equal(answer.body.error.field, field, answer.text);
    }
    assertError(await call(broker, 'PATCH', '/api/v1/queues/rest-bad/config', [1]), 400, 'INVALID_ARGUMENT');
    assertError(await call(broker, 'PATCH', '/api/v1/queues/rest-bad/config'), 400, 'INVALID_ARGUMENT');
    const listed = await call(broker, 'GET', '/api/v1/queues');
    assert.deepEqual(listed.body.queues.find((queue: any) => queue.name === 'rest-bad'), { name: 'rest-bad', paused: false, ...DEFAULT_SETTINGS, maxRetries: 2, overrides: ['maxRetries'] });
    assert.equal(listed.body.queues.some((queue: any) => queue.name === 'not ok'), false);
  });

  it('a page from another origin may not change settings', async () => {
    const answer = await call(broker, 'PATCH', '/api/v1/queues/rest-origin/config', { maxRetries: 0 }, { headers: { origin: 'http://evil.example' } });
    assertError(answer, 403, 'FORBIDDEN');
    const listed = await call(broker, 'GET', '/api/v1/queues');
    assert.equal(listed.body.queues.some((queue: any) => queue.name === 'rest-origin'), false);
  });

  it('the OpenAPI document describes the route, its body and the queue it answers', async () => {
    const doc = (await call(broker, 'GET', '/api/v1/openapi.json')).body;
    const operation = doc.paths['/api/v1/queues/{name}/config'].patch;
    assert.equal(operation.operationId, 'configureQueue');
    assert.deepEqual(operation.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/QueueConfig' });
    assert.deepEqual(operation.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/Queue' });
    const body = doc.components.schemas.QueueConfig;
    assert.deepEqual(Object.keys(body.properties), ['maxRetries', 'timeoutMs', 'backoffBaseMs', 'backoffCapMs']);
    assert.deepEqual(body.properties.timeoutMs.type, ['integer', 'null']);
    // The documented queue is the queue the API sends: every field named, every required one there.
    const schema = doc.components.schemas.Queue;
    const queue = (await call(broker, 'GET', '/api/v1/queues')).body.queues[0];
    for (const key of Object.keys(queue)) assert.ok(key in schema.properties, `${key} is documented`);
    for (const key of schema.required) assert.ok(key in queue, `${key} is sent`);
  });
});
