/**
 * The task's field table against everything built from it: the stored record (including records
 * written before the table existed), the wire view, its JSON/YAML form and the REST schema.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Task as TaskSchema } from '../../src/broker/http/schemas.ts';
import { decodeRecord, encodeRecord } from '../../src/engine/record.ts';
import { TASK_DATA_FIELDS, TASK_FIELD_NAMES, TASK_FIELDS, WIRE_FIELD_NAMES, type WireFieldName } from '../../src/model/task-fields.ts';
import type { Task, TaskRecord } from '../../src/model/task.ts';
import type { WireTask } from '../../src/protocol/messages.ts';
import { toPlain } from '../../src/protocol/plain.ts';
import { wireTask } from '../../src/protocol/task-view.ts';

/** Every field set, none to its default or null, so a field the codec drops or moves shows. */
const FULL: TaskRecord = {
  id: '0190a4c2-0000-7000-8000-000000000001',
  type: 'email.send',
  queue: 'mail',
  priority: 150,
  state: 'running',
  attempts: 2,
  maxRetries: 5,
  timeoutMs: 60_000,
  backoffBaseMs: 1_000,
  backoffCapMs: 3_600_000,
  runAt: 1_764_700_000_000,
  idempotencyKey: 'order-42',
  createdAt: 1_764_690_000_000,
  updatedAt: 1_764_700_000_500,
  lastError: 'smtp timeout',
  hasResult: false,
  lease: { workerId: 'w-1', token: 7, expiresAt: 1_764_700_030_500 },
  leaseMs: 30_000,
  cancelRequested: true,
  startedAt: 1_764_700_000_400,
  finishedAt: null,
  progress: { fraction: 0.5, message: 'half' },
  history: [
    { attempt: 1, workerId: 'w-0', startedAt: 1_764_690_001_000, endedAt: 1_764_690_002_000, error: 'boom' },
    { attempt: 2, workerId: 'w-1', startedAt: 1_764_700_000_400, endedAt: null, error: null },
  ],
  tags: ['a', 'b'],
  seq: 12,
  stateSeq: 40,
  payloadBytes: 3,
  inlinePayload: Buffer.from([0x93, 1, 2]),
};

/** The other values of the nullable and boolean fields. */
const BARE: TaskRecord = {
  ...FULL,
  state: 'succeeded',
  runAt: null,
  idempotencyKey: null,
  lastError: null,
  hasResult: true,
  lease: null,
  cancelRequested: false,
  finishedAt: 1_764_700_001_000,
  progress: null,
  history: [],
  tags: [],
  payloadBytes: 5_000,
  inlinePayload: null,
};

/**
 * FULL and BARE as the hand-written codec before the table (commit 49c3ef2) stored them. Data
 * directories hold records like these: they must decode, and a record must still encode to them.
 */
const OLD_BYTES = {
  full:
    'dc001cd92430313930613463322d303030302d373030302d383030302d303030303030303030303031aa656d61696c2e73656e64a46d61696ccc96a772756e6e696e670205cdea60cd03e8ce0036ee80cb4279ae0510f00000a86f726465722d3432cb4279adfb87880000cb4279ae05110f4000ac736d74702074696d656f7574c293a3772d3107cb4279ae0518624000cd7530c3cb4279ae0511090000c092cb3fe0000000000000a468616c66929501a3772d30cb4279adfb87c68000cb4279adfb88050000a4626f6f6d9502a3772d31cb4279ae0511090000c0c092a161a1620c2803c403930102',
  bare:
    'dc001cd92430313930613463322d303030302d373030302d383030302d303030303030303030303031aa656d61696c2e73656e64a46d61696ccc96a97375636365656465640205cdea60cd03e8ce0036ee80c0c0cb4279adfb87880000cb4279ae05110f4000c0c3c0cd7530c2cb4279ae0511090000cb4279ae05112e8000c090900c28cd1388c0',
};

// WireTask is the table's wire fields plus payload and result, checked by the compiler (npm test runs tsc).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const wireTypeFollowsTable: Same<keyof WireTask, WireFieldName | 'payload' | 'result'> = true;

describe('the task field table', () => {
  test('names exactly the fields of a task record, each at its own slot', () => {
    assert.deepEqual(TASK_FIELD_NAMES.toSorted(), Object.keys(FULL).toSorted());
    assert.deepEqual(
      TASK_FIELD_NAMES.map((name) => TASK_FIELDS[name].slot).toSorted((a, b) => a - b),
      TASK_FIELD_NAMES.map((_, i) => i),
    );
    for (const name of TASK_FIELD_NAMES) assert.ok(TASK_FIELDS[name].description.length > 0, `${name} is described`);
  });

  test('every field round-trips through the record codec', () => {
    for (const record of [FULL, BARE]) {
      const decoded = decodeRecord(encodeRecord(record));
      for (const name of TASK_FIELD_NAMES) assert.deepEqual(decoded[name], record[name], `${name} round-trips`);
      assert.deepEqual(Object.keys(decoded), TASK_FIELD_NAMES);
    }
  });

  test('records written by the codec before the table still read, and are written the same', () => {
    for (const [record, hex] of [
      [FULL, OLD_BYTES.full],
      [BARE, OLD_BYTES.bare],
    ] as const) {
      assert.deepEqual(decodeRecord(Buffer.from(hex, 'hex')), record);
      assert.equal(encodeRecord(record).toString('hex'), hex);
    }
  });

  test('the wire view has exactly the wire fields, and payload and result only with a whole task', () => {
    assert.equal(wireTypeFollowsTable, true);
    const listed = wireTask(FULL);
    assert.deepEqual(Object.keys(listed), WIRE_FIELD_NAMES);
    for (const name of WIRE_FIELD_NAMES) assert.deepEqual(listed[name], FULL[name], `${name} is shown as stored`);
    for (const name of ['seq', 'stateSeq', 'payloadBytes', 'inlinePayload', 'hasResult', 'leaseMs']) {
      assert.ok(!WIRE_FIELD_NAMES.includes(name as WireFieldName), `${name} is bookkeeping`);
    }
    const whole: Task = { ...FULL, payload: { to: 'a@b.c' }, result: null };
    const read = wireTask(whole);
    assert.deepEqual(Object.keys(read), [...WIRE_FIELD_NAMES, 'payload', 'result']);
    assert.deepEqual(read.payload, whole.payload);
  });

  test("the REST schema's task is the wire fields plus payload and result, each described by the table", () => {
    const properties = TaskSchema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(properties), [...WIRE_FIELD_NAMES, ...Object.keys(TASK_DATA_FIELDS)]);
    assert.deepEqual(TaskSchema.required, WIRE_FIELD_NAMES);
    for (const name of WIRE_FIELD_NAMES) assert.deepEqual(properties[name], { ...TASK_FIELDS[name].schema, description: TASK_FIELDS[name].description });
    for (const [name, field] of Object.entries(TASK_DATA_FIELDS)) assert.deepEqual(properties[name], { ...field.schema, description: field.description });
  });

  test('the JSON view of every wire field is of the type its schema says', () => {
    for (const record of [FULL, BARE]) {
      const plain = toPlain(wireTask({ ...record, payload: 1, result: null })) as Record<string, unknown>;
      const properties = TaskSchema.properties as Record<string, Record<string, unknown>>;
      for (const name of WIRE_FIELD_NAMES) checkType(plain[name], properties[name]!, name);
    }
  });
});

/** Enough of JSON Schema for the task's fields: type, format date-time, properties and items. */
function checkType(value: unknown, schema: Record<string, unknown>, where: string): void {
  const types = ([] as unknown[]).concat(schema.type ?? []);
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length > 0) assert.ok(types.includes(actual) || (actual === 'integer' && types.includes('number')), `${where} is ${types.join('|')}, not ${actual}`);
  if (value === null) return;
  if (schema.format === 'date-time') assert.match(value as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `${where} is an ISO-8601 time`);
  if (schema.enum) assert.ok((schema.enum as unknown[]).includes(value), `${where} is one of its enum`);
  for (const [key, inner] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    checkType((value as Record<string, unknown>)[key], inner, `${where}.${key}`);
  }
  if (schema.items) for (const [i, item] of (value as unknown[]).entries()) checkType(item, schema.items as Record<string, unknown>, `${where}[${i}]`);
}
