/**
 * Random requests for the protocol fuzzer: the op list read from src/protocol/messages.ts (so a new
 * op is fuzzed without touching this file), plausible arguments for each op with fields replaced by
 * hostile values (nil, wrong types, huge strings, deep nesting, extension values, extreme numbers,
 * unknown fields).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Rng } from './random.ts';

/** Every op of the `Ops` interface in the protocol's messages file. */
export const OPS: readonly string[] = (() => {
  const source = readFileSync(fileURLToPath(new URL('../../../src/protocol/messages.ts', import.meta.url)), 'utf8');
  const body = /export interface Ops \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  const ops = [...body.matchAll(/^ {2}(\w+): \{ args:/gm)].map((match) => match[1]!);
  if (!ops.includes('submit') || !ops.includes('ack')) throw new Error(`could not read the op list from src/protocol/messages.ts (got ${ops.join(', ')})`);
  return ops;
})();

/** The queue the fuzzer never names: tasks in it must survive the whole run. */
export const KEEP_QUEUE = 'fuzz-keep';
/** Queues the fuzzer's requests use. */
export const FUZZ_QUEUES = ['fz-a', 'fz-b', 'default'];

/** What the fuzzer learnt from the broker's answers, so requests can also hit real tasks and leases. */
export interface Known {
  ids: string[];
  leases: { id: string; token: number }[];
}

/** A value msgpack carries that no schema expects, from plain odd ones to hostile ones. */
export function hostileValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, 17)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.chance(0.5);
    case 3:
      return rng.pick([0, -1, 1, -0, 0.5, -7.25, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 1e15, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE]);
    case 4:
      return rng.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    case 5:
      return rng.pick([2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]);
    case 6:
      return rng.pick(['', ' ', 'a b', '\u0000', '..', '../../etc', '%ZZ', '__proto__', 'constructor', '💥', '\ud800', 'x'.repeat(129), 'DROP TABLE', '*']);
    case 7:
      return rng.string(rng.int(1, 40), 'abcXYZ019._:- /\\\u0000é');
    case 8:
      return 'h'.repeat(rng.pick([1_000, 65_536, 1_000_000]));
    case 9:
      return rng.bytes(rng.int(0, 64));
    case 10:
      return new Date(rng.pick([0, -1, 8.64e15, Date.now()]));
    case 11:
      return deep(rng.pick([64, 129, 1_000]), rng.chance(0.5));
    case 12:
      return depth > 3 ? null : Array.from({ length: rng.int(0, 5) }, () => hostileValue(rng, depth + 1));
    case 13:
      return depth > 3 ? {} : hostileMap(rng, depth + 1);
    case 14:
      return rng.pick([[], {}, [null], [[]], { '': null }]);
    case 15:
      return Array.from({ length: rng.pick([1_000, 20_000]) }, (_, i) => i);
    case 16:
      return rng.pick(FUZZ_QUEUES);
    default:
      return rng.int(-5, 1_000_000);
  }
}

/** Sets `key` as an own field, `__proto__` too (an assignment would swap the object's prototype instead). */
function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function hostileMap(rng: Rng, depth: number): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (let i = rng.int(0, 4); i > 0; i--) setField(map, rng.pick(['a', 'type', 'queue', 'id', '__proto__', 'constructor', rng.string(3)]), hostileValue(rng, depth));
  return map;
}

/** Nested arrays or maps `levels` deep (built in a loop: deeper than msgpackr may encode is built as bytes, see frames.ts). */
export function deep(levels: number, maps: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = maps ? { a: value } : [value];
  return value;
}

/** A field's value: mostly plausible (`plain`), sometimes hostile, sometimes left out. */
function field(rng: Rng, plain: () => unknown): unknown {
  const roll = rng.next();
  if (roll < 0.6) return plain();
  if (roll < 0.75) return undefined;
  return hostileValue(rng);
}

function name(rng: Rng): string {
  return rng.chance(0.7) ? rng.pick(FUZZ_QUEUES) : `fz-${rng.string(rng.int(1, 8))}`;
}

function id(rng: Rng, known: Known): unknown {
  if (known.ids.length > 0 && rng.chance(0.5)) return rng.pick(known.ids);
  return rng.chance(0.5) ? rng.string(20, '0123456789ABCDEFGHJKMNPQRSTVWXYZ') : hostileValue(rng);
}

function lease(rng: Rng, known: Known): { id: unknown; token: unknown } {
  if (known.leases.length > 0 && rng.chance(0.6)) {
    const held = rng.pick(known.leases);
    return { id: held.id, token: rng.chance(0.8) ? held.token : hostileValue(rng) };
  }
  return { id: id(rng, known), token: field(rng, () => rng.int(0, 100)) };
}

export function taskInput(rng: Rng): Record<string, unknown> {
  const task: Record<string, unknown> = {
    type: field(rng, () => rng.pick(['email', 'resize', 'fz.job'])),
    queue: field(rng, () => name(rng)),
    payload: field(rng, () => ({ n: rng.int(0, 100) })),
    priority: field(rng, () => rng.pick(['low', 'normal', 'high', 'urgent', 0, 100, 255])),
    maxRetries: field(rng, () => rng.int(0, 3)),
    timeoutMs: field(rng, () => rng.int(100, 60_000)),
    runAt: rng.chance(0.2) ? field(rng, () => Date.now() + rng.int(-1_000, 5_000)) : undefined,
    delayMs: rng.chance(0.2) ? field(rng, () => rng.int(0, 2_000)) : undefined,
    idempotencyKey: rng.chance(0.2) ? field(rng, () => rng.string(6)) : undefined,
    tags: rng.chance(0.3) ? field(rng, () => [rng.string(4)]) : undefined,
  };
  if (rng.chance(0.15)) setField(task, rng.pick(['extra', '__proto__', 'id', 'state', 'lease']), hostileValue(rng));
  return task;
}

function filter(rng: Rng): unknown {
  return field(rng, () => ({ queue: name(rng), state: field(rng, () => rng.pick(['pending', 'failed', 'dead', 'scheduled', 'running'])), type: field(rng, () => 'fz.job') }));
}

/**
 * Where a `backup` may write: only a temporary directory, paths that cannot be made, and (when
 * `hostilePaths`) paths under /proc. Never a random string: a relative path would land in the
 * broker's working directory, the checkout.
 */
function backupDir(rng: Rng, scratch: string, hostilePaths: boolean): unknown {
  const safe = [`${scratch}/backup-${rng.string(6)}`, '/dev/null/x', '', null, 7, [], { dir: scratch }];
  return hostilePaths && rng.chance(0.3) ? rng.pick(['/proc/1/x', '/proc/self/fd/x']) : rng.pick(safe);
}

/** Plausible arguments of `op` with some fields hostile. */
function plainArgs(rng: Rng, op: string, known: Known, scratch: string, hostilePaths: boolean): Record<string, unknown> {
  switch (op) {
    case 'submit':
    case 'enqueue':
      return { tasks: field(rng, () => Array.from({ length: rng.int(1, 4) }, () => taskInput(rng))), each: op === 'enqueue' ? field(rng, () => rng.chance(0.5)) : undefined };
    case 'get':
    case 'cancel':
    case 'retry':
      return { id: id(rng, known) };
    case 'wait':
      return { id: id(rng, known), timeoutMs: field(rng, () => rng.int(0, 200)) };
    case 'list':
      return { ...(filter(rng) as object), limit: field(rng, () => rng.int(1, 50)), cursor: field(rng, () => rng.string(8)) };
    case 'cancelWhere':
    case 'retryWhere':
      return { filter: filter(rng), limit: field(rng, () => rng.int(1, 10)), all: rng.chance(0.2) ? hostileValue(rng) : undefined };
    case 'dlqReplay':
      return { queue: field(rng, () => name(rng)), ids: field(rng, () => [id(rng, known)]), limit: field(rng, () => rng.int(1, 10)) };
    case 'dlqPurge':
    case 'drainQueue':
      return { queue: field(rng, () => name(rng)), limit: field(rng, () => rng.int(1, 10)) };
    case 'pauseQueue':
    case 'resumeQueue':
      return { queue: field(rng, () => name(rng)) };
    case 'configureQueue':
      return { queue: field(rng, () => name(rng)), settings: field(rng, () => ({ maxRetries: field(rng, () => rng.int(0, 5)), timeoutMs: field(rng, () => rng.int(100, 9_000)), [rng.string(4)]: hostileValue(rng) })) };
    case 'backup':
      return { dir: backupDir(rng, scratch, hostilePaths) };
    case 'ack':
      return { ...lease(rng, known), result: field(rng, () => ({ ok: true })) };
    case 'nack':
      return { ...lease(rng, known), error: field(rng, () => 'boom') };
    case 'release':
      return lease(rng, known);
    case 'progress':
      return { ...lease(rng, known), fraction: field(rng, () => rng.next()), message: field(rng, () => 'half') };
    case 'report':
      return { reports: field(rng, () => Array.from({ length: rng.int(1, 3) }, () => ({ op: rng.pick(['ack', 'nack', 'release', 'boom']), ...lease(rng, known), error: 'e' }))) };
    case 'heartbeat':
      return { leases: field(rng, () => known.leases.slice(0, 3)), cpu: field(rng, () => rng.next()), memoryBytes: field(rng, () => rng.int(0, 1e9)) };
    default:
      return {};
  }
}

/** A request's `args`: usually plausible with hostile fields, sometimes not a map at all. */
export function requestArgs(rng: Rng, op: string, known: Known, scratch: string, hostilePaths: boolean): unknown {
  if (rng.chance(0.08)) return op === 'backup' ? null : hostileValue(rng);
  const args = plainArgs(rng, op, known, scratch, hostilePaths);
  if (rng.chance(0.15)) setField(args, rng.pick(['zzz', '__proto__', 'constructor', 'op']), op === 'backup' ? 1 : hostileValue(rng));
  return args;
}

/** The op of a request: a real one, mostly, else a name no broker knows. */
export function requestOp(rng: Rng): unknown {
  if (rng.chance(0.9)) return rng.pick(OPS);
  return rng.pick(['', 'nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty', null, 7, ['submit']]);
}
