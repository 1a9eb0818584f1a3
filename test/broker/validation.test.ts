/**
 * Every request's arguments against their shape (src/protocol/requests.ts), on a real broker: raw
 * TCP requests and REST calls to the same process. A caller's mistake is INVALID_ARGUMENT naming
 * the field, the same on both listeners, and never a storage or internal error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeFrame } from '../../src/protocol/frame.ts';
import { MAX_VALUE_DEPTH } from '../../src/model/value-limits.ts';
import { REQUEST_SHAPES } from '../../src/protocol/requests.ts';
import type { Op } from '../../src/protocol/messages.ts';
import { call, type HttpBroker, startHttpBroker, stopHttpBroker } from './http/helpers.ts';
import { hello, rawClient, rawPeer, rawWorker, RequestFailed, type RawSession } from '../helpers/protocol.ts';

const HUGE = 'x'.repeat(1024 * 1024);
const MISSING_ID = '0193b3c2-0000-7000-8000-000000000000';

/** The error a request answers; fails the test if it succeeds. */
async function refusal(session: RawSession, op: string, args: unknown): Promise<RequestFailed> {
  try {
    await session.request(op, args);
  } catch (error) {
    if (error instanceof RequestFailed) return error;
    throw error;
  }
  assert.fail(`${op} ${JSON.stringify(args).slice(0, 200)} succeeded`);
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A submit frame whose payload is `depth` lists deep, written by hand: msgpackr would recurse. */
function deepSubmitFrame(requestId: number, depth: number): Buffer {
  const marker = 'DEEP-PAYLOAD-MARKER';
  const frame = encodeFrame({ t: 'req', id: requestId, op: 'submit', args: { tasks: [{ type: 'deep', payload: marker }] } });
  const at = frame.indexOf(Buffer.from(marker)) - 1; // the fixstr header before it
  const deep = Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]); // fixarray(1) ... nil
  const body = Buffer.concat([frame.subarray(4, at), deep, frame.subarray(at + 1 + marker.length)]);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

describe('request validation', () => {
  let broker: HttpBroker;
  let client: RawSession;
  let worker: RawSession;

  before(async () => {
    broker = await startHttpBroker();
    client = await rawClient(broker.port);
    worker = await rawWorker(broker.port, { id: 'validation-worker', queues: ['nothing-runs-here'], concurrency: 1 });
  });
  after(async () => {
    client.close();
    worker.close();
    await stopHttpBroker(broker);
  });

  it('get with a 1 MB id, a nil id or none, and retry with no id: INVALID_ARGUMENT naming id', async () => {
    for (const [op, args] of [
      ['get', { id: HUGE }],
      ['get', { id: null }],
      ['get', {}],
      ['retry', {}],
      ['cancel', { id: 42 }],
      ['wait', { id: '' }],
    ] as const) {
      const error = await refusal(client, op, args);
      assert.deepEqual([error.code, error.field], ['INVALID_ARGUMENT', 'id'], `${op} ${JSON.stringify(args).slice(0, 80)}: ${error.message}`);
      assert.match(error.message, /^INVALID_ARGUMENT: id (is required|must be a task id of 1-64 characters)/);
    }
    assert.doesNotMatch(broker.output(), /does not fit|\n\s+at /, 'no internal error and no stack trace in the log');
  });

  it('no argument of any op, missing, nil, wrong-typed, huge or empty, gives a storage or internal error', async () => {
    const wrongs: unknown[] = [null, 7, 'text', '', HUGE, [], {}, true, nested(MAX_VALUE_DEPTH + 1)];
    const ops = Object.keys(REQUEST_SHAPES) as Op[];
    const seen = new Set<string>();
    for (const op of ops) {
      const session = ['ack', 'nack', 'release', 'report', 'progress', 'heartbeat'].includes(op) ? worker : client;
      const cases: unknown[] = [null, 7, 'text', [], { unknownField: 1 }];
      for (const field of Object.keys(REQUEST_SHAPES[op].fields)) {
        // A short string is a good directory: backup would write there.
        for (const wrong of wrongs) if (!(op === 'backup' && wrong === 'text')) cases.push({ [field]: wrong });
      }
      for (const args of cases) {
        let answer: { code: string; field?: string } | 'ok';
        try {
          await session.request(op, args);
          answer = 'ok';
        } catch (error) {
          assert.ok(error instanceof RequestFailed, String(error));
          answer = error;
        }
        const what = `${op} ${JSON.stringify(args)?.slice(0, 80)}`;
        if (answer === 'ok') continue;
        seen.add(answer.code);
        assert.ok(!['STORAGE_ERROR', 'STORAGE_FULL', 'INTERNAL'].includes(answer.code), `${what}: ${(answer as RequestFailed).message}`);
        if (answer.code === 'INVALID_ARGUMENT') assert.equal(typeof answer.field, 'string', `${what} names no field`);
      }
    }
    assert.ok(seen.has('INVALID_ARGUMENT'));
    assert.deepEqual(await client.request('stats'), await client.request('stats'), 'the broker still answers');
    assert.doesNotMatch(broker.output(), /\n\s+at /, 'no stack trace in the log');
  });

  it('the same bad argument answers the same code and field on TCP and REST', async () => {
    const longId = 'a'.repeat(100); // within REST's path limits, over the model's id length
    const both = [
      {
        tcp: ['submit', { tasks: [{ type: 'pair', runAt: Date.now() + 60_000, delayMs: 5 }] }],
        rest: ['POST', '/api/v1/tasks', { type: 'pair', runAt: Date.now() + 60_000, delayMs: 5 }],
        field: 'tasks[0].delayMs',
      },
      { tcp: ['get', { id: longId }], rest: ['GET', `/api/v1/tasks/${longId}`], field: 'id' },
      { tcp: ['retry', { id: longId }], rest: ['POST', `/api/v1/tasks/${longId}/retry`], field: 'id' },
      {
        tcp: ['submit', { tasks: [{ type: 'deep', payload: nested(MAX_VALUE_DEPTH + 1) }] }],
        rest: ['POST', '/api/v1/tasks', { type: 'deep', payload: nested(MAX_VALUE_DEPTH + 1) }],
        field: 'tasks[0].payload',
      },
    ] as const;
    for (const { tcp, rest, field } of both) {
      const overTcp = await refusal(client, tcp[0], tcp[1]);
      const overRest = await call(broker, rest[0], rest[1], rest[2]);
      assert.deepEqual([overTcp.code, overTcp.field], ['INVALID_ARGUMENT', field], overTcp.message);
      assert.equal(overRest.status, 400, overRest.text);
      assert.deepEqual(overRest.body.error, { code: overTcp.code, message: overTcp.message.replace(/^INVALID_ARGUMENT: /, ''), field });
    }
  });

  it('refuses runAt with delayMs, saying to give one', async () => {
    const error = await refusal(client, 'submit', { tasks: [{ type: 'pair', runAt: 1, delayMs: 1 }] });
    assert.match(error.message, /runAt and tasks\[0\]\.delayMs cannot both be given/);
    const alone = (await client.request<{ task: { state: string } }[]>('submit', { tasks: [{ type: 'pair', delayMs: 60_000 }] }))[0]!;
    assert.equal(alone.task.state, 'scheduled', 'delayMs alone still schedules');
  });

  it('refuses a payload 100,000 levels deep with INVALID_ARGUMENT naming the limit, and keeps serving', async () => {
    const peer = await rawPeer(broker.port);
    peer.send(hello('client'));
    assert.equal((await peer.next()).t, 'welcome');
    peer.socket.write(deepSubmitFrame(1, 100_000));
    const response = await peer.next();
    const error = response.error as { code: string; message: string; field: string };
    assert.deepEqual([response.t, response.id, response.ok, error.code, error.field], ['res', 1, false, 'INVALID_ARGUMENT', 'args']);
    assert.match(error.message, new RegExp(`at most ${MAX_VALUE_DEPTH} maps and lists deep`));
    // The same connection goes on: a value at the limit is taken.
    peer.send({ t: 'req', id: 2, op: 'submit', args: { tasks: [{ type: 'deep', payload: nested(MAX_VALUE_DEPTH) }] } });
    const fine = await peer.next();
    assert.deepEqual([fine.id, fine.ok], [2, true], JSON.stringify(fine));
    peer.socket.destroy();
  });

  describe('a change of many tasks needs a filter or all: true', () => {
    async function pendingIn(queue: string): Promise<number> {
      const page = await client.request<{ tasks: unknown[] }>('list', { queue, state: 'pending' });
      return page.tasks.length;
    }

    it('cancelWhere and retryWhere with no filter, an empty one or a misspelt one change nothing', async () => {
      await client.request('submit', { tasks: [{ type: 't', queue: 'bulk-a' }, { type: 't', queue: 'bulk-a' }] });
      for (const op of ['cancelWhere', 'retryWhere']) {
        for (const args of [{}, { filter: {} }, { filter: null }, { all: false }, { limit: 5 }]) {
          const error = await refusal(client, op, args);
          assert.deepEqual([error.code, error.field], ['INVALID_ARGUMENT', 'filter'], `${op} ${JSON.stringify(args)}`);
          assert.match(error.message, /all: true/);
        }
        const typo = await refusal(client, op, { filter: { queu: 'bulk-a' } });
        assert.deepEqual([typo.code, typo.field], ['INVALID_ARGUMENT', 'filter.queu']);
      }
      assert.equal(await pendingIn('bulk-a'), 2, 'nothing was cancelled');
      assert.deepEqual(await client.request('cancelWhere', { filter: { queue: 'bulk-a' } }), { count: 2, more: false });
    });

    it('cancelWhere with all: true cancels every task; dlqPurge needs a queue or all: true', async () => {
      await client.request('submit', { tasks: [{ type: 't', queue: 'bulk-b' }, { type: 't', queue: 'bulk-c' }] });
      const outcome = await client.request<{ count: number }>('cancelWhere', { all: true });
      assert.ok(outcome.count >= 2);
      assert.equal((await pendingIn('bulk-b')) + (await pendingIn('bulk-c')), 0);
      const purge = await refusal(client, 'dlqPurge', {});
      assert.deepEqual([purge.code, purge.field], ['INVALID_ARGUMENT', 'queue']);
      assert.deepEqual(await client.request('dlqPurge', { all: true }), { count: 0, more: false });
      assert.deepEqual(await client.request('dlqPurge', { queue: 'bulk-b' }), { count: 0, more: false });
    });
  });

  it('report and enqueue with each answer a bad entry in its place, naming it', async () => {
    const reports = await worker.request<{ error?: { code: string; field?: string } }[]>('report', {
      reports: [{ op: 'ack', id: MISSING_ID, token: 1 }, { op: 'ack' }, 'nonsense', { op: 'shout', id: MISSING_ID, token: 1 }],
    });
    assert.equal(reports[0]!.error?.code, 'NOT_FOUND');
    assert.deepEqual(reports.slice(1).map((answer) => [answer.error?.code, answer.error?.field]), [
      ['INVALID_ARGUMENT', 'reports[1].id'],
      ['INVALID_ARGUMENT', 'reports[2]'],
      ['INVALID_ARGUMENT', 'reports[3].op'],
    ]);
    const enqueued = await client.request<{ id?: string; error?: { field?: string } }[]>('enqueue', {
      each: true,
      tasks: [{ type: 'fine' }, { type: 'fine', tags: Array(40).fill('t') }],
    });
    assert.equal(typeof enqueued[0]!.id, 'string');
    assert.equal(enqueued[1]!.error?.field, 'tasks[1].tags');
  });
});
