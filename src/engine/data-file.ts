/**
 * Checks an LMDB data file (data.mdb) before LMDB maps it: LMDB trusts the file, so a foreign,
 * damaged or cut-short one crashes the process (SIGSEGV, SIGBUS) on the first read of a page that
 * is not there. The layout is lmdb-js's LMDB (dependencies/lmdb/libraries/liblmdb/mdb.c, 64-bit):
 * - every page starts with a 24-byte header: pgno u64, txnid u64, pad u16, flags u16, lower/upper
 *   u16 (or, on an overflow page, its page count u32);
 * - pages 0 and 1 are meta pages; the meta after the header holds magic u32 (0xBEEFC0DE), version
 *   u32, address u64, mapsize u64, two MDB_db records of 48 bytes (free pages, main; the page size
 *   is the free record's first u32), last page u64, txnid u64;
 * - an MDB_db record: pad u32, flags u16, depth u16, branch/leaf/overflow page counts u64,
 *   entries u64, root u64 (all ones when the tree is empty);
 * - a branch or leaf page holds u16 node offsets after its header (lower/2 of them); a node is
 *   lo u16, hi u16, flags u16, key size u16, key, data; a branch node's child page is lo|hi<<16|flags<<32.
 * The file may legitimately end before its last page: pages freed in the transaction that made
 * them are never written. So the check is on pages the newest snapshot reaches, not on the size.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TqError } from '../model/errors.ts';

export const LMDB_MAGIC = 0xbeefc0de;
export const LMDB_DATA_VERSION = 2;
const HEADER = 24;
const META_BYTES = 144;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const NO_PAGE = 0xffffffffffffffffn;
/** Branch pages read when a data file is opened: bounds the time an open spends checking a large file. */
export const OPEN_CHECK_PAGES = 10_000;

export interface Meta {
  pageSize: number;
  lastPage: number;
  txnId: number;
  /** Each tree's root page (null when it is empty) and depth (1: the root is a leaf). */
  free: Tree;
  main: Tree;
}

export interface Tree {
  root: number | null;
  depth: number;
}

export interface DataFileFacts extends Meta {
  fileBytes: number;
  /** LMDB's data file version (the low 16 bits of the meta's version). */
  lmdbVersion: number;
  /** Pages read while walking the trees, and whether the walk stopped at its bound. */
  pagesChecked: number;
  complete: boolean;
}

/** A page reader: `count` pages from `pgno`, or fewer bytes where the file ends. */
export type ReadPages = (pgno: number, count: number) => Uint8Array;

function damaged(path: string, why: string): TqError {
  return new TqError('DATA_CORRUPT', `${path} is damaged: ${why}`);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An MDB_db record at `at`. */
function tree(data: DataView, at: number): Tree {
  const root = data.getBigUint64(at + 40, true);
  return { root: root === NO_PAGE ? null : Number(root), depth: data.getUint16(at + 6, true) };
}

/**
 * Reads the meta pages from the first bytes of a file (at least two pages, or the whole file when
 * shorter) and returns the newest valid meta. Throws one clear TqError for anything else.
 */
export function readMeta(path: string, head: Uint8Array, fileBytes: number): Meta & { lmdbVersion: number } {
  if (fileBytes < HEADER + META_BYTES || head.byteLength < HEADER + META_BYTES) {
    throw damaged(path, `${fileBytes} bytes is too short for an LMDB data file (cut short, or not one)`);
  }
  const data = view(head);
  const magic = data.getUint32(HEADER, true);
  if (magic !== LMDB_MAGIC) {
    const why = data.getUint32(HEADER, false) === LMDB_MAGIC ? 'an LMDB file from a machine of the other byte order' : 'not an LMDB data file (no LMDB magic number at its start)';
    throw new TqError('DATA_CORRUPT', `${path} is ${why}: not tq data this tq can read`);
  }
  if ((data.getUint16(HEADER - 6, true) & P_META) === 0) throw damaged(path, 'its first page is not an LMDB meta page');
  const lmdbVersion = data.getUint32(HEADER + 4, true) & 0xffff;
  if (lmdbVersion !== LMDB_DATA_VERSION) {
    const newer = lmdbVersion > LMDB_DATA_VERSION ? 'newer than' : 'not';
    throw new TqError('UNSUPPORTED_FORMAT', `${path} has LMDB data format ${lmdbVersion}, ${newer} the format ${LMDB_DATA_VERSION} this tq reads`);
  }
  const pageSize = data.getUint32(HEADER + 24, true);
  if (pageSize < 512 || pageSize > 0x10000 || (pageSize & (pageSize - 1)) !== 0) throw damaged(path, `its page size ${pageSize} is not a power of two from 512 to 65536`);
  if (fileBytes < 2 * pageSize) throw damaged(path, `${fileBytes} bytes is less than its two meta pages of ${pageSize} bytes (cut short)`);
  if (head.byteLength < 2 * pageSize) throw damaged(path, 'its second meta page could not be read');
  const metas = [0, 1].map((page) => {
    const at = page * pageSize + HEADER;
    if (data.getUint32(at, true) !== LMDB_MAGIC) throw damaged(path, `meta page ${page} has no LMDB magic number`);
    return {
      pageSize,
      lastPage: Number(data.getBigUint64(at + 120, true)),
      txnId: Number(data.getBigUint64(at + 128, true)),
      free: tree(data, at + 24),
      main: tree(data, at + 72),
    };
  });
  const newest = metas[0]!.txnId >= metas[1]!.txnId ? metas[0]! : metas[1]!;
  for (const [what, { root }] of [['free-page', newest.free], ['main', newest.main]] as const) {
    if (root !== null && (root < 2 || root > newest.lastPage)) throw damaged(path, `its ${what} tree starts at page ${root}, outside pages 2 to ${newest.lastPage}`);
  }
  return { ...newest, lmdbVersion };
}

/**
 * Walks the newest snapshot's trees and checks that every page they reach lies inside the file and
 * is the page it claims to be. `leaves` reads leaf pages too (every page, for `tq data check`);
 * without it only branch pages and the main tree (which lists the named databases) are read, at
 * most `maxPages` of them.
 */
export function checkTrees(path: string, meta: Meta, fileBytes: number, read: ReadPages, options: { leaves: boolean; maxPages: number }): { pagesChecked: number; complete: boolean } {
  const filePages = Math.floor(fileBytes / meta.pageSize);
  let pagesChecked = 0;
  const inFile = (pgno: number, count: number, what: string) => {
    if (pgno < 2 || pgno + count > filePages) {
      const pages = count > 1 ? `pages ${pgno} to ${pgno + count - 1} lie` : `page ${pgno} lies`;
      throw damaged(path, `${what} ${pages} past its end (${fileBytes} bytes, ${filePages} pages): it was cut short`);
    }
  };
  const page = (pgno: number, what: string): DataView => {
    inFile(pgno, 1, what);
    pagesChecked++;
    const bytes = view(read(pgno, 1));
    if (bytes.byteLength < meta.pageSize) throw damaged(path, `page ${pgno} could not be read`);
    if (Number(bytes.getBigUint64(0, true)) !== pgno) throw damaged(path, `page ${pgno} holds something else (its header names page ${bytes.getBigUint64(0, true)})`);
    return bytes;
  };
  // Pages to read: height 1 is a leaf; the main tree's leaves name the databases.
  const pending: { pgno: number; main: boolean; height: number }[] = [];
  const visit = (at: Tree, main: boolean) => {
    if (at.root !== null) pending.push({ pgno: at.root, main, height: at.depth });
  };
  visit(meta.free, false);
  visit(meta.main, true);
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (!next.main && next.height <= 1 && !options.leaves) {
      inFile(next.pgno, 1, "a tree's");
      continue;
    }
    if (pagesChecked >= options.maxPages) return { pagesChecked, complete: false };
    const bytes = page(next.pgno, next.main ? "the main tree's" : "a tree's");
    const flags = bytes.getUint16(18, true);
    if ((flags & (P_BRANCH | P_LEAF)) === 0 || (flags & (P_META | P_OVERFLOW)) !== 0) throw damaged(path, `page ${next.pgno} is not a tree page (flags ${flags.toString(16)})`);
    if ((flags & P_LEAF2) !== 0) continue; // fixed-size keys only, nothing to follow
    const keys = bytes.getUint16(20, true) >> 1;
    if (HEADER + keys * 2 > meta.pageSize) throw damaged(path, `page ${next.pgno} claims ${keys} entries, more than fit`);
    for (let i = 0; i < keys; i++) {
      const node = HEADER + bytes.getUint16(HEADER + 2 * i, true);
      if (node + 8 > meta.pageSize) throw damaged(path, `page ${next.pgno} has an entry outside the page`);
      const lo = bytes.getUint16(node, true);
      const hi = bytes.getUint16(node + 2, true);
      const nodeFlags = bytes.getUint16(node + 4, true);
      const dataAt = node + 8 + bytes.getUint16(node + 6, true);
      if ((flags & P_BRANCH) !== 0) {
        pending.push({ pgno: lo + hi * 0x10000 + nodeFlags * 0x1_0000_0000, main: next.main, height: next.height - 1 });
        continue;
      }
      if ((nodeFlags & F_BIGDATA) !== 0) {
        if (dataAt + 8 > meta.pageSize) throw damaged(path, `page ${next.pgno} has an entry outside the page`);
        const size = lo + hi * 0x10000;
        inFile(Number(bytes.getBigUint64(dataAt, true)), Math.floor((HEADER - 1 + size) / meta.pageSize) + 1, "a value's");
      } else if (next.main && (nodeFlags & F_SUBDATA) !== 0) {
        if (dataAt + 48 > meta.pageSize) throw damaged(path, `page ${next.pgno} has an entry outside the page`);
        visit(tree(bytes, dataAt), false);
      }
    }
  }
  return { pagesChecked, complete: true };
}

/**
 * Checks `path` (an existing data.mdb) from disk. An empty file is what LMDB makes a new
 * environment from; the caller decides whether that is fine. Read-only openers beside a live
 * broker pass `walk: false`: its writes may reuse the pages a walk reads.
 */
export function checkDataFile(path: string, options: { walk: boolean; leaves?: boolean; maxPages?: number }): DataFileFacts | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new TqError('STORAGE_ERROR', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const fileBytes = fstatSync(fd).size;
    if (fileBytes === 0) return null;
    const head = new Uint8Array(Math.min(fileBytes, 2 * 0x10000));
    readSync(fd, head, 0, head.byteLength, 0);
    const meta = readMeta(path, head, fileBytes);
    const read: ReadPages = (pgno, count) => {
      const bytes = new Uint8Array(count * meta.pageSize);
      const got = readSync(fd, bytes, 0, bytes.byteLength, pgno * meta.pageSize);
      return bytes.subarray(0, got);
    };
    const walked = options.walk
      ? checkTrees(path, meta, fileBytes, read, { leaves: options.leaves ?? false, maxPages: options.maxPages ?? OPEN_CHECK_PAGES })
      : { pagesChecked: 0, complete: false };
    return { ...meta, fileBytes, ...walked };
  } catch (error) {
    if (error instanceof TqError) throw error;
    throw new TqError('STORAGE_ERROR', `cannot read ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Why a file-system call failed, in words, for messages that name the path. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is not a directory',
    ENOSPC: 'no space left on the device',
    ENOENT: 'no such file or directory',
    EEXIST: 'it exists and is not a directory',
    EISDIR: 'it is a directory',
  };
  return (code && reasons[code]) ?? (error as Error).message;
}

/**
 * A directory the caller named cannot be made (a data directory, a backup target): their mistake.
 * `retried`: the parent exists now, so ENOENT means the file system takes no new entries there.
 */
function cannotMake(dir: string, error: unknown, retried = false): TqError {
  const why = retried && codeOf(error) === 'ENOENT' ? 'its parent takes no new entries' : fsReason(error);
  return new TqError('INVALID_ARGUMENT', `cannot create the directory ${dir}: ${why}`);
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * `mkdir -p` that fails rather than spins: Node's own recursive mkdir loops forever where mkdir
 * answers ENOENT under a parent that exists (/proc/1/x). Each level is tried at most twice.
 */
export function makeDirSync(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (codeOf(error) !== 'ENOENT' || dirname(dir) === dir) throw cannotMake(dir, error);
    makeDirSync(dirname(dir));
    try {
      mkdirSync(dir);
    } catch (again) {
      throw cannotMake(dir, again, true);
    }
  }
}

/** makeDirSync for the request path: nothing here blocks the event loop. */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    if (codeOf(error) !== 'ENOENT' || dirname(dir) === dir) throw cannotMake(dir, error);
    await makeDir(dirname(dir));
    try {
      await mkdir(dir);
    } catch (again) {
      throw cannotMake(dir, again, true);
    }
  }
}
