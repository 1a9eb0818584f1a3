/**
 * Damaged, foreign and odd data directories through the real CLI: `tq data check`, a read-only
 * `--data-dir` command and `tq broker start` each end in one line and exit 1 (2 on bad usage),
 * never a crash by signal (a segfault was 139, a bus error 135); `/proc` paths fail fast.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { open } from 'lmdb';
import { Engine } from '../../src/engine/index.ts';
import { FORMAT_VERSION } from '../../src/engine/store.ts';
import { plain } from '../../src/model/value.ts';
import { RUN, startBroker, tempDir, type RunResult } from '../helpers/broker.ts';
import { rawClient, RequestFailed } from '../helpers/protocol.ts';
import { failsWithOneLine, ok, okJson, okYaml, runTq } from './helpers.ts';

const TASKS = 40;
let base: string;
let good: string;
const dirs: Record<string, string> = {};

/** Runs tq, killing it after `ms` (a hang shows as a null exit code, not as a stuck test). */
function runBounded(args: string[], ms = 20_000): Promise<RunResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function copyOf(name: string, change: (file: string) => void = () => {}): string {
  const dir = join(base, name);
  mkdirSync(dir);
  copyFileSync(join(good, 'data.mdb'), join(dir, 'data.mdb'));
  change(join(dir, 'data.mdb'));
  return dir;
}

function withFile(name: string, content: Uint8Array): string {
  const dir = join(base, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'data.mdb'), content);
  return dir;
}

before(async () => {
  base = tempDir('tq-data-check-');
  good = join(base, 'good');
  const engine = Engine.open({ dir: good });
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, type: 'job', payload: plain.pack({ i, pad: 'x'.repeat(i === 0 ? 30_000 : 10) }) }));
  await engine.execute({ kind: 'submit', time: Date.now(), tasks });
  await engine.close();
  const garbage = new Uint8Array(100_000).map((_, i) => (i * 2654435761) >>> 24);
  dirs.garbage = withFile('garbage', garbage);
  dirs.foreign = withFile('foreign', readFileSync(process.execPath).subarray(0, 100_000));
  dirs.truncated = copyOf('truncated', (file) => truncateSync(file, 8192));
  dirs.newerLmdb = copyOf('newer-lmdb', (file) => {
    const data = readFileSync(file);
    for (const page of [0, 4096]) data.writeUInt32LE(3, page + 28);
    writeFileSync(file, data);
  });
  dirs.newerTq = join(base, 'newer-tq');
  cpSync(good, dirs.newerTq, { recursive: true });
  const env = open({ path: dirs.newerTq, maxDbs: 16 });
  await env.openDB({ name: 'meta' }).put('format', FORMAT_VERSION + 1);
  await env.close();
  dirs.notTq = join(base, 'not-tq');
  const other = open({ path: dirs.notTq });
  await other.put('someone else', 'data');
  await other.close();
});

after(() => {
  spawnSync('rm', ['-rf', base]);
});

/** The case, what `tq data check` says, and whether the other commands see the same. */
const DAMAGED: [name: string, code: number, pattern: RegExp][] = [
  ['garbage', 1, /data\.mdb is not an LMDB data file \(no LMDB magic number at its start\)/],
  ['foreign', 1, /data\.mdb is not an LMDB data file/],
  ['truncated', 1, /data\.mdb is damaged: .*page \d+ lies past its end \(8192 bytes, 2 pages\): it was cut short/],
  ['newerLmdb', 1, /data\.mdb has LMDB data format 3, newer than the format 2 this tq reads/],
  ['newerTq', 1, new RegExp(`holds tq data format ${FORMAT_VERSION + 1}, newer than this tq's ${FORMAT_VERSION}: upgrade tq`)],
];

describe('a damaged data directory: one line and exit 1 from every command that opens it', () => {
  for (const [name, code, pattern] of DAMAGED) {
    test(name, async () => {
      const dir = dirs[name]!;
      // The JSON form once (it prints the report on stdout too); the table form for the rest.
      const [check, stats, broker] = await Promise.all([
        runBounded(['data', 'check', dir, ...(name === 'truncated' ? ['--output', 'json'] : [])]),
        runBounded(['stats', '--data-dir', dir]),
        runBounded(['broker', 'start', '--data-dir', dir, '--port', '0', '--no-http']),
      ]);
      for (const result of [check, stats, broker]) failsWithOneLine(result, pattern, code);
      if (name !== 'truncated') return assert.equal(check.stdout, '');
      const report = JSON.parse(check.stdout);
      assert.deepEqual([report.ok, report.code], [false, 'DATA_CORRUPT']);
      assert.match(report.problem, pattern);
    });
  }

  test('an LMDB file that is not tq data', async () => {
    const [check, stats] = await Promise.all([runBounded(['data', 'check', dirs.notTq!]), runBounded(['stats', '--data-dir', dirs.notTq!])]);
    for (const result of [check, stats]) failsWithOneLine(result, /data\.mdb is LMDB but not tq data: it has none of tq's databases/, 1);
  });
});

describe('tq data check on what is not a data directory', () => {
  test('missing, a file, empty, an empty data.mdb; bad usage exits 2', async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    const empty = join(base, 'empty');
    mkdirSync(empty);
    const emptyFile = withFile('empty-file', new Uint8Array(0));
    const [missing, notDir, nothing, zero, zeroStats, noArg, badFlag] = await Promise.all([
      runBounded(['data', 'check', join(base, 'nope')]),
      runBounded(['data', 'check', file]),
      runBounded(['data', 'check', empty]),
      runBounded(['data', 'check', emptyFile]),
      runBounded(['stats', '--data-dir', emptyFile]),
      runBounded(['data', 'check']),
      runBounded(['data', 'check', empty, '--bogus']),
    ]);
    failsWithOneLine(missing, /nope does not exist$/, 1);
    failsWithOneLine(notDir, /a-file is not a directory$/, 1);
    failsWithOneLine(nothing, /no tq data in .*empty: it has no data\.mdb$/, 1);
    failsWithOneLine(zero, /no tq data in .*empty-file: its data\.mdb is empty \(0 bytes\)$/, 1);
    failsWithOneLine(zeroStats, /no tq data in .*empty-file/, 1);
    failsWithOneLine(noArg, /missing argument DIR/, 2);
    failsWithOneLine(badFlag, /--bogus/, 2);
  });
});

describe('tq data check on a sound directory', () => {
  test('says it is fine with its facts, in each output format', async () => {
    const [table, json, yaml] = await Promise.all([
      runTq(['data', 'check', good]),
      runTq(['data', 'check', good, '--output', 'json']),
      runTq(['data', 'check', good, '-o', 'yaml']),
    ]);
    const text = ok(table);
    assert.match(text, /^data dir +.*good: fine$/m);
    assert.match(text, new RegExp(`^tasks +${TASKS}$`, 'm'));
    assert.match(text, /^data file +.*LMDB format 2, pages of 4096 bytes, \d+ read$/m);
    const report = okJson(json);
    assert.deepEqual(
      { ok: report.ok, problem: report.problem, formatVersion: report.formatVersion, tasks: report.tasks, pageSize: report.lmdb.pageSize, complete: report.lmdb.complete, brokerPid: report.brokerPid, notes: report.notes },
      { ok: true, problem: null, formatVersion: FORMAT_VERSION, tasks: TASKS, pageSize: 4096, complete: true, brokerPid: null, notes: [] },
    );
    assert.ok(report.lmdb.pagesChecked > 2);
    assert.deepEqual(okYaml(yaml), report);
  });

  test('beside a live broker only the meta pages are read; a stale lock is a note', async () => {
    const live = join(base, 'live');
    cpSync(good, live, { recursive: true });
    const broker = await startBroker({ dataDir: live, args: ['--no-http'] });
    let report;
    try {
      report = okJson(await runTq(['data', 'check', live, '-o', 'json']));
    } finally {
      assert.equal(await broker.stop(), 0);
    }
    assert.equal(report.brokerPid, broker.proc.pid);
    assert.deepEqual([report.ok, report.tasks, report.lmdb.complete, report.lmdb.pagesChecked], [true, TASKS, false, 0]);
    assert.match(report.notes.join('\n'), /is writing it: only the meta pages were checked/);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(live, 'broker.lock'), String(dead));
    const stale = okJson(await runTq(['data', 'check', live, '-o', 'json']));
    assert.deepEqual([stale.ok, stale.brokerPid, stale.lmdb.complete], [true, null, true]);
    assert.match(stale.notes.join('\n'), new RegExp(`broker\\.lock is stale \\(pid ${dead} is not running\\): the next broker takes it over`));
  });
});

describe('a data directory the broker may not write', () => {
  test('says which path could not be made or written, and why', async () => {
    const file = join(base, 'plain-file');
    writeFileSync(file, 'x');
    const [under, onto, proc] = await Promise.all([
      runBounded(['broker', 'start', '--data-dir', join(file, 'sub'), '--port', '0', '--no-http']),
      runBounded(['broker', 'start', '--data-dir', file, '--port', '0', '--no-http']),
      runBounded(['broker', 'start', '--data-dir', '/proc/1/x', '--port', '0', '--no-http']),
    ]);
    failsWithOneLine(under, /^tq: cannot create the directory .*plain-file\/sub: a part of the path is not a directory$/, 1);
    failsWithOneLine(onto, /^tq: cannot create the directory .*plain-file: it exists and is not a directory$/, 1);
    failsWithOneLine(proc, /^tq: cannot create the directory \/proc\/1\/x: its parent takes no new entries$/, 1);
  });

  test('a read-only file system (a read-only tmpfs as root, permission bits otherwise)', async (t) => {
    const dir = join(base, 'readonly');
    mkdirSync(dir);
    const root = process.getuid?.() === 0;
    if (root && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]).status !== 0) return t.skip('cannot mount a tmpfs here');
    try {
      cpSync(good, dir, { recursive: true });
      if (root) assert.equal(spawnSync('mount', ['-o', 'remount,ro', dir]).status, 0);
      else spawnSync('chmod', ['a-w', dir]);
      const [broker, check, stats] = await Promise.all([
        runBounded(['broker', 'start', '--data-dir', dir, '--port', '0', '--no-http']),
        runBounded(['data', 'check', dir, '-o', 'json']),
        runBounded(['stats', '--data-dir', dir, '-o', 'json']),
      ]);
      const why = root ? 'the file system is read-only' : 'permission denied';
      failsWithOneLine(broker, new RegExp(`^tq: cannot write the lock .*readonly/broker\\.lock: ${why}$`), 1);
      assert.doesNotMatch(broker.stderr, /listen/);
      const report = okJson(check);
      assert.equal(report.ok, true);
      assert.deepEqual(report.notes, [`a broker cannot write ${dir}: ${why}`]);
      assert.equal(okJson(stats).queues.length > 0, true);
    } finally {
      if (root) spawnSync('umount', [dir]);
      else spawnSync('chmod', ['u+w', dir]);
    }
  });
});

describe('a backup into a directory that cannot be made', () => {
  test('answers an error, and the broker keeps serving and stops on SIGTERM', async () => {
    const served = join(base, 'served');
    cpSync(good, served, { recursive: true });
    const broker = await startBroker({ dataDir: served, args: ['--no-http'] });
    try {
      const [a, b] = await Promise.all([rawClient(broker.port), rawClient(broker.port)]);
      const [backup, stats] = await Promise.allSettled([a.request('backup', { dir: '/proc/1/x' }), b.request('stats', {})]);
      assert.equal(backup.status, 'rejected');
      const error = (backup as PromiseRejectedResult).reason as RequestFailed;
      assert.deepEqual([error.code, error.message], ['INVALID_ARGUMENT', 'INVALID_ARGUMENT: cannot create the directory /proc/1/x: its parent takes no new entries']);
      assert.equal(stats.status, 'fulfilled');
      await assert.rejects(a.request('backup', { dir: '/proc/1' }), (e: RequestFailed) => e.code === 'INVALID_ARGUMENT' && /^INVALID_ARGUMENT: cannot back up into \/proc\/1: /.test(e.message));
      await assert.rejects(a.request('backup', { dir: 'a\0b' }), (e: RequestFailed) => e.code === 'INVALID_ARGUMENT' && /NUL/.test(e.message));
      a.close();
      b.close();
      failsWithOneLine(await runBounded(['data', 'backup', '/proc/1/x', '--broker', broker.address]), /cannot create the directory \/proc\/1\/x/, 1);
    } finally {
      assert.equal(await broker.stop(), 0);
    }
  });
});
