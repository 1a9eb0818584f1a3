/**
 * The CLI with a real worker: submit --wait (result, dead, timeout), status with attempts, cancel
 * of a running task, the dead-letter queue (list, replay by id and by queue, purge) and workers.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, type BrokerProcess } from '../helpers/broker.ts';
import { startTestBroker, startWorker, type WorkerProcess } from '../worker/helpers.ts';
import { failsWithOneLine, ISO_TIME, ok, okJson, okYaml, tqAt } from './helpers.ts';

let broker: BrokerProcess;
let worker: WorkerProcess;
const tq = (...args: string[]) => tqAt(broker.address, args);

before(async () => {
  broker = await startTestBroker();
  worker = await startWorker(broker.address, ['--queues', 'work', '--concurrency', '4', '--name', 'cli-test-worker']);
});

after(async () => {
  await worker.stop();
  await broker.stop();
  rmSync(dirname(broker.dataDir), { recursive: true, force: true });
});

test('submit --wait prints the result; with -o json the finished task', async () => {
  const [plain, json] = await Promise.all([
    tq('submit', '--type', 'echo', '--queue', 'work', '--payload', '{"hello":"world"}', '--wait'),
    tq('submit', '--type', 'echo', '--queue', 'work', '--payload', '[1,2,3]', '--wait', '--wait-timeout', '60s', '-o', 'json'),
  ]);
  assert.deepEqual(JSON.parse(ok(plain)), { hello: 'world' });
  const task = okJson(json);
  assert.equal(task.state, 'succeeded');
  assert.deepEqual(task.result, [1, 2, 3]);
  assert.match(task.startedAt, ISO_TIME);
  assert.match(task.finishedAt, ISO_TIME);
  assert.equal(task.history.length, 1);
  assert.equal(task.history[0].error, null);
  assert.match(task.history[0].endedAt, ISO_TIME);
});

test('a task that ends dead: submit --wait exits 1; status and the dead-letter queue show why', async () => {
  const dead = await tq('submit', '--type', 'fail', '--queue', 'work', '--payload', '{"message":"boom"}', '--max-retries', '0', '--wait', '-o', 'json');
  const task = okJsonFailed(dead);
  assert.equal(task.state, 'dead');
  assert.match(dead.stderr, /^tq: task \S+ is dead after 1 attempt: boom$/m);
  failsWithOneLine(await tq('submit', '--type', 'fail', '--queue', 'work', '--payload', '{"message":"bang"}', '--max-retries', '0', '--wait'), /is dead after 1 attempt: bang/, 1);

  const [status, waited, table, dlq, dlqTable] = await Promise.all([
    tq('status', task.id, '-o', 'yaml'),
    tq('status', task.id, '--wait'),
    tq('status', task.id),
    tq('dlq', 'list', '--queue', 'work', '-o', 'json'),
    tq('dlq', 'list'),
  ]);
  const shown = okYaml(status);
  assert.equal(shown.lastError, 'boom');
  assert.equal(shown.history[0].error, 'boom');
  failsWithOneLine(waited, /is dead after 1 attempt: boom/, 1);
  assert.match(waited.stdout, /^state\s+dead$/m, 'status --wait still prints the task');
  assert.match(ok(table), /^last error\s+boom$/m);
  assert.match(ok(table), /^attempts\n#\s+WORKER\s+STARTED\s+TOOK\s+ERROR\n\s*1\s+\S+\s+.*boom$/m);
  const deadIds = okJson(dlq).tasks.map((entry: { id: string; lastError: string }) => entry.id);
  assert.ok(deadIds.includes(task.id));
  assert.equal(deadIds.length, 2);
  assert.match(ok(dlqTable), new RegExp(`^${task.id}\\s+fail\\s+work\\s+1\\s+.*boom$`, 'm'));
});

function okJsonFailed(result: { code: number | null; stdout: string; stderr: string }) {
  assert.equal(result.code, 1, result.stderr);
  return JSON.parse(result.stdout);
}

test('dlq replay (by id, by queue) and purge (needs --yes)', async () => {
  const dead = okJson(await tq('dlq', 'list', '--queue', 'work', '-o', 'json')).tasks.map((task: { id: string }) => task.id);
  assert.equal(dead.length, 2);
  ok(await tq('queue', 'pause', 'work'));
  assert.match(ok(await tq('dlq', 'replay', dead[0])), /^replayed 1 task$/m);
  const replayed = okJson(await tq('status', dead[0], '-o', 'json'));
  assert.equal(replayed.state, 'pending');
  assert.equal(replayed.attempts, 0);
  assert.deepEqual(okJson(await tq('dlq', 'replay', '--queue', 'work', '-o', 'json')), { count: 1, more: false });
  assert.deepEqual(okJson(await tq('dlq', 'list', '--queue', 'work', '-o', 'json')).tasks, []);

  ok(await tq('queue', 'resume', 'work'));
  for (const id of dead) failsWithOneLine(await tq('status', id, '--wait'), /is dead after 1 attempt/, 1);
  failsWithOneLine(await tq('dlq', 'purge', '--queue', 'work'), /this deletes every dead task of queue work for good: add --yes/, 2);
  assert.match(ok(await tq('dlq', 'purge', '--queue', 'work', '--yes')), /^purged 2 tasks$/m);
  failsWithOneLine(await tq('status', dead[0]), /not found/, 1);
});

test('--wait-timeout gives up with one line; retry of a dead task', async () => {
  ok(await tq('queue', 'pause', 'work'));
  try {
    failsWithOneLine(await tq('submit', '--type', 'echo', '--queue', 'work', '--wait', '--wait-timeout', '1s'), /did not finish within 1\.0s \(it is pending\): see tq status/, 1);
  } finally {
    ok(await tq('queue', 'resume', 'work'));
  }
  const dead = okJsonFailed(await tq('submit', '--type', 'fail', '--queue', 'work', '--payload', '{"succeedOnAttempt":2}', '--max-retries', '0', '--wait', '-o', 'json'));
  assert.equal(dead.state, 'dead');
  assert.equal(okJson(await tq('retry', dead.id, '-o', 'json')).attempts, 0);
  // Attempts restart at 1 after a retry, so `succeedOnAttempt: 2` fails again: dead once more.
  failsWithOneLine(await tq('status', dead.id, '--wait'), /is dead/, 1);
});

test('cancel of a running task, and workers', async () => {
  const id = ok(await tq('submit', '--type', 'sleep', '--queue', 'work', '--payload', '{"ms":60000}')).trim();
  await eventually(async () => (okJson(await tq('status', id, '-o', 'json')).state === 'running' ? true : undefined), 20_000, 'the sleep task to run');

  const [workersJson, workersTable, status] = await Promise.all([tq('workers', '-o', 'json'), tq('workers'), tq('status', id)]);
  const workers = okJson(workersJson).workers;
  assert.equal(workers.length, 1);
  assert.equal(workers[0].name, 'cli-test-worker');
  assert.deepEqual(workers[0].queues, ['work']);
  assert.equal(workers[0].concurrency, 4);
  assert.equal(workers[0].running, 1);
  assert.match(workers[0].connectedAt, ISO_TIME);
  assert.match(ok(workersTable), /^\S+\s+cli-test-worker\s+\S+\s+\d+\s+work\s+1\/4\s+connected\s/m);
  assert.match(ok(status), new RegExp(`^lease\\s+held by worker ${workers[0].id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, token \\d+, expires in`, 'm'));

  assert.match(ok(await tq('cancel', id)), /^cancel requested: \S+ is running; it ends cancelled when its worker stops it$/m);
  failsWithOneLine(await tq('status', id, '--wait'), /was cancelled/, 1);
  assert.equal(okJson(await tq('status', id, '-o', 'json')).state, 'cancelled');
});
