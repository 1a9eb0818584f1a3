/**
 * The arguments of every request, as data: one shape per operation, built from the shared model's
 * rules (names, priorities, states, limits), and the one validator every listener's requests pass
 * through before they reach the engine. A bad argument is INVALID_ARGUMENT naming its field
 * (`tasks[0].queue`), the same on TCP, REST and any later listener. docs/protocol.md lists them.
 */
import { BULK_LIMIT_MAX, MAX_PAGE } from '../model/bulk.ts';
import { invalid, type TqError } from '../model/errors.ts';
import { QUEUE_SETTINGS } from '../model/queue.ts';
import {
  MAX_ID_CHARS,
  MAX_KEY_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  checkName,
  parsePriority,
  TASK_STATES,
} from '../model/task.ts';
import { nestsDeeperThan } from '../model/value.ts';
import { MAX_VALUE_DEPTH } from '../model/value-limits.ts';
import { TOO_DEEP } from './deep-frames.ts';
import type { Op } from './messages.ts';

export type Rule =
  | { kind: 'id' }
  | { kind: 'name'; of: 'queue' | 'type' }
  | { kind: 'state' }
  | { kind: 'priority' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'boolean' }
  | { kind: 'string'; min: number; max: number }
  | { kind: 'oneOf'; values: readonly string[] }
  /** A string in the form only the broker writes, e.g. a listing's cursor. */
  | { kind: 'token'; pattern: RegExp; means: string }
  /** Any plain value (a payload or result) nesting at most MAX_VALUE_DEPTH deep. */
  | { kind: 'value' }
  /** With `alone`, an entry that fails becomes a Refused in its place instead of failing the request. */
  | { kind: 'list'; of: Rule; min: number; max: number; alone?: boolean }
  | { kind: 'map'; shape: Shape }
  /** A map whose `on` field picks its shape. */
  | { kind: 'variant'; on: string; shapes: Record<string, Shape> };

export interface Field {
  rule: Rule;
  required?: boolean;
  /** Nil is a value here (it resets a setting); elsewhere a nil field counts as absent. */
  nilIsValue?: boolean;
}

export interface Shape {
  fields: Record<string, Field>;
  /** At most one of these may be given. */
  exclusive?: readonly [string, string];
  /** A bulk change of everything: this field must be given (a non-empty filter) unless `all: true`. */
  unlessAll?: string;
}

/** A list entry that failed its checks, answered in its place (enqueue with `each`, report). */
export class Refused {
  readonly error: TqError;
  constructor(error: TqError) {
    this.error = error;
  }
}

const id: Field = { rule: { kind: 'id' }, required: true };
const token: Field = { rule: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER }, required: true };
const queueName: Field = { rule: { kind: 'name', of: 'queue' } };
const typeName: Field = { rule: { kind: 'name', of: 'type' } };
const queue: Field = { ...queueName, required: true };
const limit = (max: number): Field => ({ rule: { kind: 'int', min: 1, max } });
const all: Field = { rule: { kind: 'boolean' } };
const setting = (key: keyof typeof QUEUE_SETTINGS): Field => ({ rule: { kind: 'int', ...QUEUE_SETTINGS[key] } });
const time: Field = { rule: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } };
const text: Field = { rule: { kind: 'string', min: 0, max: Number.MAX_SAFE_INTEGER } };
const map = (fields: Record<string, Field>): Rule => ({ kind: 'map', shape: { fields } });

const FILTER_FIELDS = { queue: queueName, state: { rule: { kind: 'state' } }, type: typeName } satisfies Record<string, Field>;
const filter: Field = { rule: map(FILTER_FIELDS) };

const TASK: Rule = {
  kind: 'map',
  shape: {
    fields: {
      type: { ...typeName, required: true },
      queue: queueName,
      payload: { rule: { kind: 'value' } },
      priority: { rule: { kind: 'priority' } },
      maxRetries: setting('maxRetries'),
      timeoutMs: setting('timeoutMs'),
      runAt: time,
      delayMs: time,
      idempotencyKey: { rule: { kind: 'string', min: 1, max: MAX_KEY_CHARS } },
      tags: { rule: { kind: 'list', of: { kind: 'string', min: 0, max: MAX_TAG_CHARS }, min: 0, max: MAX_TAGS } },
    },
    exclusive: ['runAt', 'delayMs'],
  },
};
/** The frame size bounds a list; this only keeps the shape honest. */
const ANY_LENGTH = Number.MAX_SAFE_INTEGER;
const tasks = (alone: boolean): Field => ({ rule: { kind: 'list', of: TASK, min: 1, max: ANY_LENGTH, alone }, required: true });

const ACK = { fields: { id, token, result: { rule: { kind: 'value' } } } } satisfies Shape;
const NACK = { fields: { id, token, error: { ...text, required: true }, retry: { rule: { kind: 'boolean' } } } } satisfies Shape;
const RELEASE = { fields: { id, token } } satisfies Shape;
const withOp = (shape: Shape): Shape => ({ fields: { op: { rule: { kind: 'oneOf', values: ['ack', 'nack', 'release'] }, required: true }, ...shape.fields } });

const SETTINGS = Object.fromEntries(
  (Object.keys(QUEUE_SETTINGS) as (keyof typeof QUEUE_SETTINGS)[]).map((key) => [key, { ...setting(key), nilIsValue: true }]),
);

const NONE: Shape = { fields: {} };

export const REQUEST_SHAPES: Record<Op, Shape> = {
  submit: { fields: { tasks: tasks(false) } },
  enqueue: { fields: { tasks: tasks(true), each: { rule: { kind: 'boolean' } } } },
  get: { fields: { id } },
  wait: { fields: { id, timeoutMs: time } },
  list: { fields: { ...FILTER_FIELDS, limit: limit(MAX_PAGE), cursor: { rule: { kind: 'token', pattern: /^\d{1,16}$/, means: 'pass a nextCursor from an earlier page' } } } },
  stats: NONE,
  queues: NONE,
  workers: NONE,
  cancel: { fields: { id } },
  retry: { fields: { id } },
  cancelWhere: { fields: { filter, limit: limit(BULK_LIMIT_MAX), all }, unlessAll: 'filter' },
  retryWhere: { fields: { filter, limit: limit(BULK_LIMIT_MAX), all }, unlessAll: 'filter' },
  dlqReplay: { fields: { queue: queueName, ids: { rule: { kind: 'list', of: { kind: 'id' }, min: 1, max: BULK_LIMIT_MAX } }, limit: limit(BULK_LIMIT_MAX) } },
  dlqPurge: { fields: { queue: queueName, limit: limit(BULK_LIMIT_MAX), all }, unlessAll: 'queue' },
  pauseQueue: { fields: { queue } },
  resumeQueue: { fields: { queue } },
  configureQueue: { fields: { queue, settings: { rule: map(SETTINGS), required: true } } },
  drainQueue: { fields: { queue, limit: limit(BULK_LIMIT_MAX) } },
  backup: { fields: { dir: { rule: { kind: 'string', min: 1, max: 4_096 }, required: true } } },
  ack: ACK,
  nack: NACK,
  release: RELEASE,
  report: {
    fields: {
      reports: {
        rule: { kind: 'list', of: { kind: 'variant', on: 'op', shapes: { ack: withOp(ACK), nack: withOp(NACK), release: withOp(RELEASE) } }, min: 1, max: ANY_LENGTH, alone: true },
        required: true,
      },
    },
  },
  progress: { fields: { id, token, fraction: { rule: { kind: 'number', min: 0, max: 1 }, required: true }, message: text } },
  heartbeat: {
    fields: {
      leases: { rule: { kind: 'list', of: map({ id, token }), min: 0, max: ANY_LENGTH }, required: true },
      cpu: { rule: { kind: 'number', min: 0, max: Number.MAX_SAFE_INTEGER } },
      memoryBytes: { rule: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
    },
  },
};

/** A value as an error message shows it: short, whatever its size. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

function fail(field: string, must: string, value: unknown): never {
  throw invalid(`${field} must be ${must} (got ${shown(value)})`, field);
}

/** The model's own message for a value it refuses, led by the path when that says more than the message. */
function asModel(at: string, kind: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    const message = (error as Error).message;
    throw invalid(at === kind ? message : `${at}: ${message}`, at);
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function checkShape(shape: Shape, value: unknown, at: string): Record<string, unknown> {
  const where = (key: string) => (at === '' ? key : `${at}.${key}`);
  if (!isMap(value)) fail(at === '' ? 'args' : at, 'a map', value);
  const checked: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const spec = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
    if (spec === undefined) {
      throw invalid(`${where(key)} is not a known field: use ${Object.keys(shape.fields).join(', ') || 'none'}`, where(key));
    }
    if (field === undefined || (field === null && !spec.nilIsValue)) continue;
    checked[key] = field === null ? null : checkRule(spec.rule, field, where(key));
  }
  for (const [key, spec] of Object.entries(shape.fields)) {
    if (spec.required && !(key in checked)) throw invalid(`${where(key)} is required`, where(key));
  }
  if (shape.exclusive && shape.exclusive.every((key) => key in checked)) {
    const [one, other] = shape.exclusive;
    throw invalid(`${where(one)} and ${where(other)} cannot both be given: give one`, where(other));
  }
  if (shape.unlessAll !== undefined) {
    const scope = checked[shape.unlessAll];
    const given = scope !== undefined && !(isMap(scope) && Object.keys(scope).length === 0);
    if (!given && checked.all !== true) {
      throw invalid(`${where(shape.unlessAll)} is required for a change of many tasks: give one, or all: true to mean every task`, where(shape.unlessAll));
    }
  }
  return checked;
}

function checkRule(rule: Rule, value: unknown, at: string): unknown {
  switch (rule.kind) {
    case 'id':
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_CHARS) fail(at, `a task id of 1-${MAX_ID_CHARS} characters`, value);
      return value;
    case 'name':
      if (typeof value === 'string' && value.length > 128) fail(at, `a ${rule.of} name of 1-128 characters`, value);
      asModel(at, rule.of, () => checkName(rule.of, value));
      return value;
    case 'state':
      if (typeof value !== 'string' || !(TASK_STATES as readonly string[]).includes(value)) fail(at, `one of ${TASK_STATES.join(', ')}`, value);
      return value;
    case 'token':
      if (typeof value !== 'string' || !rule.pattern.test(value)) throw invalid(`${at} ${shown(value)} is invalid: ${rule.means}`, at);
      return value;
    case 'oneOf':
      if (typeof value !== 'string' || !rule.values.includes(value)) fail(at, `one of ${rule.values.join(', ')}`, value);
      return value;
    case 'priority':
      if (typeof value === 'string' && value.length > 8) fail(at, 'urgent, high, normal, low or an integer 0-255', value);
      asModel(at, 'priority', () => parsePriority(value));
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
        fail(at, `an integer from ${rule.min} to ${rule.max}`, value);
      }
      return value;
    case 'number':
      if (typeof value !== 'number' || !(value >= rule.min && value <= rule.max)) fail(at, `a number from ${rule.min} to ${rule.max}`, value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail(at, 'true or false', value);
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length < rule.min || value.length > rule.max) {
        fail(at, rule.max === Number.MAX_SAFE_INTEGER ? 'a string' : `a string of ${rule.min}-${rule.max} characters`, value);
      }
      return value;
    case 'value':
      if (nestsDeeperThan(value, MAX_VALUE_DEPTH)) {
        throw invalid(`${at} nests deeper than the limit of ${MAX_VALUE_DEPTH} maps and lists: flatten it`, at);
      }
      return value;
    case 'list':
      if (!Array.isArray(value) || value.length < rule.min || value.length > rule.max) {
        const unbounded = rule.min > 0 ? 'a non-empty list' : 'a list';
        fail(at, rule.max === ANY_LENGTH ? unbounded : rule.min === 0 ? `a list of at most ${rule.max}` : `a list of ${rule.min}-${rule.max}`, value);
      }
      return value.map((entry, i) => {
        if (!rule.alone) return checkRule(rule.of, entry, `${at}[${i}]`);
        try {
          return checkRule(rule.of, entry, `${at}[${i}]`);
        } catch (error) {
          return new Refused(error as TqError);
        }
      });
    case 'map':
      return checkShape(rule.shape, value, at);
    case 'variant': {
      if (!isMap(value)) fail(at, 'a map', value);
      const pick = value[rule.on];
      const shape = typeof pick === 'string' && Object.hasOwn(rule.shapes, pick) ? rule.shapes[pick]! : undefined;
      if (!shape) fail(`${at}.${rule.on}`, `one of ${Object.keys(rule.shapes).join(', ')}`, pick);
      return checkShape(shape, value, at);
    }
  }
}

/** The arguments of `op` checked against its shape, nil fields dropped; throws INVALID_ARGUMENT naming the field. */
export function checkArgs(op: Op, args: unknown): unknown {
  if (args === TOO_DEEP) throw invalid(`args nest too deep to decode: payloads and results may nest at most ${MAX_VALUE_DEPTH} maps and lists deep`, 'args');
  return checkShape(REQUEST_SHAPES[op], args ?? {}, '');
}
