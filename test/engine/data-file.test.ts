/**
 * The data-file check (src/engine/data-file.ts) on real LMDB files: made by the engine, then
 * damaged byte by byte the way a disk, a bad copy or a wrong path damages them.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { open } from 'lmdb';
import { checkDataFile, checkTrees, LMDB_DATA_VERSION, makeDir, makeDirSync, readMeta, type ReadPages } from '../../src/engine/data-file.ts';
import { Engine } from '../../src/engine/index.ts';
import { makeTempDir, packed, rejectsWith, removeDir, T0, throwsWith } from './helpers.ts';

let dir: string;
let file: string;
let bytes: Buffer;

/** Page reads from a copy of the file's bytes, as checkDataFile reads them from disk. */
function reader(data: Uint8Array, pageSize: number): ReadPages {
  return (pgno, count) => data.subarray(pgno * pageSize, (pgno + count) * pageSize);
}

/** Runs the whole check on `data` as if it were the file's content. */
function check(data: Uint8Array, options = { leaves: true, maxPages: Number.POSITIVE_INFINITY }) {
  const meta = readMeta('data.mdb', data, data.byteLength);
  return { meta, ...checkTrees('data.mdb', meta, data.byteLength, reader(data, meta.pageSize), options) };
}

before(async () => {
  dir = makeTempDir();
  const engine = Engine.open({ dir });
  // Enough tasks for branch pages in several trees, and payloads that take overflow pages.
  for (let batch = 0; batch < 10; batch++) {
    const tasks = Array.from({ length: 300 }, (_, i) => ({ id: `t${batch}-${i}`, type: 'job', queue: `q${i % 3}`, payload: packed({ i, pad: 'x'.repeat(i % 7 === 0 ? 20_000 : 40) }) }));
    await engine.execute({ kind: 'submit', time: T0 + batch, tasks });
  }
  await engine.close();
  file = join(dir, 'data.mdb');
  bytes = readFileSync(file);
});

after(() => removeDir(dir));

describe('a data file the engine wrote', () => {
  test('passes, and its meta pages say what LMDB wrote', () => {
    const { meta, pagesChecked, complete } = check(bytes);
    assert.equal(meta.pageSize, 4096);
    assert.equal(meta.lmdbVersion, LMDB_DATA_VERSION);
    assert.ok(meta.lastPage + 1 >= bytes.byteLength / meta.pageSize - 1, `last page ${meta.lastPage} of ${bytes.byteLength} bytes`);
    assert.ok(meta.main.root !== null && meta.main.root < bytes.byteLength / 4096);
    assert.equal(complete, true);
    assert.ok(pagesChecked > 20, `the walk read the trees' pages (${pagesChecked})`);
    const fromDisk = checkDataFile(file, { walk: true, leaves: true, maxPages: Number.POSITIVE_INFINITY });
    assert.equal(fromDisk?.pagesChecked, pagesChecked);
    assert.equal(fromDisk?.fileBytes, statSync(file).size);
  });

  test('the walk at open reads only branch pages, and stops at its bound', () => {
    const all = check(bytes);
    const branches = check(bytes, { leaves: false, maxPages: Number.POSITIVE_INFINITY });
    assert.ok(branches.pagesChecked < all.pagesChecked, `${branches.pagesChecked} < ${all.pagesChecked}`);
    assert.equal(branches.complete, true);
    const bounded = check(bytes, { leaves: true, maxPages: 3 });
    assert.deepEqual([bounded.pagesChecked, bounded.complete], [3, false]);
  });

  test('an empty file is left to LMDB, which makes a new environment from it', () => {
    const empty = join(dir, 'empty.mdb');
    writeFileSync(empty, '');
    assert.equal(checkDataFile(empty, { walk: true }), null);
  });
});

describe('damaged and foreign files are refused with one line', () => {
  const damaged = (change: (data: Buffer) => Buffer) => change(Buffer.from(bytes));

  test('garbage, another program, a text file', () => {
    const garbage = Buffer.alloc(100_000, 0);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    for (const data of [garbage, readFileSync(process.execPath).subarray(0, 200_000), Buffer.from('hello\n'.repeat(100))]) {
      throwsWith(() => check(data), 'DATA_CORRUPT', /^data\.mdb is not an LMDB data file \(no LMDB magic number at its start\)/);
    }
  });

  test('too short to hold a meta page, or its two meta pages', () => {
    throwsWith(() => check(bytes.subarray(0, 100)), 'DATA_CORRUPT', /100 bytes is too short for an LMDB data file/);
    throwsWith(() => check(bytes.subarray(0, 6000)), 'DATA_CORRUPT', /6000 bytes is less than its two meta pages of 4096 bytes \(cut short\)/);
  });

  test('cut short to two pages (truncate -s 8192), or in the middle', () => {
    throwsWith(() => check(bytes.subarray(0, 8192)), 'DATA_CORRUPT', /page \d+ lies past its end \(8192 bytes, 2 pages\): it was cut short/);
    const half = Math.floor(bytes.byteLength / 4096 / 2) * 4096;
    throwsWith(() => check(bytes.subarray(0, half)), 'DATA_CORRUPT', /past its end .*: it was cut short/);
  });

  test('a newer LMDB format, the other byte order, a bad page size, a broken second meta page', () => {
    throwsWith(() => check(damaged((data) => (data.writeUInt32LE(LMDB_DATA_VERSION + 1, 28), data))), 'UNSUPPORTED_FORMAT', /has LMDB data format 3, newer than the format 2 this tq reads/);
    throwsWith(() => check(damaged((data) => (data.writeUInt32BE(0xbeefc0de, 24), data))), 'DATA_CORRUPT', /an LMDB file from a machine of the other byte order/);
    throwsWith(() => check(damaged((data) => (data.writeUInt32LE(1000, 48), data))), 'DATA_CORRUPT', /page size 1000 is not a power of two/);
    throwsWith(() => check(damaged((data) => (data.writeUInt32LE(0, 4096 + 24), data))), 'DATA_CORRUPT', /meta page 1 has no LMDB magic number/);
  });

  test('a tree page overwritten, and a root outside the file', () => {
    const { meta } = check(bytes);
    const root = meta.main.root!;
    throwsWith(() => check(damaged((data) => data.fill(0xa5, root * 4096, (root + 1) * 4096))), 'DATA_CORRUPT', new RegExp(`page ${root} holds something else`));
    const newest = meta.txnId === bytes.readUInt32LE(24 + 128) ? 0 : 4096;
    throwsWith(() => check(damaged((data) => (data.writeBigUInt64LE(10n ** 12n, newest + 24 + 72 + 40), data))), 'DATA_CORRUPT', /its main tree starts at page 1000000000000, outside pages 2 to \d+/);
  });
});

test('a file that ends before its last page is fine when the pages past its end are free', async () => {
  const lmdbDir = makeTempDir();
  try {
    const env = open({ path: lmdbDir });
    // Pages a transaction takes and frees again are never written: the file ends before them.
    for (let round = 0; round < 3; round++) {
      await env.transaction(() => {
        for (let i = 0; i < 50; i++) env.put(`k${round}-${i}`, Buffer.alloc(i * 300));
        env.put('big', Buffer.alloc(50_000));
        env.remove('big');
      });
    }
    await env.close();
    const data = readFileSync(join(lmdbDir, 'data.mdb'));
    const { meta } = check(data);
    assert.ok(data.byteLength < (meta.lastPage + 1) * meta.pageSize, `the file (${data.byteLength} bytes) ends before page ${meta.lastPage}`);
  } finally {
    removeDir(lmdbDir);
  }
});

describe('opening a damaged data directory', () => {
  test('a writer and a reader get the check, and a refused writer leaves no lock', () => {
    const target = makeTempDir();
    try {
      copyFileSync(file, join(target, 'data.mdb'));
      truncateSync(join(target, 'data.mdb'), 8192);
      throwsWith(() => Engine.open({ dir: target }), 'DATA_CORRUPT', /data\.mdb is damaged: .* it was cut short/);
      assert.ok(!existsSync(join(target, 'broker.lock')), 'no lock left behind');
      throwsWith(() => Engine.open({ dir: target, readOnly: true }), 'DATA_CORRUPT', /it was cut short/);
    } finally {
      removeDir(target);
    }
  });

  test('an LMDB file that is not tq data is refused to a reader', async () => {
    const lmdbDir = makeTempDir();
    try {
      const env = open({ path: lmdbDir });
      await env.put('someone else', 'data');
      await env.close();
      throwsWith(() => Engine.open({ dir: lmdbDir, readOnly: true }), 'DATA_CORRUPT', /is LMDB but not tq data: it has none of tq's databases/);
    } finally {
      removeDir(lmdbDir);
    }
  });
});

describe('directories that cannot be made fail instead of spinning', () => {
  test('under /proc, under a file, and a file in its place', async () => {
    throwsWith(() => makeDirSync('/proc/1/x/y'), 'INVALID_ARGUMENT', /^cannot create the directory \/proc\/1\/x: its parent takes no new entries$/);
    await rejectsWith(makeDir('/proc/1/x/y'), 'INVALID_ARGUMENT', /^cannot create the directory \/proc\/1\/x: its parent takes no new entries$/);
    throwsWith(() => makeDirSync(join(file, 'sub')), 'INVALID_ARGUMENT', /: a part of the path is not a directory$/);
    throwsWith(() => makeDirSync(file), 'INVALID_ARGUMENT', /: it exists and is not a directory$/);
    throwsWith(() => Engine.open({ dir: '/proc/1/x' }), 'INVALID_ARGUMENT', /cannot create the directory \/proc\/1\/x/);
    const made = join(dir, 'a', 'b', 'c');
    await makeDir(made);
    makeDirSync(made);
    assert.ok(statSync(made).isDirectory());
  });

  test('a backup into them rejects with the path and the reason', async () => {
    const engine = Engine.open({ dir: makeTempDir() });
    try {
      await rejectsWith(engine.backup('/proc/1/x'), 'INVALID_ARGUMENT', /^cannot create the directory \/proc\/1\/x: its parent takes no new entries$/);
      await rejectsWith(engine.backup('/proc/1'), 'INVALID_ARGUMENT', /^cannot back up into \/proc\/1: /);
      await rejectsWith(engine.backup(join(file, 'copy')), 'INVALID_ARGUMENT', /a part of the path is not a directory/);
    } finally {
      await engine.close();
    }
  });
});
