/**
 * The data directory from the CLI: read-only commands with --data-dir beside a running broker (and
 * after it stopped), `tq data info`, and `tq data backup` through the broker and directly, restored
 * by starting a broker on the copy.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, tempDir, type BrokerProcess } from '../helpers/broker.ts';
import { failsWithOneLine, ISO_TIME, ok, okJson, okYaml, runTq, tqAt } from './helpers.ts';

let dir: string;
let broker: BrokerProcess;
let ids: string[];
const tq = (...args: string[]) => tqAt(broker.address, args);
const local = (...args: string[]) => runTq([...args, '--data-dir', broker.dataDir]);

before(async () => {
  dir = tempDir();
  broker = await startBroker({ dataDir: join(dir, 'data') });
  const input = [
    { type: 'echo', queue: 'q-data', payload: { n: 1 } },
    { type: 'echo', queue: 'q-data', priority: 'urgent' },
    { type: 'report', queue: 'q-other', delayMs: 3_600_000 },
  ]
    .map((task) => JSON.stringify(task))
    .join('\n');
  ids = okJson(await tqAt(broker.address, ['submit', '--batch-file', '-', '-o', 'json'], { input })).ids;
});

after(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('read-only commands read the data directory while the broker runs, and agree with it', async () => {
  const [remoteList, localList, remoteTask, localTask, remoteStats, localStats, localDepth, localDead, localTable] = await Promise.all([
    tq('list', '-o', 'json'),
    local('list', '-o', 'json'),
    tq('status', ids[0]!, '-o', 'json'),
    local('status', ids[0]!, '-o', 'json'),
    tq('stats', '-o', 'json'),
    local('stats', '-o', 'yaml'),
    local('queue-depth', '--queue', 'q-data', '-o', 'json'),
    local('dlq', 'list', '-o', 'json'),
    local('list', '--state', 'scheduled'),
  ]);
  assert.deepEqual(okJson(localList), okJson(remoteList));
  assert.deepEqual(okJson(localTask), okJson(remoteTask));
  assert.deepEqual(okJson(localTask).payload, { n: 1 });
  const stats = okYaml(localStats);
  assert.deepEqual(stats.totals, okJson(remoteStats).totals);
  assert.equal(stats.totals.pending, 2);
  assert.equal(stats.totals.scheduled, 1);
  assert.equal(okJson(localDepth).queues[0].pending, 2);
  assert.deepEqual(okJson(localDead), { tasks: [], nextCursor: null });
  assert.match(ok(localTable), new RegExp(`^${ids[2]}\\s+report\\s+q-other\\s+100\\s+scheduled`, 'm'));
});

test('data info describes the directory, and names the broker that runs on it', async () => {
  const info = okJson(await runTq(['data', 'info', '--data-dir', broker.dataDir, '-o', 'json']));
  assert.equal(info.dataDir, broker.dataDir);
  assert.equal(info.formatVersion, 3);
  assert.equal(info.brokerPid, broker.proc.pid);
  assert.ok(info.sizeOnDiskBytes > 0);
  assert.match(info.lastCommandAt, ISO_TIME);
  assert.equal(info.totals.pending, 2);
  assert.deepEqual(info.queues.map((queue: { name: string }) => queue.name).sort(), ['q-data', 'q-other']);
  const text = ok(await runTq(['data', 'info', '--data-dir', broker.dataDir]));
  assert.match(text, /^format version\s+3 /m);
  assert.match(text, new RegExp(`^broker\\s+running, pid ${broker.proc.pid}$`, 'm'));
  assert.match(text, /^tasks\s+3: 1 scheduled, 2 pending$/m);
});

test('data backup through the broker and directly; a broker started on the copy serves its tasks', async () => {
  const viaBroker = join(dir, 'backup-broker');
  const direct = join(dir, 'backup-direct');
  assert.deepEqual(okJson(await tq('data', 'backup', viaBroker, '-o', 'json')), { dir: viaBroker });
  assert.match(ok(await runTq(['data', 'backup', direct, '--data-dir', broker.dataDir])), new RegExp(`^backed up to ${direct}$`, 'm'));
  failsWithOneLine(await tq('data', 'backup', viaBroker), /already holds tq data: back up into an empty directory/, 1);

  for (const copy of [viaBroker, direct]) {
    assert.ok(existsSync(join(copy, 'data.mdb')));
    const info = okJson(await runTq(['data', 'info', '--data-dir', copy, '-o', 'json']));
    assert.equal(info.brokerPid, null);
    assert.deepEqual(info.totals, okJson(await tq('stats', '-o', 'json')).totals);
  }

  const restored = await startBroker({ dataDir: direct });
  try {
    const task = okJson(await tqAt(restored.address, ['status', ids[1]!, '-o', 'json']));
    assert.equal(task.priority, 200);
    assert.equal(task.state, 'pending');
  } finally {
    await restored.stop();
  }
});

test('--data-dir still reads after the broker stopped', async () => {
  await broker.stop();
  const page = okJson(await local('list', '--queue', 'q-data', '-o', 'json'));
  assert.equal(page.tasks.length, 2);
  const info = okJson(await runTq(['data', 'info', '--data-dir', broker.dataDir, '-o', 'json']));
  assert.equal(info.brokerPid, null);
});
