/**
 * Random byte streams for the protocol fuzzer: hellos of every shape (each marked whether a broker
 * must accept it, must refuse it, or may do either), sessions of valid frames with random requests,
 * and the same bytes mutated, truncated, given oversize length headers, or replaced by garbage.
 */
import { encodeFrame, DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from '../../../src/protocol/frame.ts';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.ts';
import { hostileValue, requestArgs, requestOp, type Known } from './requests.ts';
import type { Rng } from './random.ts';

export type HelloVerdict = 'accept' | 'refuse' | 'either';

export interface HelloCase {
  hello: unknown;
  verdict: HelloVerdict;
  role: 'client' | 'worker';
  label: string;
}

function baseHello(role: 'client' | 'worker', rng: Rng): Record<string, unknown> {
  const hello: Record<string, unknown> = { t: 'hello', version: PROTOCOL_VERSION, name: 'fuzz', role, host: 'fuzz-host', pid: process.pid };
  if (role === 'worker') hello.worker = { id: `fz-worker-${rng.string(6)}`, queues: [rng.pick(['fz-a', 'fz-b'])], concurrency: rng.int(1, 8) };
  return hello;
}

/** Changes that make a hello one the broker must refuse (issue 12 lists these). */
const REFUSALS: { label: string; apply: (hello: Record<string, unknown>, worker: Record<string, unknown>) => void; worker?: boolean }[] = [
  { label: 'version 1', apply: (h) => void (h.version = 1) },
  { label: 'version "2"', apply: (h) => void (h.version = '2') },
  { label: 'no version', apply: (h) => void delete h.version },
  { label: 'role admin', apply: (h) => void (h.role = 'admin') },
  { label: 'role nil', apply: (h) => void (h.role = null) },
  { label: 'role 7', apply: (h) => void (h.role = 7) },
  { label: 'worker without worker', apply: (h) => void delete h.worker, worker: true },
  { label: 'worker queues [123]', apply: (_h, w) => void (w.queues = [123]), worker: true },
  { label: 'worker queues ["a b"]', apply: (_h, w) => void (w.queues = ['a b']), worker: true },
  { label: 'worker queues []', apply: (_h, w) => void (w.queues = []), worker: true },
  { label: 'worker queues "fz-a"', apply: (_h, w) => void (w.queues = 'fz-a'), worker: true },
  { label: 'worker queues [nil]', apply: (_h, w) => void (w.queues = [null]), worker: true },
  { label: 'worker concurrency 1e15', apply: (_h, w) => void (w.concurrency = 1e15), worker: true },
  { label: 'worker concurrency 0', apply: (_h, w) => void (w.concurrency = 0), worker: true },
  { label: 'worker concurrency 1.5', apply: (_h, w) => void (w.concurrency = 1.5), worker: true },
  { label: 'worker concurrency "4"', apply: (_h, w) => void (w.concurrency = '4'), worker: true },
  { label: 'worker id of 1 MB', apply: (_h, w) => void (w.id = 'w'.repeat(1_000_000)), worker: true },
  { label: 'worker id ""', apply: (_h, w) => void (w.id = ''), worker: true },
  { label: 'worker id 7', apply: (_h, w) => void (w.id = 7), worker: true },
];

/** Changes a broker may take either way (the protocol does not say), to see that neither breaks it. */
const EITHER: { label: string; apply: (hello: Record<string, unknown>) => void }[] = [
  { label: 'no name', apply: (h) => void delete h.name },
  { label: 'name of 1 MB', apply: (h) => void (h.name = 'n'.repeat(1_000_000)) },
  { label: 'pid -1', apply: (h) => void (h.pid = -1) },
  { label: 'host nil', apply: (h) => void (h.host = null) },
  { label: 'an unknown field', apply: (h) => void (h.zzz = { a: [1, 2] }) },
  { label: 'a client with a worker field', apply: (h) => void (h.worker = { id: 'x', queues: ['fz-a'], concurrency: 1 }) },
  { label: 'apiKey set', apply: (h) => void (h.apiKey = 'k') },
];

/** A hello of a random shape. */
export function helloCase(rng: Rng): HelloCase {
  const role = rng.chance(0.5) ? 'client' : 'worker';
  const hello = baseHello(role, rng);
  const roll = rng.next();
  if (roll < 0.35) return { hello, verdict: 'accept', role, label: `a good ${role} hello` };
  if (roll < 0.75) {
    const refusal = rng.pick(REFUSALS.filter((r) => !r.worker || role === 'worker'));
    refusal.apply(hello, (hello.worker ?? {}) as Record<string, unknown>);
    return { hello, verdict: 'refuse', role, label: `a ${role} hello with ${refusal.label}` };
  }
  if (roll < 0.9) {
    const change = rng.pick(EITHER);
    change.apply(hello);
    return { hello, verdict: 'either', role, label: `a ${role} hello with ${change.label}` };
  }
  const field = rng.pick(['t', 'version', 'name', 'role', 'host', 'pid', 'worker']);
  hello[field] = hostileValue(rng);
  const verdict = field === 't' && hello.t !== 'hello' ? 'refuse' : 'either';
  return { hello, verdict, role, label: `a ${role} hello with ${field} = ${typeof hello[field]}` };
}

/** msgpack of nested one-element arrays `levels` deep, as bytes (msgpackr's encoder would recurse). */
export function deepMsgpack(levels: number): Buffer {
  return Buffer.concat([Buffer.alloc(levels, 0x91), Buffer.from([0xc0])]);
}

export function rawFrame(body: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** A request frame with `args` given as raw msgpack bytes: `{t:'req', id, op, args: <bytes>}`. */
export function requestWithRawArgs(id: number, op: string, args: Buffer): Buffer {
  const head = encodeFrame({ t: 'req', id, op, args: null }).subarray(FRAME_HEADER_BYTES);
  // The map's last value is the nil of args: replace that byte with the raw value.
  return rawFrame(Buffer.concat([head.subarray(0, head.length - 1), args]));
}

/** A stream of bytes to send on one connection, and what the fuzzer may expect back. */
export interface StreamCase {
  kind: string;
  label: string;
  bytes: Buffer;
  /** Set when the stream starts with a hello of a known verdict. */
  hello?: HelloCase;
  /** Request ids sent intact after an accepted hello: each must be answered (unless the connection closes). */
  requestIds: number[];
  /** Ops of those requests, by id, for the failure message. */
  ops: Map<number, unknown>;
  /** Requests whose answer may legitimately take long (wait). */
  slow: Set<number>;
  /** Requests whose args are nested far too deep, by id. */
  deepIds: Set<number>;
  /** Backups into /proc, by id: their answer is checked under its own category. */
  procBackups: Set<number>;
  /** The broker must close the connection promptly (an oversize header). */
  mustClose?: string;
}

/**
 * `complete` when the bytes end on a frame boundary (or hit a header over `max`), else
 * `incomplete`; no bytes at all hold no frame to answer, so they are incomplete too.
 */
export function completeness(bytes: Buffer, max = DEFAULT_MAX_FRAME_BYTES): 'complete' | 'incomplete' {
  if (bytes.length === 0) return 'incomplete';
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    if (length > max) return 'complete';
    if (at + FRAME_HEADER_BYTES + length > bytes.length) return 'incomplete';
    at += FRAME_HEADER_BYTES + length;
  }
  return at === bytes.length ? 'complete' : 'incomplete';
}

export interface StreamOptions {
  known: Known;
  /** A directory `backup` may write into. */
  scratch: string;
  /** Whether backups may name /proc paths. */
  hostilePaths: boolean;
}

/** A good hello then random requests (and, for a worker, credit), as valid frames. */
function session(rng: Rng, options: StreamOptions, forceGood: boolean): StreamCase {
  const hello = forceGood ? { ...helloCase(rng), verdict: 'accept' as const } : helloCase(rng);
  if (forceGood) {
    hello.hello = baseHello(hello.role, rng);
    hello.label = `a good ${hello.role} hello`;
  }
  const frames: Buffer[] = [encodeFrame(hello.hello)];
  const requestIds: number[] = [];
  const ops = new Map<number, unknown>();
  const slow = new Set<number>();
  const procBackups = new Set<number>();
  const deepIds = new Set<number>();
  const labels: string[] = [];
  for (let i = rng.int(1, 6); i > 0; i--) {
    if (hello.role === 'worker' && rng.chance(0.2)) {
      const n = rng.chance(0.7) ? rng.int(1, 5) : hostileValue(rng);
      frames.push(encodeFrame({ t: 'credit', n }));
      labels.push(`credit ${typeof n === 'number' ? n : typeof n}`);
      continue;
    }
    const op = requestOp(rng);
    const id = rng.chance(0.95) ? requestIds.length + 1 : hostileValue(rng);
    if (rng.chance(0.05) && op !== 'backup') {
      // Nesting deeper than any sane limit, as raw bytes.
      const levels = rng.pick([200, 10_000, 100_000]);
      frames.push(requestWithRawArgs(requestIds.length + 1, String(op), deepMsgpack(levels)));
      requestIds.push(requestIds.length + 1);
      ops.set(requestIds.length, op);
      deepIds.add(requestIds.length);
      labels.push(`${String(op)} with args nested ${levels} deep`);
      continue;
    }
    const args = requestArgs(rng, String(op), options.known, options.scratch, options.hostilePaths);
    try {
      frames.push(encodeFrame({ t: 'req', id, op, args }));
    } catch {
      continue; // a value msgpackr cannot encode: not the broker's concern
    }
    if (typeof id === 'number' && Number.isInteger(id) && id > 0) {
      requestIds.push(id);
      ops.set(id, op);
      if (op === 'wait') slow.add(id);
      if (op === 'backup' && String((args as { dir?: unknown } | null)?.dir).startsWith('/proc')) procBackups.add(id);
    }
    labels.push(`${typeof op === 'string' ? op : JSON.stringify(op)}(${summarize(args)})`);
  }
  if (rng.chance(0.1)) {
    const odd = rng.pick<unknown>([{ t: 'bogus' }, { t: 'hello', version: PROTOCOL_VERSION }, { t: 'req' }, [1, 2], 'text', 42, null]);
    frames.push(encodeFrame(odd));
    labels.push(`then ${JSON.stringify(odd)}`);
  }
  return { kind: 'session', label: `${hello.label}; ${labels.join('; ')}`, bytes: Buffer.concat(frames), hello, requestIds, ops, slow, procBackups, deepIds };
}

function summarize(args: unknown): string {
  if (args === null || typeof args !== 'object') return String(typeof args === 'string' ? `"${args.slice(0, 20)}"` : args);
  if (Array.isArray(args)) return `[${args.length}]`;
  return Object.entries(args as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${v === null ? 'nil' : Array.isArray(v) ? `[${v.length}]` : typeof v === 'string' ? `"${v.slice(0, 12)}"${v.length > 12 ? `…${v.length}` : ''}` : typeof v === 'object' ? (v instanceof Uint8Array ? 'bin' : v instanceof Date ? 'Date' : '{…}') : String(v)}`)
    .join(',');
}

function mutate(rng: Rng, bytes: Buffer): { bytes: Buffer; how: string } {
  let out = Buffer.from(bytes);
  const hows: string[] = [];
  for (let i = rng.int(1, 4); i > 0; i--) {
    const at = rng.int(0, Math.max(0, out.length - 1));
    switch (rng.int(0, 3)) {
      case 0:
        out[at] = out[at]! ^ (1 << rng.int(0, 7));
        hows.push(`bit flip at ${at}`);
        break;
      case 1:
        out[at] = rng.pick([0x00, 0xff, 0xc1, 0xc0, 0xd4, 0xc7, 0xdf, 0x7f, 0x80, 0x90]);
        hows.push(`byte ${out[at]!.toString(16)} at ${at}`);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(1, 8)), out.subarray(at)]);
        hows.push(`insert at ${at}`);
        break;
      default:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.int(1, 8))]);
        hows.push(`delete at ${at}`);
    }
  }
  return { bytes: out, how: hows.join(', ') };
}

/** One random stream: a session, or one broken in some way. */
export function streamCase(rng: Rng, options: StreamOptions): StreamCase {
  const none = { requestIds: [], ops: new Map(), slow: new Set<number>(), procBackups: new Set<number>(), deepIds: new Set<number>() };
  switch (rng.int(0, 9)) {
    case 0:
    case 1:
    case 2: {
      return session(rng, options, rng.chance(0.6));
    }
    case 3:
    case 4: {
      // Mutate a session that never backs up: a mutated path could name any directory.
      let base = session(rng, { ...options, hostilePaths: false }, true);
      while (base.label.includes('backup(')) base = session(rng, { ...options, hostilePaths: false }, true);
      const mutated = mutate(rng, base.bytes);
      return { kind: 'mutated', label: `${base.label} — mutated: ${mutated.how}`, bytes: mutated.bytes, ...none };
    }
    case 5: {
      const base = session(rng, { ...options, hostilePaths: false }, true);
      const cut = rng.int(1, Math.max(1, base.bytes.length - 1));
      return { kind: 'truncated', label: `${base.label} — cut at byte ${cut} of ${base.bytes.length}`, bytes: base.bytes.subarray(0, cut), ...none };
    }
    case 6: {
      const length = rng.pick([DEFAULT_MAX_FRAME_BYTES + 1, 0x7fffffff, 0xffffffff, rng.int(DEFAULT_MAX_FRAME_BYTES + 1, 0xffffffff)]);
      const afterHello = rng.chance(0.5);
      const head = Buffer.alloc(FRAME_HEADER_BYTES);
      head.writeUInt32BE(length, 0);
      const bytes = Buffer.concat([afterHello ? encodeFrame(baseHello('client', rng)) : Buffer.alloc(0), head, rng.bytes(rng.int(0, 64))]);
      return { kind: 'oversize', label: `a length header of ${length} bytes${afterHello ? ' after a good hello' : ' as the first frame'}`, bytes, mustClose: 'FRAME_TOO_LARGE', ...none };
    }
    case 7: {
      // Before the hello only a small frame makes sense: a header declaring megabytes must not be waited for.
      const length = rng.int(1_048_576, DEFAULT_MAX_FRAME_BYTES);
      const head = Buffer.alloc(FRAME_HEADER_BYTES);
      head.writeUInt32BE(length, 0);
      const sendBody = rng.chance(0.3) ? rng.int(0, Math.min(length - 1, 4_194_304)) : 0;
      return { kind: 'pre-hello-big', label: `before any hello, a length header of ${length} bytes then ${sendBody} of them`, bytes: Buffer.concat([head, Buffer.alloc(sendBody, 0x41)]), mustClose: 'pre-hello', ...none };
    }
    case 8: {
      const body = rng.pick([
        () => rng.bytes(rng.int(0, 200)),
        () => rawFrame(rng.bytes(rng.int(0, 200))),
        () => rawFrame(deepMsgpack(rng.pick([1_000, 100_000]))),
        () => rawFrame(Buffer.from([0xd4, rng.int(0, 127), 0x00])), // an unknown fixext 1
        () => rawFrame(Buffer.from([0xd6, 0xff, 0, 0, 0, 0])), // a timestamp ext
        () => rawFrame(Buffer.from([0xc1])), // never used
        () => rawFrame(Buffer.alloc(0)),
        () => encodeFrame(rng.pick<unknown>([[1], 'hello', 7, null, true, { t: 'req', id: 1, op: 'stats' }, { t: 7 }])),
      ])();
      return { kind: 'garbage', label: `garbage: ${body.length} bytes ${body.subarray(0, 32).toString('hex')}`, bytes: body, ...none };
    }
    default: {
      const hello = helloCase(rng);
      let bytes: Buffer;
      try {
        bytes = encodeFrame(hello.hello);
      } catch {
        bytes = encodeFrame({ t: 'hello' });
        hello.verdict = 'refuse';
      }
      return { kind: 'hello', label: hello.label, bytes, hello, ...none };
    }
  }
}
