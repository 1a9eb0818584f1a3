/**
 * How a task record is stored: a msgpack array, each field at its slot in model/task-fields.ts.
 * Field names are not repeated in every value (they were two thirds of a record), and decoding
 * builds one object with no per-value schema. Adding a field means giving it the next free slot
 * in the table (and bumping FORMAT_VERSION if old records need migrating).
 *
 * The two functions are generated from the table once, at load: a loop over the table per record
 * decoded at half the speed of a literal (bench: 0.4M vs 0.8M records/s), the generated code runs
 * as fast as the hand-written codec it replaces.
 */
import { Packr } from 'msgpackr';
import { type Packed, packedOf, RECORD_SLOTS, TASK_FIELD_NAMES, TASK_FIELDS } from '../model/task-fields.ts';
import type { TaskRecord } from '../model/task.ts';

const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true, copyBuffers: true } as ConstructorParameters<typeof Packr>[0]);

const tuple = (value: string, keys: readonly string[]) => `[${keys.map((key) => `${value}.${key}`).join(', ')}]`;
const object = (value: string, keys: readonly string[]) => `({ ${keys.map((key, i) => `${key}: ${value}[${i}]`).join(', ')} })`;

function packSource(value: string, packed: Packed | undefined): string {
  if (!packed) return value;
  return packed.as === 'tuple' ? `${value} && ${tuple(value, packed.keys)}` : `${value}.map((item) => ${tuple('item', packed.keys)})`;
}

function unpackSource(value: string, packed: Packed | undefined): string {
  if (!packed) return value;
  return packed.as === 'tuple' ? `${value} && ${object(value, packed.keys)}` : `${value}.map((item) => ${object('item', packed.keys)})`;
}

const encodeSource = `return packr.pack([${RECORD_SLOTS.map((key) => packSource(`task.${key}`, packedOf(key))).join(', ')}]);`;
// Keys in the table's order, so every decoded record has the same shape (one hidden class).
const decodeSource = `const f = packr.unpack(bytes); return { ${TASK_FIELD_NAMES.map((key) => `${key}: ${unpackSource(`f[${TASK_FIELDS[key].slot}]`, packedOf(key))}`).join(', ')} };`;

export const encodeRecord = new Function('packr', `return function encodeRecord(task) { ${encodeSource} }`)(packr) as (task: TaskRecord) => Buffer;
export const decodeRecord = new Function('packr', `return function decodeRecord(bytes) { ${decodeSource} }`)(packr) as (bytes: Buffer) => TaskRecord;

/** The `encoder` option lmdb-js takes for a database. */
export const recordEncoding = { encode: encodeRecord, decode: decodeRecord };
