/**
 * The JSON schemas of the REST API. Fastify validates requests with these very objects, and
 * openapi.ts builds /api/v1/openapi.json from them (each object named in NAMED becomes a component),
 * so the document cannot drift from what the server accepts. The task is the CLI's JSON task
 * (src/protocol/plain.ts toPlain): ISO-8601 times, binary values as {"$base64": "..."}.
 */
import { BULK_LIMIT_MAX } from '../../model/bulk.ts';
import { MAX_PAGE } from '../../model/bulk.ts';
import { QUEUE_SETTING_NAMES, QUEUE_SETTINGS, type QueueSetting } from '../../model/queue.ts';
import {
  AttemptSchema,
  CountSchema,
  type JsonSchema,
  QueueNameSchema,
  TASK_DATA_FIELDS,
  TASK_FIELDS,
  TaskIdSchema,
  TaskStateSchema,
  TimeOrNullSchema,
  TimeSchema,
  TypeNameSchema,
  UserDataSchema,
  WIRE_FIELD_NAMES,
} from '../../model/task-fields.ts';
import { DEFAULTS, MAX_RETRIES_LIMIT, MAX_TAGS, PRIORITY_NAMES, TASK_STATES } from '../../model/task.ts';

export type { JsonSchema };

const NAMES = '^[A-Za-z0-9._:-]{1,128}(,[A-Za-z0-9._:-]{1,128})*$';

export const QueueName = QueueNameSchema;
export const TypeName = TypeNameSchema;
export const TaskStateName = TaskStateSchema;
const TaskId = TaskIdSchema;
const Time = TimeSchema;
const TimeOrNull = TimeOrNullSchema;
const Count = CountSchema;
const UserData = UserDataSchema;

export const StateCounts = {
  type: 'object',
  description: 'tasks in each state',
  properties: Object.fromEntries(TASK_STATES.map((state) => [state, Count])),
  required: [...TASK_STATES],
};

export const Attempt = AttemptSchema;

/** A field of the task table as REST shows it: its schema, described by the table's line. */
const property = (field: { schema: JsonSchema; description: string }) => ({ ...field.schema, description: field.description });

export const Task = {
  type: 'object',
  description:
    'A task, with the same fields and states as `tq status --output json`. payload and result appear only when one task is read (GET /tasks/{id}), not in listings, submit answers or events.',
  required: [...WIRE_FIELD_NAMES],
  properties: Object.fromEntries([
    ...WIRE_FIELD_NAMES.map((name) => [name, property(TASK_FIELDS[name])]),
    ...Object.entries(TASK_DATA_FIELDS).map(([name, field]) => [name, property(field)]),
  ]),
};

export const TaskInput = {
  type: 'object',
  description: 'A task to submit; the broker assigns the id and fills in the defaults.',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: TypeName,
    queue: { ...QueueName, default: 'default' },
    payload: UserData,
    priority: {
      description: 'an integer 0-255 or a name: low 50, normal 100 (the default), high 150, urgent 200',
      anyOf: [
        { type: 'integer', minimum: 0, maximum: 255 },
        { type: 'string', enum: Object.keys(PRIORITY_NAMES) },
      ],
    },
    maxRetries: { type: 'integer', minimum: 0, maximum: MAX_RETRIES_LIMIT },
    timeoutMs: { type: 'integer', minimum: 1 },
    runAt: {
      description: 'when the task may run: ISO-8601 or epoch milliseconds (or give delayMs)',
      anyOf: [{ type: 'string', format: 'date-time' }, { type: 'integer', minimum: 0 }],
    },
    delayMs: { type: 'integer', minimum: 0, description: 'run no sooner than this many ms from now' },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 1_024, description: 'a second submit with a seen key returns the existing task' },
    tags: { type: 'array', maxItems: MAX_TAGS, items: { type: 'string' } },
  },
};

export const SubmitBody = {
  description: 'one task, or an array of tasks submitted in one transaction (at most 10,000 and 64 MiB of payloads: more is 413 TOO_LARGE)',
  oneOf: [TaskInput, { type: 'array', minItems: 1, items: TaskInput }],
};

export const SubmitOutcome = {
  type: 'object',
  required: ['task', 'created'],
  properties: { task: Task, created: { type: 'boolean', description: 'false when an idempotency key named an existing task' } },
};

export const SubmitManyResult = {
  type: 'object',
  required: ['tasks'],
  properties: { tasks: { type: 'array', items: SubmitOutcome } },
};

export const TaskPage = {
  type: 'object',
  required: ['tasks', 'nextCursor'],
  properties: {
    tasks: { type: 'array', items: Task },
    nextCursor: { type: ['string', 'null'], description: 'pass as cursor for the next page; null on the last page' },
  },
};

const Limit = { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 };
const Cursor = { type: 'string', pattern: '^\\d+$', description: 'nextCursor of the previous page' };

export const ListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { state: TaskStateName, queue: QueueName, type: TypeName, limit: Limit, cursor: Cursor },
};

export const DlqQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { queue: QueueName, limit: Limit, cursor: Cursor },
};

export const IdParams = { type: 'object', required: ['id'], properties: { id: TaskId } };
export const QueueParams = { type: 'object', required: ['name'], properties: { name: QueueName } };

const SETTING_TEXT: Record<QueueSetting, string> = {
  maxRetries: 'retries after the first attempt before a task goes dead',
  timeoutMs: 'time limit of one attempt, in ms',
  backoffBaseMs: 'delay before the first retry, in ms; it doubles each attempt',
  backoffCapMs: 'the longest delay before a retry, in ms',
};

/** A queue's settings and the integers each may be (the engine checks the same ranges). */
const settingSchemas = (nullable: boolean, text: (key: QueueSetting) => string) =>
  Object.fromEntries(
    QUEUE_SETTING_NAMES.map((key) => [key, { type: nullable ? ['integer', 'null'] : 'integer', minimum: QUEUE_SETTINGS[key].min, maximum: QUEUE_SETTINGS[key].max, description: text(key) }]),
  );

export const Queue = {
  type: 'object',
  description: 'A queue, and the settings its new tasks get when they do not give their own',
  required: ['name', 'paused', ...QUEUE_SETTING_NAMES, 'overrides'],
  properties: {
    name: QueueName,
    paused: { type: 'boolean' },
    ...settingSchemas(false, (key) => SETTING_TEXT[key]),
    overrides: { type: 'array', items: { type: 'string', enum: QUEUE_SETTING_NAMES }, description: 'the settings this queue sets itself; the others are the defaults' },
  },
};

export const QueueConfig = {
  type: 'object',
  additionalProperties: false,
  description: 'Settings to change: one given is set, one given as null goes back to the default, one left out stays as it is',
  properties: settingSchemas(true, (key) => `${SETTING_TEXT[key]}; null: the default (${DEFAULTS[key]})`),
};

export const QueueList = { type: 'object', required: ['queues'], properties: { queues: { type: 'array', items: Queue } } };

export const BulkOutcome = {
  type: 'object',
  required: ['count', 'more'],
  properties: { count: Count, more: { type: 'boolean', description: 'true when another call would find more to do' } },
};

export const ReplayBody = {
  type: 'object',
  additionalProperties: false,
  description: 'which dead tasks to replay: the given ids, or up to limit of a queue (or of every queue)',
  properties: {
    queue: QueueName,
    ids: { type: 'array', minItems: 1, maxItems: BULK_LIMIT_MAX, items: TaskId },
    limit: { type: 'integer', minimum: 1, maximum: BULK_LIMIT_MAX, default: BULK_LIMIT_MAX },
  },
};

export const Worker = {
  type: 'object',
  required: ['id', 'name', 'queues', 'concurrency', 'running', 'connected'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    host: { type: 'string' },
    pid: { type: 'integer' },
    queues: { type: 'array', items: QueueName },
    concurrency: Count,
    running: Count,
    connected: { type: 'boolean' },
    connectedAt: Time,
    lastHeartbeatAt: TimeOrNull,
    cpu: { type: ['number', 'null'], description: 'CPU use as a fraction of one core' },
    memoryBytes: { type: ['integer', 'null'] },
  },
};
export const WorkerList = { type: 'object', required: ['workers'], properties: { workers: { type: 'array', items: Worker } } };

export const QueueStats = {
  type: 'object',
  required: ['name', 'paused', 'states', 'priorities', 'oldestPendingAgeMs'],
  properties: {
    name: QueueName,
    paused: { type: 'boolean' },
    states: StateCounts,
    priorities: {
      type: 'object',
      description: 'tasks by priority, then state; only priorities that hold a task appear',
      additionalProperties: { type: 'object', additionalProperties: Count },
    },
    oldestPendingAgeMs: { type: ['integer', 'null'] },
  },
};

export const Stats = {
  type: 'object',
  required: ['totals', 'queues'],
  properties: { totals: StateCounts, queues: { type: 'array', items: QueueStats } },
};

export const Rates = {
  type: 'object',
  description: 'tasks per second over the last sample interval',
  properties: Object.fromEntries(['submitted', 'succeeded', 'failed', 'dead', 'cancelled'].map((name) => [name, { type: 'number', minimum: 0 }])),
};

export const Sample = {
  type: 'object',
  required: ['sampledAt', 'depth', 'rates', 'workers'],
  properties: {
    sampledAt: Time,
    depth: {
      type: 'object',
      description: 'per queue: pending, scheduled, running and failed tasks (at most 50 queues, the deepest; the rest summed under "(other)")',
      additionalProperties: { type: 'object', additionalProperties: Count },
    },
    rates: Rates,
    workers: {
      type: 'object',
      properties: { connected: Count, slots: Count, busy: Count },
    },
  },
};

export const StatsHistory = {
  type: 'object',
  required: ['intervalMs', 'samples'],
  properties: { intervalMs: Count, samples: { type: 'array', items: Sample, description: 'oldest first' } },
};

export const EventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    queue: { type: 'string', pattern: NAMES, description: 'only events of these queues (comma-separated)' },
    stats: { type: 'boolean', default: true, description: 'also send a stats event every few seconds' },
  },
};

export const Health = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok', 'ready'] } } };

export const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'a stable code: INVALID_ARGUMENT, NOT_FOUND, TOO_LARGE, INVALID_STATE, ...' },
        message: { type: 'string', description: 'what went wrong and how to fix it' },
        field: { type: 'string', description: 'the request field at fault, e.g. body.tasks[0].type' },
      },
    },
  },
};

/** Schemas that the OpenAPI document names as components (and refers to by $ref). */
export const NAMED: Record<string, JsonSchema> = {
  Task,
  Attempt,
  TaskInput,
  SubmitOutcome,
  TaskPage,
  Queue,
  QueueConfig,
  QueueStats,
  Stats,
  StateCounts,
  BulkOutcome,
  Worker,
  Sample,
  Error: ErrorBody,
};

const StateList = { type: 'array', items: TaskStateName };

/** GET /api/v1/model: the queue rules of src/model/task.ts, which the dashboard follows. */
export const Model = {
  type: 'object',
  required: ['states', 'finishedStates', 'cancellableStates', 'retryableStates', 'priorities', 'namePattern'],
  properties: {
    states: { ...StateList, description: 'every state, in order' },
    finishedStates: { ...StateList, description: 'states a task never leaves on its own' },
    cancellableStates: { ...StateList, description: 'states DELETE /tasks/{id} accepts' },
    retryableStates: { ...StateList, description: 'states POST /tasks/{id}/retry accepts' },
    priorities: {
      type: 'object',
      description: 'the priority names and their numbers',
      required: Object.keys(PRIORITY_NAMES),
      properties: Object.fromEntries(Object.keys(PRIORITY_NAMES).map((name) => [name, { type: 'integer', minimum: 0, maximum: 255 }])),
    },
    namePattern: { type: 'string', description: 'the regular expression queue and type names match' },
  },
};
