/**
 * The task commands against a real broker with no workers: submit (flags, batch, idempotency,
 * delay, binary), status, list with cursors, cancel, retry, stats, queue-depth and queue
 * pause/resume/drain, in table, json and yaml form.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, startBroker, tempDir, type BrokerProcess } from '../helpers/broker.ts';
import { failsWithOneLine, ISO_TIME, ok, okJson, okYaml, tqAt } from './helpers.ts';

let broker: BrokerProcess;
const tq = (...args: string[]) => tqAt(broker.address, args);

before(async () => {
  broker = await startBroker();
});

after(async () => {
  await broker.stop();
  rmSync(dirname(broker.dataDir), { recursive: true, force: true });
});

test('submit prints the id; status shows the task in json, yaml and table form', async () => {
  const id = ok(await tq('submit', '--type', 'echo', '--payload', '{"hello":"world","n":[1,2]}', '--queue', 'q-status', '--priority', 'high', '--max-retries', '5', '--timeout', '90s', '--tag', 'a', '--tag', 'b')).trim();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  const [json, yaml, table] = await Promise.all([tq('status', id, '-o', 'json'), tq('status', id, '--output', 'yaml'), tq('status', id)]);
  const task = okJson(json);
  assert.equal(task.id, id);
  assert.equal(task.type, 'echo');
  assert.equal(task.queue, 'q-status');
  assert.equal(task.state, 'pending');
  assert.equal(task.priority, 150);
  assert.equal(task.maxRetries, 5);
  assert.equal(task.timeoutMs, 90_000);
  assert.deepEqual(task.payload, { hello: 'world', n: [1, 2] });
  assert.deepEqual(task.tags, ['a', 'b']);
  assert.match(task.createdAt, ISO_TIME);
  assert.match(task.updatedAt, ISO_TIME);
  assert.equal(task.startedAt, null);

  assert.deepEqual(okYaml(yaml), task, 'yaml and json print the same data');

  const text = ok(table);
  assert.match(text, new RegExp(`^id\\s+${id}$`, 'm'));
  assert.match(text, /^priority\s+150 \(high\)$/m);
  assert.match(text, /^payload\s+\{"hello":"world","n":\[1,2\]\}$/m);
});

test('submit -o json and -o yaml print the whole task; a {"$base64"} payload round-trips as binary', async () => {
  const [json, yaml] = await Promise.all([
    tq('submit', '--type', 'echo', '--payload', '{"bytes":{"$base64":"AAEC/w=="}}', '-o', 'json'),
    tq('submit', '--type', 'echo', '--priority', '7', '-o', 'yaml'),
  ]);
  const task = okJson(json);
  assert.deepEqual(task.payload, { bytes: { $base64: 'AAEC/w==' } });
  assert.equal(task.state, 'pending');
  const again = okJson(await tq('status', task.id, '-o', 'json'));
  assert.deepEqual(again.payload, { bytes: { $base64: 'AAEC/w==' } });
  const other = okYaml(yaml);
  assert.equal(other.priority, 7);
  assert.match(other.createdAt, ISO_TIME);
});

test('a payload file and stdin give the payload', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'payload.json');
    writeFileSync(file, '{"from":"file"}');
    const [fromFile, fromStdin] = await Promise.all([
      tq('submit', '--type', 'echo', '--payload-file', file, '-o', 'json'),
      tqAt(broker.address, ['submit', '--type', 'echo', '--payload-file', '-', '-o', 'json'], { input: '{"from":"stdin"}' }),
    ]);
    assert.deepEqual(okJson(fromFile).payload, { from: 'file' });
    assert.deepEqual(okJson(fromStdin).payload, { from: 'stdin' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same idempotency key twice gives one task', async () => {
  const first = await tq('submit', '--type', 'echo', '--queue', 'q-idem', '--idempotency-key', 'order-42');
  const second = await tq('submit', '--type', 'echo', '--queue', 'q-idem', '--idempotency-key', 'order-42', '--payload', '{"other":true}');
  assert.equal(ok(second).trim(), ok(first).trim());
  assert.match(second.stderr, /already names task/);
  const page = okJson(await tq('list', '--queue', 'q-idem', '-o', 'json'));
  assert.equal(page.tasks.length, 1);
});

test('a delayed task is scheduled, then pending once its time has come', async () => {
  // Long enough that the listing below, one more CLI process on a loaded machine, sees it still scheduled.
  const task = okJson(await tq('submit', '--type', 'echo', '--queue', 'q-delay', '--delay', '6s', '-o', 'json'));
  assert.equal(task.state, 'scheduled');
  assert.match(task.runAt, ISO_TIME);
  assert.ok(Date.parse(task.runAt) > Date.parse(task.createdAt));
  const scheduled = okJson(await tq('list', '--queue', 'q-delay', '--state', 'scheduled', '-o', 'json'));
  assert.deepEqual(scheduled.tasks.map((t: { id: string }) => t.id), [task.id]);
  await eventually(async () => (okJson(await tq('status', task.id, '-o', 'json')).state === 'pending' ? true : undefined), 20_000, 'the delayed task to become pending');
  const at = okJson(await tq('submit', '--type', 'echo', '--queue', 'q-delay', '--at', new Date(Date.now() + 3_600_000).toISOString(), '-o', 'json'));
  assert.equal(at.state, 'scheduled');
});

test('list pages with --limit and --cursor; table mode prints the next-page hint on stderr', async () => {
  const batch = Array.from({ length: 5 }, (_, i) => JSON.stringify({ type: 'echo', queue: 'q-list', payload: { i } })).join('\n');
  okJson(await tqAt(broker.address, ['submit', '--batch-file', '-', '-o', 'json'], { input: batch }));
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const args = ['list', '--queue', 'q-list', '--limit', '2', '-o', 'json', ...(cursor ? ['--cursor', cursor] : [])];
    const page: { tasks: { id: string; queue: string }[]; nextCursor: string | null } = okJson(await tq(...args));
    for (const task of page.tasks) {
      assert.equal(task.queue, 'q-list');
      assert.ok(!seen.has(task.id), 'no task listed twice');
      seen.add(task.id);
    }
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  assert.equal(seen.size, 5);
  assert.equal(pages, 3);

  const table = await tq('list', '--queue', 'q-list', '--limit', '2');
  const lines = ok(table).trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+TYPE\s+QUEUE\s+PRI\s+STATE/);
  assert.equal(lines.length, 3);
  assert.match(table.stderr, /^more: tq list --queue q-list --limit 2 --cursor \d+$/m);

  const yaml = okYaml(await tq('list', '--queue', 'q-list', '--state', 'pending', '-o', 'yaml'));
  assert.equal(yaml.tasks.length, 5);
  assert.equal(yaml.nextCursor, null);
});

test('a batch file submits every line, or nothing when a line is bad', async () => {
  const dir = tempDir();
  try {
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, ['{"type":"echo","queue":"q-batch","payload":{"n":1},"priority":"urgent"}', '', '{"type":"echo","queue":"q-batch","delay":"1h","tags":["x"]}', '{"type":"echo","queue":"q-batch","idempotencyKey":"batch-1"}'].join('\n'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"type":"echo","queue":"q-batch"}\n{"type":"echo","queue":"q-batch"\n');
    const unknownField = join(dir, 'unknown.jsonl');
    writeFileSync(unknownField, '{"type":"echo","queue":"q-batch"}\n{"type":"echo","colour":"red"}\n');

    const summary = okJson(await tq('submit', '--batch-file', good, '-o', 'json'));
    assert.equal(summary.count, 3);
    assert.equal(summary.created, 3);
    assert.equal(summary.ids.length, 3);
    assert.match(ok(await tq('submit', '--batch-file', good)), /^submitted 3 tasks \(1 matched an existing idempotency key\)$/m);

    failsWithOneLine(await tq('submit', '--batch-file', bad), /line 2 is not valid JSON/);
    failsWithOneLine(await tq('submit', '--batch-file', unknownField), /line 2: unknown field "colour"/);

    const page = okJson(await tq('list', '--queue', 'q-batch', '-o', 'json'));
    assert.equal(page.tasks.length, 5, 'two good batches of 3, one key repeated: the bad files added nothing');
    const urgent = page.tasks.find((task: { priority: number }) => task.priority === 200);
    assert.deepEqual(okJson(await tq('status', urgent.id, '-o', 'json')).payload, { n: 1 });
    assert.equal(page.tasks.filter((task: { state: string }) => task.state === 'scheduled').length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cancel and retry', async () => {
  const id = ok(await tq('submit', '--type', 'echo', '--queue', 'q-cancel')).trim();
  assert.equal(ok(await tq('cancel', id)).trim(), `cancelled ${id}`);
  const cancelled = okJson(await tq('status', id, '-o', 'json'));
  assert.equal(cancelled.state, 'cancelled');
  assert.match(cancelled.finishedAt, ISO_TIME);
  failsWithOneLine(await tq('cancel', id), /cancelled/);

  const retried = okYaml(await tq('retry', id, '-o', 'yaml'));
  assert.equal(retried.state, 'pending');
  assert.equal(retried.attempts, 0);
  failsWithOneLine(await tq('retry', id), /pending/);
  assert.equal(okJson(await tq('cancel', id, '-o', 'json')).state, 'cancelled');
});

test('stats and queue-depth count per queue, state and priority', async () => {
  const input = [
    { type: 'echo', queue: 'q-stats', priority: 'low' },
    { type: 'echo', queue: 'q-stats', priority: 'urgent' },
    { type: 'echo', queue: 'q-stats', priority: 'urgent' },
    { type: 'echo', queue: 'q-stats', delayMs: 3_600_000 },
  ]
    .map((task) => JSON.stringify(task))
    .join('\n');
  ok(await tqAt(broker.address, ['submit', '--batch-file', '-'], { input }));

  const [stats, yamlStats, table, depth, depthTable] = await Promise.all([
    tq('stats', '-o', 'json'),
    tq('stats', '-o', 'yaml'),
    tq('stats'),
    tq('queue-depth', '--queue', 'q-stats', '-o', 'json'),
    tq('queue-depth'),
  ]);
  const queue = okJson(stats).queues.find((entry: { name: string }) => entry.name === 'q-stats');
  assert.equal(queue.states.pending, 3);
  assert.equal(queue.states.scheduled, 1);
  assert.deepEqual(queue.priorities['200'], { pending: 2 });
  assert.deepEqual(queue.priorities['50'], { pending: 1 });
  assert.deepEqual(okYaml(yamlStats).queues.find((entry: { name: string }) => entry.name === 'q-stats').states, queue.states);
  assert.match(ok(table), /^q-stats\s+1\s+3\s+0\s+0\s+0\s+0\s+0\s+no$/m);
  assert.match(ok(table), /^q-stats\s+200 \(urgent\)\s+0\s+2\s+/m);

  const depths = okJson(depth).queues;
  assert.equal(depths.length, 1);
  assert.equal(depths[0].name, 'q-stats');
  assert.equal(depths[0].pending, 3);
  assert.equal(depths[0].scheduled, 1);
  assert.equal(typeof depths[0].oldestPendingAgeMs, 'number');
  assert.match(ok(depthTable), /^QUEUE\s+PENDING\s+SCHEDULED\s+RUNNING\s+FAILED\s+DEAD\s+OLDEST PENDING\s+PAUSED$/m);
  assert.match(ok(depthTable), /^q-stats\s+3\s+1\s+0\s+0\s+0\s+\S+\s+no$/m);
});

test('queue pause, resume and drain (drain needs --yes)', async () => {
  ok(await tq('submit', '--type', 'echo', '--queue', 'q-admin'));
  ok(await tq('submit', '--type', 'echo', '--queue', 'q-admin', '--delay', '1h'));
  assert.equal(okJson(await tq('queue', 'pause', 'q-admin', '-o', 'json')).paused, true);
  assert.equal(okJson(await tq('queue-depth', '--queue', 'q-admin', '-o', 'json')).queues[0].paused, true);
  assert.match(ok(await tq('queue', 'resume', 'q-admin')), /queue q-admin resumed/);
  assert.equal(okJson(await tq('queue-depth', '--queue', 'q-admin', '-o', 'json')).queues[0].paused, false);

  failsWithOneLine(await tq('queue', 'drain', 'q-admin'), /--yes/, 2);
  const drained = okJson(await tq('queue', 'drain', 'q-admin', '--yes', '-o', 'json'));
  assert.deepEqual(drained, { queue: 'q-admin', count: 1, more: false });
  const depth = okJson(await tq('queue-depth', '--queue', 'q-admin', '-o', 'json')).queues[0];
  assert.equal(depth.pending, 0);
  assert.equal(depth.scheduled, 1, 'drain deletes pending tasks only');
});
