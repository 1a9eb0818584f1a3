/**
 * The task's fields, once: where each sits in the stored record, whether clients see it, its JSON
 * schema and what it means. The record codec (engine/record.ts), the wire view (protocol/task-view.ts,
 * whose JSON/YAML form is protocol/plain.ts toPlain of it), the WireTask type and the REST/OpenAPI
 * task schema (broker/http/schemas.ts) are all built from this table, so a field added here reaches
 * every one of them, and TaskRecord cannot gain a field this table lacks (the `satisfies` below).
 */
import { type Attempt, type Lease, NAME_PATTERN, type Progress, TASK_STATES, type TaskRecord } from './task.ts';

export type JsonSchema = Record<string, unknown>;

/** A nested value stored as an array of its fields in this order, rather than as a map. */
export type Packed = { as: 'tuple'; keys: readonly string[] } | { as: 'tuples'; keys: readonly string[] };

interface FieldBase {
  /** Index in the stored msgpack array. Never reuse or move one: data directories on disk hold it. */
  slot: number;
  description: string;
  /** How a nested object (or a list of them) is packed in the record. */
  packed?: Packed;
}

/** On the wire and in every view: its JSON schema is what REST and `--output json` show. */
interface WireField extends FieldBase {
  wire: true;
  schema: JsonSchema;
}

/** The engine's own bookkeeping: stored, never shown. */
interface EngineField extends FieldBase {
  wire: false;
}

export type TaskField = WireField | EngineField;

// JSON schemas as REST and the CLI's JSON/YAML output show values: times are ISO-8601 strings there.
export const TaskIdSchema = { type: 'string', minLength: 1, maxLength: 128, description: 'a task id (UUIDv7)' };
export const QueueNameSchema = { type: 'string', pattern: NAME_PATTERN.source, description: 'a queue name: 1-128 characters from A-Z a-z 0-9 . _ : -' };
export const TypeNameSchema = { type: 'string', pattern: NAME_PATTERN.source, description: 'a task type: 1-128 characters from A-Z a-z 0-9 . _ : -' };
export const TaskStateSchema = { type: 'string', enum: [...TASK_STATES], description: 'waiting is reserved for dependencies' };
export const TimeSchema = { type: 'string', format: 'date-time' };
export const TimeOrNullSchema = { type: ['string', 'null'], format: 'date-time' };
export const CountSchema = { type: 'integer', minimum: 0 };
export const UserDataSchema = { description: 'any JSON value; binary is {"$base64": "..."}' };
const TextOrNull = { type: ['string', 'null'] };

const LEASE_KEYS = ['workerId', 'token', 'expiresAt'] as const satisfies readonly (keyof Lease)[];
const PROGRESS_KEYS = ['fraction', 'message'] as const satisfies readonly (keyof Progress)[];
const ATTEMPT_KEYS = ['attempt', 'workerId', 'startedAt', 'endedAt', 'error'] as const satisfies readonly (keyof Attempt)[];

export const AttemptSchema = {
  type: 'object',
  required: [...ATTEMPT_KEYS],
  properties: {
    attempt: { type: 'integer', minimum: 1 },
    workerId: { type: 'string' },
    startedAt: TimeSchema,
    endedAt: TimeOrNullSchema,
    error: TextOrNull,
  },
};

/** Every field of TaskRecord; the order here is the order views list them in. */
export const TASK_FIELDS = {
  id: { slot: 0, wire: true, schema: TaskIdSchema, description: 'the task id, a UUIDv7 the broker assigns' },
  type: { slot: 1, wire: true, schema: TypeNameSchema, description: 'what kind of task: picks the handler that runs it' },
  queue: { slot: 2, wire: true, schema: QueueNameSchema, description: 'the queue it waits in' },
  priority: {
    slot: 3,
    wire: true,
    schema: { type: 'integer', minimum: 0, maximum: 255 },
    description: 'higher runs first; low 50, normal 100, high 150, urgent 200',
  },
  state: { slot: 4, wire: true, schema: TaskStateSchema, description: 'where the task is in its life: pending, running, succeeded, ...' },
  attempts: { slot: 5, wire: true, schema: CountSchema, description: 'how many times it was started' },
  maxRetries: { slot: 6, wire: true, schema: CountSchema, description: 'how many failed attempts are retried before it is dead' },
  timeoutMs: { slot: 7, wire: true, schema: CountSchema, description: 'an attempt running longer than this many ms fails' },
  backoffBaseMs: { slot: 8, wire: true, schema: CountSchema, description: 'the wait before the first retry, doubled for each one after' },
  backoffCapMs: { slot: 9, wire: true, schema: CountSchema, description: 'the longest wait between retries' },
  runAt: { slot: 10, wire: true, schema: TimeOrNullSchema, description: 'when a scheduled task may run; null when it may run now' },
  idempotencyKey: { slot: 11, wire: true, schema: TextOrNull, description: 'the key that makes a second submit return this task' },
  createdAt: { slot: 12, wire: true, schema: TimeSchema, description: 'when it was submitted' },
  updatedAt: { slot: 13, wire: true, schema: TimeSchema, description: 'when it last changed' },
  startedAt: { slot: 19, wire: true, schema: TimeOrNullSchema, description: 'when its last attempt started' },
  finishedAt: { slot: 20, wire: true, schema: TimeOrNullSchema, description: 'when it reached succeeded, dead or cancelled' },
  lastError: { slot: 14, wire: true, schema: TextOrNull, description: 'the error of the last failed attempt' },
  hasResult: { slot: 15, wire: false, description: 'a result is stored apart, under the task id' },
  lease: {
    slot: 16,
    wire: true,
    packed: { as: 'tuple', keys: LEASE_KEYS },
    schema: {
      type: ['object', 'null'],
      properties: { workerId: { type: 'string' }, token: CountSchema, expiresAt: TimeSchema },
    },
    description: 'the lease of a running task: which worker holds it, its fencing token, when it runs out',
  },
  leaseMs: { slot: 17, wire: false, description: 'the lease granted at the last claim; heartbeats extend by this much' },
  cancelRequested: { slot: 18, wire: true, schema: { type: 'boolean' }, description: 'cancel was asked while it ran: its worker is told to stop' },
  progress: {
    slot: 21,
    wire: true,
    packed: { as: 'tuple', keys: PROGRESS_KEYS },
    schema: {
      type: ['object', 'null'],
      properties: { fraction: { type: 'number', minimum: 0, maximum: 1 }, message: TextOrNull },
    },
    description: 'what the running attempt last reported of its progress',
  },
  history: {
    slot: 22,
    wire: true,
    packed: { as: 'tuples', keys: ATTEMPT_KEYS },
    schema: { type: 'array', items: AttemptSchema },
    description: 'the last attempts, oldest first',
  },
  tags: { slot: 23, wire: true, schema: { type: 'array', items: { type: 'string' } }, description: 'labels given at submit' },
  seq: { slot: 24, wire: false, description: 'the engine sequence at creation' },
  stateSeq: { slot: 25, wire: false, description: 'the engine sequence at the last change of state: orders the ready queue and listings' },
  payloadBytes: { slot: 26, wire: false, description: 'the size of the stored payload' },
  inlinePayload: { slot: 27, wire: false, description: 'a small payload kept in the record itself, saving a read' },
} as const satisfies { [K in keyof TaskRecord]: TaskField };

type Fields = typeof TASK_FIELDS;
export type TaskFieldName = keyof Fields;
export type WireFieldName = { [K in TaskFieldName]: Fields[K]['wire'] extends true ? K : never }[TaskFieldName];

/** Payload and result: on the wire beside the record's fields, stored apart from the record. */
export const TASK_DATA_FIELDS = {
  payload: { schema: UserDataSchema, description: 'what the submitter gave the task: any JSON value; binary is {"$base64": "..."}' },
  result: { schema: UserDataSchema, description: 'what the handler returned: any JSON value; binary is {"$base64": "..."}' },
} as const;
export type TaskDataFieldName = keyof typeof TASK_DATA_FIELDS;

/** The fields in the table's order, the order every view lists them in. */
export const TASK_FIELD_NAMES = Object.keys(TASK_FIELDS) as TaskFieldName[];
export const WIRE_FIELD_NAMES = TASK_FIELD_NAMES.filter((name) => TASK_FIELDS[name].wire) as WireFieldName[];

/** The field at each slot of the stored record. */
export const RECORD_SLOTS: readonly TaskFieldName[] = TASK_FIELD_NAMES.toSorted((a, b) => TASK_FIELDS[a].slot - TASK_FIELDS[b].slot);

/** A field's packed form, if it has one (the `as const` table types it only where present). */
export function packedOf(name: TaskFieldName): Packed | undefined {
  const field: TaskField = TASK_FIELDS[name];
  return field.packed;
}

// The codecs are generated from these names, and the record's layout from these slots: check both once.
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
for (const name of TASK_FIELD_NAMES) {
  for (const key of [name, ...(packedOf(name)?.keys ?? [])]) {
    if (!IDENTIFIER.test(key)) throw new Error(`task field ${JSON.stringify(key)} is not an identifier`);
  }
}
RECORD_SLOTS.forEach((name, i) => {
  if (TASK_FIELDS[name].slot !== i) throw new Error(`task field slots must be 0-${RECORD_SLOTS.length - 1}, each once (${name} has ${TASK_FIELDS[name].slot})`);
});
