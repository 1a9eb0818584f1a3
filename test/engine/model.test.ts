/**
 * Model-based property test of the engine. fast-check generates sequences of abstract operations;
 * each is resolved against a plain in-memory model (written here from DESIGN.md's contract, not from
 * the engine's code) into a real engine command. The engine applies it in LMDB, the model predicts
 * the outcome, and after every step the two must agree on every task (state, attempts, lease and
 * token, due times including the backoff jitter), on what each command returned (claim order,
 * STALE_TOKEN, INVALID_STATE, NOT_FOUND ...), and the engine's own reads must be consistent with a
 * full scan (each task in one state, one lease per running task, stats equal to the counts).
 *
 * Where the contract leaves a choice open (which tasks a bounded bulk command such as purge or
 * retryWhere takes first), the model checks what the contract does say (how many, `more`, only
 * eligible tasks) and learns the rest from the engine's result. Where the model has to pick a
 * reading of the contract, it takes this one:
 * - fencing tokens only grow (a "durable counter"), and are never reused;
 * - every command moves the clock to max(its time, the last), even one that then fails;
 * - cancel refuses finished tasks and retry takes dead, failed and cancelled ones (INVALID_STATE
 *   otherwise); a renewal extends a lease to min(heardAt, now) + the lease length granted at
 *   claim, never shortening it;
 * - promoteDue takes the earliest due first; expireLeases takes leases in expiry order, ties by
 *   task id, drawing each jitter from draws(seed) in that order;
 * - purge deletes a finished task once now − finishedAt ≥ the retention of its state;
 * - a queue exists once a task was written to it or it was paused or resumed; a queue's oldest
 *   pending age counts from when that task became ready.
 *
 * TQ_PROPERTY_RUNS=1000 runs more sequences; TQ_PROPERTY_SEED and TQ_PROPERTY_PATH replay a failure
 * (fast-check prints both when a property fails); TQ_PROPERTY_SHRINK_MS bounds the shrinking.
 */
import { plain } from '../../src/model/value.ts';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { draws } from '../../src/engine/backoff.ts';
import {
  Engine,
  TqError,
  type BulkOutcome,
  type Command,
  type ErrorCode,
  type HeartbeatOutcome,
  type LeaseRef,
  type NewTask,
  type Outcome,
  queueInfo,
  type QueueInfo,
  type SubmitOutcome,
  type Task,
  type TaskFilter,
  type TaskRecord,
  type TaskState,
} from '../../src/engine/index.ts';
import { makeTempDir, removeDir, scanAll, T0 } from './helpers.ts';

const RUNS = Number(process.env.TQ_PROPERTY_RUNS ?? 150);
const SEED = process.env.TQ_PROPERTY_SEED === undefined ? undefined : Number(process.env.TQ_PROPERTY_SEED);
const PATH = process.env.TQ_PROPERTY_PATH;
/**
 * Shrinking re-runs whole sequences against a real engine: after the first failure, shrink for at
 * most this long, then let the remaining candidates pass so that fast-check reports the smallest
 * failure found so far (with its seed and path, to replay it).
 */
const SHRINK_BUDGET_MS = Number(process.env.TQ_PROPERTY_SHRINK_MS ?? 60_000);
/** TQ_PROPERTY_STATS=1 prints how often each command kind ended in each outcome, to see what is exercised. */
const STATS = process.env.TQ_PROPERTY_STATS === '1' ? new Map<string, number>() : null;

// ---------------------------------------------------------------------------------------------
// The contract, restated for the model
// ---------------------------------------------------------------------------------------------

const STATES: readonly TaskState[] = ['waiting', 'scheduled', 'pending', 'running', 'succeeded', 'failed', 'dead', 'cancelled'];
const FINISHED: ReadonlySet<TaskState> = new Set(['succeeded', 'dead', 'cancelled']);
const PRIORITY_NAMES: Record<string, number> = { low: 50, normal: 100, high: 150, urgent: 200 };
const NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const RETENTION = { succeededMs: 24 * 3_600_000, cancelledMs: 24 * 3_600_000, deadMs: 7 * 24 * 3_600_000 };

const QUEUES = ['default', 'q.a', 'Q-b:1'];
const BAD_QUEUE = 'bad queue!';
const TYPES = ['email', 'resize.v2'];
const WORKERS = ['w1', 'w2'];

function parsePriority(value: unknown): number | null {
  if (value === undefined || value === null) return 100;
  if (typeof value === 'string') return Object.hasOwn(PRIORITY_NAMES, value) ? PRIORITY_NAMES[value]! : null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  return null;
}

interface MLease {
  workerId: string;
  token: number;
  expiresAt: number;
}

interface MTask {
  id: string;
  type: string;
  queue: string;
  priority: number;
  state: TaskState;
  attempts: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  runAt: number | null;
  key: string | null;
  payload: unknown;
  result: unknown;
  lease: MLease | null;
  leaseMs: number;
  cancelRequested: boolean;
  finishedAt: number | null;
  progress: { fraction: number; message: string | null } | null;
  lastError: string | null;
  /** When the task last changed state (for a pending task: when it became ready). */
  changedAt: number;
  /** Order of the last change of state: arrival into pending, and listing order (newest first). */
  rank: number;
  /** Every fencing token this task was given. */
  tokens: number[];
}

interface Ctx {
  engine: Engine;
  /** The command was applied on its own, so the engine's state right after it shows what it did. */
  alone: boolean;
}

function ok<T>(outcome: Outcome, what: string): T {
  if (!outcome.ok) assert.fail(`${what}: expected success, the engine failed with ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}

function fails(outcome: Outcome, codes: ErrorCode | ErrorCode[], what: string): void {
  const list = Array.isArray(codes) ? codes : [codes];
  if (outcome.ok) assert.fail(`${what}: expected ${list.join(' or ')}, the engine succeeded with ${brief(outcome.value)}`);
  assert.ok(outcome.error instanceof TqError, `${what}: the error is a TqError`);
  assert.ok(list.includes(outcome.error.code), `${what}: expected ${list.join(' or ')}, got ${outcome.error.code}: ${outcome.error.message}`);
}

/** A short form of a command's result for the failure trace: task ids and states, not whole records. */
function brief(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item: SubmitOutcome | Task) => ('task' in item ? item.task.id : item.id)).join(', ')}]`;
  }
  if (value !== null && typeof value === 'object' && 'id' in value && 'state' in value) {
    const record = value as TaskRecord;
    return `${record.id}:${record.state}`;
  }
  return JSON.stringify(value);
}

function tryGet(engine: Engine, id: string): Task | undefined {
  try {
    return engine.get(id);
  } catch (error) {
    if (error instanceof TqError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

function matches(task: MTask, filter: TaskFilter): boolean {
  return (filter.queue === undefined || task.queue === filter.queue) && (filter.state === undefined || task.state === filter.state) && (filter.type === undefined || task.type === filter.type);
}

const readyOrder = (a: MTask, b: MTask): number => b.priority - a.priority || a.rank - b.rank;

class Model {
  readonly tasks = new Map<string, MTask>();
  readonly idem = new Map<string, string>();
  /** Known queues and whether each is paused. */
  readonly queues = new Map<string, boolean>();
  readonly deleted: string[] = [];
  readonly tokensSeen = new Set<number>();
  maxToken = 0;
  lastTime = 0;
  private ranks = 0;

  all(): MTask[] {
    return [...this.tasks.values()];
  }

  private move(task: MTask, state: TaskState, now: number): void {
    task.state = state;
    task.rank = ++this.ranks;
    task.changedAt = now;
  }

  private finish(task: MTask, state: TaskState, now: number): void {
    task.lease = null;
    task.finishedAt = now;
    this.move(task, state, now);
  }

  private requeue(task: MTask, now: number): void {
    task.attempts = 0;
    task.runAt = null;
    task.lease = null;
    task.cancelRequested = false;
    task.finishedAt = null;
    this.move(task, 'pending', now);
  }

  private remove(task: MTask): void {
    this.tasks.delete(task.id);
    if (task.key !== null && this.idem.get(task.key) === task.id) this.idem.delete(task.key);
    this.deleted.push(task.id);
  }

  private noteQueue(queue: string): void {
    if (!this.queues.has(queue)) this.queues.set(queue, false);
  }

  /** A failed attempt: cancelled if asked, dead past maxRetries, else failed until a jittered backoff. */
  private failAttempt(task: MTask, error: string, draw: number, now: number): void {
    task.lastError = error;
    if (task.cancelRequested) return this.finish(task, 'cancelled', now);
    if (task.attempts > task.maxRetries) return this.finish(task, 'dead', now);
    const ceiling = Math.min(task.backoffCapMs, task.backoffBaseMs * 2 ** (task.attempts - 1));
    task.runAt = now + Math.floor(draw * ceiling);
    task.lease = null;
    this.move(task, 'failed', now);
  }

  private held(id: string, token: number): MTask | ErrorCode {
    const task = this.tasks.get(id);
    if (!task) return 'NOT_FOUND';
    if (task.state !== 'running' || task.lease!.token !== token) return 'STALE_TOKEN';
    return task;
  }

  /**
   * A bounded bulk command: the contract fixes how many tasks it takes and `more`, not which ones
   * come first, so those are read back from the engine (only possible when the command ran alone).
   * Returns the chosen tasks in the order the engine changed them.
   */
  private chosen(what: string, outcome: Outcome, candidates: MTask[], limit: number, ctx: Ctx, changed: (task: MTask, after: Task | undefined) => boolean): MTask[] {
    const value = ok<BulkOutcome>(outcome, what);
    const names = candidates.map((task) => task.id).join(', ');
    assert.equal(value.count, Math.min(limit, candidates.length), `${what}: count (eligible: ${names})`);
    assert.equal(value.more, candidates.length > limit, `${what}: more (eligible: ${names}, limit ${limit})`);
    assert.ok(ctx.alone, 'a bounded bulk command is only generated on its own');
    const picked = candidates.map((task) => ({ task, after: tryGet(ctx.engine, task.id) })).filter(({ task, after }) => changed(task, after));
    assert.equal(picked.length, value.count, `${what}: changed ${picked.map(({ task }) => task.id).join(', ')} but reported ${value.count}`);
    return picked.sort((a, b) => (a.after?.stateSeq ?? 0) - (b.after?.stateSeq ?? 0)).map(({ task }) => task);
  }

  apply(command: Command, outcome: Outcome, ctx: Ctx): void {
    const now = (this.lastTime = Math.max(this.lastTime, command.time));
    const what = `${command.kind}`;
    switch (command.kind) {
      case 'submit': {
        const valid = command.tasks.every((spec) => NAME.test(spec.type) && NAME.test(spec.queue ?? 'default') && parsePriority(spec.priority) !== null);
        if (!valid) return fails(outcome, 'INVALID_ARGUMENT', what);
        const value = ok<SubmitOutcome[]>(outcome, what);
        const expected: { id: string; created: boolean }[] = [];
        for (const spec of command.tasks) {
          const key = spec.idempotencyKey ?? null;
          const existing = key === null ? undefined : this.idem.get(key);
          if (existing !== undefined) {
            expected.push({ id: existing, created: false });
            continue;
          }
          const runAt = spec.runAt ?? null;
          const task: MTask = {
            id: spec.id,
            type: spec.type,
            queue: spec.queue ?? 'default',
            priority: parsePriority(spec.priority)!,
            state: 'pending',
            attempts: 0,
            maxRetries: spec.maxRetries ?? 3,
            backoffBaseMs: spec.backoffBaseMs ?? 1_000,
            backoffCapMs: spec.backoffCapMs ?? 3_600_000,
            runAt,
            key,
            payload: spec.payload ? plain.unpack(spec.payload) : null,
            result: null,
            lease: null,
            leaseMs: 0,
            cancelRequested: false,
            finishedAt: null,
            progress: null,
            lastError: null,
            changedAt: now,
            rank: 0,
            tokens: [],
          };
          this.move(task, runAt !== null && runAt > now ? 'scheduled' : 'pending', now);
          this.tasks.set(task.id, task);
          if (key !== null) this.idem.set(key, task.id);
          this.noteQueue(task.queue);
          expected.push({ id: task.id, created: true });
        }
        assert.deepEqual(value.map((item) => ({ id: item.task.id, created: item.created })), expected, 'submit: ids and created flags');
        for (const item of value) assert.equal(item.task.state, this.tasks.get(item.task.id)!.state, `submit: state of ${item.task.id}`);
        return;
      }

      case 'claim': {
        if (command.queues.some((queue) => !NAME.test(queue))) return fails(outcome, 'INVALID_ARGUMENT', what);
        const value = ok<Task[]>(outcome, what);
        const wanted = new Set(command.queues);
        const expected = this.all()
          .filter((task) => task.state === 'pending' && wanted.has(task.queue) && this.queues.get(task.queue) !== true)
          .sort(readyOrder)
          .slice(0, command.max);
        assert.deepEqual(value.map((task) => task.id), expected.map((task) => task.id), 'claim: which tasks, in order (priority desc, then arrival)');
        expected.forEach((task, i) => {
          const got = value[i]!;
          const token = got.lease?.token;
          assert.ok(typeof token === 'number' && Number.isSafeInteger(token), `claim: ${task.id} has a fencing token`);
          assert.ok(!this.tokensSeen.has(token), `claim: fencing token ${token} was given before`);
          assert.ok(token > this.maxToken, `claim: fencing token ${token} is not above the last one (${this.maxToken})`);
          this.tokensSeen.add(token);
          this.maxToken = token;
          task.attempts += 1;
          task.lease = { workerId: command.workerId, token, expiresAt: now + command.leaseMs };
          task.leaseMs = command.leaseMs;
          task.progress = null;
          task.tokens.push(token);
          this.move(task, 'running', now);
          assert.equal(got.state, 'running', `claim: ${task.id} state`);
          assert.equal(got.attempts, task.attempts, `claim: ${task.id} attempt (counted at claim)`);
          assert.deepEqual(got.lease, task.lease, `claim: ${task.id} lease`);
          assert.deepEqual(got.payload, task.payload, `claim: ${task.id} payload`);
        });
        return;
      }

      case 'renewLeases': {
        const value = ok<HeartbeatOutcome>(outcome, what);
        const expected: HeartbeatOutcome = { extended: [], rejected: [], cancelRequested: [] };
        for (const { id, token, heardAt } of command.leases) {
          const task = this.held(id, token);
          if (typeof task === 'string') {
            expected.rejected.push(id);
            continue;
          }
          const expiresAt = Math.min(heardAt ?? now, now) + task.leaseMs;
          if (expiresAt > task.lease!.expiresAt) task.lease = { ...task.lease!, expiresAt };
          expected.extended.push(id);
          if (task.cancelRequested) expected.cancelRequested.push(id);
        }
        assert.deepEqual(value, expected, 'renewLeases outcome');
        return;
      }

      case 'progress': {
        const task = this.held(command.id, command.token);
        const badFraction = !(command.fraction >= 0 && command.fraction <= 1);
        // When both the token and the fraction are wrong, the contract does not say which error wins.
        if (typeof task === 'string') return fails(outcome, badFraction ? [task, 'INVALID_ARGUMENT'] : task, what);
        if (badFraction) return fails(outcome, 'INVALID_ARGUMENT', what);
        const value = ok<TaskRecord>(outcome, what);
        task.progress = { fraction: command.fraction, message: command.message ?? null };
        assert.deepEqual(value.progress, task.progress, 'progress: the record returned');
        return;
      }

      case 'ack': {
        const task = this.held(command.id, command.token);
        if (typeof task === 'string') return fails(outcome, task, what);
        const value = ok<TaskRecord>(outcome, what);
        if (task.cancelRequested) {
          this.finish(task, 'cancelled', now);
        } else {
          task.result = command.result ? plain.unpack(command.result) : null;
          this.finish(task, 'succeeded', now);
        }
        assert.equal(value.state, task.state, 'ack: state returned');
        return;
      }

      case 'nack': {
        const task = this.held(command.id, command.token);
        if (typeof task === 'string') return fails(outcome, task, what);
        const value = ok<TaskRecord>(outcome, what);
        this.failAttempt(task, command.error, (command.seed >>> 0) / 2 ** 32, now);
        assert.equal(value.state, task.state, 'nack: state returned');
        return;
      }

      case 'release': {
        const task = this.held(command.id, command.token);
        if (typeof task === 'string') return fails(outcome, task, what);
        const value = ok<TaskRecord>(outcome, what);
        if (task.cancelRequested) {
          this.finish(task, 'cancelled', now);
        } else {
          task.attempts -= 1; // release does not count an attempt
          task.lease = null;
          this.move(task, 'pending', now);
        }
        assert.equal(value.state, task.state, 'release: state returned');
        return;
      }

      case 'cancel': {
        const task = this.tasks.get(command.id);
        if (!task) return fails(outcome, 'NOT_FOUND', what);
        if (FINISHED.has(task.state)) return fails(outcome, 'INVALID_STATE', what);
        const value = ok<TaskRecord>(outcome, what);
        if (task.state === 'running') task.cancelRequested = true;
        else this.finish(task, 'cancelled', now);
        assert.equal(value.state, task.state, 'cancel: state returned');
        return;
      }

      case 'retry': {
        const task = this.tasks.get(command.id);
        if (!task) return fails(outcome, 'NOT_FOUND', what);
        if (!['dead', 'failed', 'cancelled'].includes(task.state)) return fails(outcome, 'INVALID_STATE', what);
        const value = ok<TaskRecord>(outcome, what);
        this.requeue(task, now);
        assert.equal(value.state, 'pending', 'retry: state returned');
        assert.equal(value.attempts, 0, 'retry resets attempts');
        return;
      }

      case 'dlqReplay': {
        if (command.ids !== undefined) {
          const codes = new Set<ErrorCode>();
          for (const id of command.ids) {
            const task = this.tasks.get(id);
            if (!task) codes.add('NOT_FOUND');
            else if (task.state !== 'dead') codes.add('INVALID_STATE');
          }
          if (codes.size > 0) return fails(outcome, [...codes], what);
          const value = ok<BulkOutcome>(outcome, what);
          const unique = [...new Set(command.ids)];
          for (const id of unique) this.requeue(this.tasks.get(id)!, now);
          assert.ok(value.count === unique.length || value.count === command.ids.length, `dlqReplay: count ${value.count}`);
          assert.equal(value.more, false, 'dlqReplay by ids: more');
          return;
        }
        const candidates = this.all().filter((task) => task.state === 'dead' && (command.queue === undefined || task.queue === command.queue));
        for (const task of this.chosen(what, outcome, candidates, command.limit, ctx, (_, after) => after?.state === 'pending')) this.requeue(task, now);
        return;
      }

      case 'pauseQueue':
      case 'resumeQueue': {
        if (!NAME.test(command.queue)) return fails(outcome, 'INVALID_ARGUMENT', what);
        const paused = command.kind === 'pauseQueue';
        this.queues.set(command.queue, paused);
        // The model makes no configureQueue: every queue has the default settings.
        assert.deepEqual(ok<QueueInfo>(outcome, what), queueInfo(command.queue, paused, {}), `${what}: result`);
        return;
      }

      case 'promoteDue': {
        const due = this.all()
          .filter((task) => (task.state === 'scheduled' || task.state === 'failed') && task.runAt! <= now)
          .sort((a, b) => a.runAt! - b.runAt! || a.rank - b.rank);
        const todo = due.slice(0, command.limit);
        for (const task of todo) {
          task.runAt = null;
          this.move(task, 'pending', now);
        }
        assert.deepEqual(ok<BulkOutcome>(outcome, what), { count: todo.length, more: due.length > todo.length }, 'promoteDue: result');
        return;
      }

      case 'expireLeases': {
        const expired = this.all()
          .filter((task) => task.state === 'running' && task.lease!.expiresAt <= now)
          .sort((a, b) => a.lease!.expiresAt - b.lease!.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const todo = expired.slice(0, command.limit);
        const draw = draws(command.seed);
        for (const task of todo) this.failAttempt(task, 'lease expired', draw(), now);
        assert.deepEqual(ok<BulkOutcome>(outcome, what), { count: todo.length, more: expired.length > todo.length }, 'expireLeases: result');
        return;
      }

      case 'rearmLeases': {
        const running = this.all().filter((task) => task.state === 'running');
        for (const task of running) task.lease = { ...task.lease!, expiresAt: now + task.leaseMs };
        assert.deepEqual(ok<BulkOutcome>(outcome, what), { count: running.length, more: false }, 'rearmLeases: result');
        return;
      }

      case 'purge': {
        const keep = { ...RETENTION, ...command.retention };
        const keepMs = (state: TaskState) => (state === 'succeeded' ? keep.succeededMs : state === 'cancelled' ? keep.cancelledMs : keep.deadMs);
        const candidates = this.all().filter((task) => FINISHED.has(task.state) && now - task.finishedAt! >= keepMs(task.state));
        for (const task of this.chosen(what, outcome, candidates, command.limit, ctx, (_, after) => after === undefined)) this.remove(task);
        return;
      }

      case 'cancelWhere': {
        const candidates = this.all().filter(
          (task) => ['waiting', 'scheduled', 'pending', 'failed', 'running'].includes(task.state) && matches(task, command.filter) && !(task.state === 'running' && task.cancelRequested),
        );
        const picked = this.chosen(what, outcome, candidates, command.limit, ctx, (task, after) => (task.state === 'running' ? after?.cancelRequested === true : after?.state === 'cancelled'));
        for (const task of picked) {
          if (task.state === 'running') task.cancelRequested = true;
          else this.finish(task, 'cancelled', now);
        }
        return;
      }

      case 'retryWhere': {
        const candidates = this.all().filter((task) => ['dead', 'failed', 'cancelled'].includes(task.state) && matches(task, command.filter));
        for (const task of this.chosen(what, outcome, candidates, command.limit, ctx, (_, after) => after?.state === 'pending')) this.requeue(task, now);
        return;
      }

      case 'dlqPurge': {
        const candidates = this.all().filter((task) => task.state === 'dead' && (command.queue === undefined || task.queue === command.queue));
        for (const task of this.chosen(what, outcome, candidates, command.limit, ctx, (_, after) => after === undefined)) this.remove(task);
        return;
      }

      case 'drainQueue': {
        if (!NAME.test(command.queue)) return fails(outcome, 'INVALID_ARGUMENT', what);
        const candidates = this.all().filter((task) => task.state === 'pending' && task.queue === command.queue);
        for (const task of this.chosen(what, outcome, candidates, command.limit, ctx, (_, after) => after === undefined)) this.remove(task);
        return;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Engine and model agree; the engine's reads agree with a full scan
// ---------------------------------------------------------------------------------------------

function compare(model: Model, engine: Engine, pageSize: number): void {
  const now = model.lastTime;
  assert.equal(engine.lastTime, now, 'the engine time is the latest command time (never back)');

  for (const task of model.tasks.values()) {
    const got = tryGet(engine, task.id);
    if (!got) assert.fail(`task ${task.id} (${task.state} in the model) is missing from the engine`);
    const at = `task ${task.id}`;
    assert.equal(got.state, task.state, `${at}: state`);
    assert.equal(got.attempts, task.attempts, `${at}: attempts`);
    assert.equal(got.queue, task.queue, `${at}: queue`);
    assert.equal(got.priority, task.priority, `${at}: priority`);
    assert.equal(got.type, task.type, `${at}: type`);
    assert.deepEqual(got.payload, task.payload, `${at}: payload`);
    if (task.state === 'running') {
      assert.deepEqual(got.lease, task.lease, `${at}: lease`);
      assert.equal(got.cancelRequested, task.cancelRequested, `${at}: cancelRequested`);
      assert.deepEqual(got.progress, task.progress, `${at}: progress`);
    } else {
      assert.equal(got.lease, null, `${at}: a ${task.state} task holds no lease`);
    }
    if (task.state === 'scheduled' || task.state === 'failed') assert.equal(got.runAt, task.runAt, `${at}: runAt (due time / backoff)`);
    if (FINISHED.has(task.state)) assert.equal(got.finishedAt, task.finishedAt, `${at}: finishedAt`);
    if (task.state === 'failed' || task.state === 'dead') assert.equal(got.lastError, task.lastError, `${at}: lastError`);
    if (task.state === 'succeeded') assert.deepEqual(got.result, task.result, `${at}: result`);
  }
  for (const id of model.deleted) assert.equal(tryGet(engine, id), undefined, `deleted task ${id} is gone`);

  // A full scan through list() pages: every task once, newest change of state first.
  const { tasks: scanned } = scanAll(engine, { limit: pageSize });
  const expectedOrder = model.all().sort((a, b) => b.rank - a.rank).map((task) => task.id);
  assert.deepEqual(scanned.map((task) => task.id), expectedOrder, `list() pages of ${pageSize}: every task once, newest change of state first`);

  // Each task in exactly one state: the per-state listings partition the tasks.
  const listedIn = new Map<string, TaskState>();
  for (const state of STATES) {
    const page = engine.list({ state, limit: 1000 });
    assert.equal(page.nextCursor, null, 'fewer than 1000 tasks fit one page');
    for (const task of page.tasks) {
      assert.ok(!listedIn.has(task.id), `task ${task.id} is listed as ${listedIn.get(task.id)} and as ${state}`);
      assert.equal(task.state, state, `list({state: ${state}}) returned a ${task.state} task`);
      listedIn.set(task.id, state);
    }
  }
  assert.equal(listedIn.size, model.tasks.size, 'the per-state listings hold every task');

  // A running task holds exactly one live lease, and no two running tasks share a token.
  const tokens = new Set<number>();
  for (const task of scanned) {
    assert.equal(task.lease !== null, task.state === 'running', `task ${task.id}: a lease exactly when running`);
    if (task.lease) {
      assert.ok(!tokens.has(task.lease.token), `token ${task.lease.token} held twice`);
      tokens.add(task.lease.token);
    }
  }

  // stats() equals the counts of the full scan.
  const zero = () => Object.fromEntries(STATES.map((state) => [state, 0])) as Record<TaskState, number>;
  const totals = zero();
  const perQueue = new Map<string, { states: Record<TaskState, number>; priorities: Record<string, Partial<Record<TaskState, number>>> }>();
  for (const name of model.queues.keys()) perQueue.set(name, { states: zero(), priorities: {} });
  for (const task of scanned) {
    totals[task.state] += 1;
    const entry = perQueue.get(task.queue);
    assert.ok(entry, `task ${task.id} is in queue ${task.queue}, which the model does not know`);
    entry.states[task.state] += 1;
    const byState = (entry.priorities[String(task.priority)] ??= {});
    byState[task.state] = (byState[task.state] ?? 0) + 1;
  }
  const stats = engine.stats(now);
  assert.deepEqual(stats.totals, totals, 'stats().totals equal the counts of a full scan');
  assert.deepEqual(stats.queues.map((queue) => queue.name).sort(), [...model.queues.keys()].sort(), 'stats() lists every known queue');
  for (const queue of stats.queues) {
    const expected = perQueue.get(queue.name)!;
    assert.deepEqual(queue.states, expected.states, `stats: queue ${queue.name} by state`);
    assert.deepEqual(queue.priorities, expected.priorities, `stats: queue ${queue.name} by priority and state`);
    assert.equal(queue.paused, model.queues.get(queue.name), `stats: queue ${queue.name} paused`);
    const oldest = model.all().filter((task) => task.state === 'pending' && task.queue === queue.name).sort((a, b) => a.rank - b.rank)[0];
    assert.equal(queue.oldestPendingAgeMs, oldest ? Math.max(0, now - oldest.changedAt) : null, `stats: queue ${queue.name} oldestPendingAgeMs`);
  }
  assert.deepEqual(
    engine.queues().sort((a, b) => (a.name < b.name ? -1 : 1)),
    [...model.queues].map(([name, paused]) => queueInfo(name, paused, {})).sort((a, b) => (a.name < b.name ? -1 : 1)),
    'queues()',
  );
}

// ---------------------------------------------------------------------------------------------
// Generated operations, resolved against the model's state into engine commands
// ---------------------------------------------------------------------------------------------

type TokenMode = 'current' | 'stale' | 'unknown';
interface Target {
  pick: number;
  mode: TokenMode;
}
interface TaskSpec {
  /** Index into QUEUES, or -1 for the default, or QUEUES.length for an invalid name. */
  queue: number;
  type: number;
  priority: unknown;
  /** Relative to the command's time, or null. */
  runAt: number | null;
  key: number | null;
  maxRetries: number;
  base: number;
  cap: number;
  payload: number | undefined;
}
interface FilterSpec {
  queue: number | null;
  state: number | null;
  type: number | null;
}

type Op = { dt: number; back: number } & (
  | { k: 'submit'; tasks: TaskSpec[] }
  | { k: 'claim'; worker: number; queues: number[]; max: number; leaseMs: number }
  | { k: 'heartbeat'; worker: number; targets: Target[] }
  | { k: 'ack' | 'release'; target: Target }
  | { k: 'nack'; target: Target; seed: number }
  | { k: 'progress'; target: Target; fraction: number }
  | { k: 'cancel' | 'retry'; pick: number; unknown: boolean; running: boolean }
  | { k: 'dlqReplayIds'; picks: number[] }
  | { k: 'dlqReplay'; queue: number | null; limit: number }
  | { k: 'pauseQueue' | 'resumeQueue'; queue: number }
  | { k: 'promoteDue'; limit: number }
  | { k: 'expireLeases'; limit: number; seed: number }
  | { k: 'rearmLeases' }
  | { k: 'purge'; retention: { succeededMs?: number; cancelledMs?: number; deadMs?: number }; limit: number }
  | { k: 'cancelWhere' | 'retryWhere'; filter: FilterSpec; limit: number }
  | { k: 'dlqPurge'; queue: number | null; limit: number }
  | { k: 'drainQueue'; queue: number; limit: number }
  | { k: 'batch'; concurrent: boolean; ops: Op[] }
);

const queueName = (index: number): string => (index < QUEUES.length ? QUEUES[index]! : BAD_QUEUE);
const pickFrom = <T>(list: readonly T[], pick: number): T | undefined => (list.length === 0 ? undefined : list[pick % list.length]);

function resolveTarget(model: Model, target: Target): LeaseRef {
  const all = model.all();
  if (target.mode === 'current') {
    const task = pickFrom(all.filter((task) => task.state === 'running'), target.pick);
    if (task) return { id: task.id, token: task.lease!.token };
  }
  if (target.mode !== 'unknown') {
    // Tokens that were once good: earlier attempts, finished or released tasks, another task's token.
    const stale: LeaseRef[] = [];
    const running = all.filter((task) => task.state === 'running');
    for (const task of all) {
      for (const token of task.tokens) if (!(task.state === 'running' && task.lease!.token === token)) stale.push({ id: task.id, token });
      for (const other of running) if (other !== task) stale.push({ id: task.id, token: other.lease!.token });
    }
    const ref = pickFrom(stale, target.pick);
    if (ref) return ref;
  }
  // A token never given out: for a task that exists (unless unknown was asked for), else for a missing id.
  const never = model.maxToken + 1 + (target.pick % 3);
  const task = target.mode === 'unknown' ? undefined : pickFrom(all, target.pick);
  if (task) return { id: task.id, token: never };
  return { id: pickFrom(model.deleted, target.pick) ?? `missing-${target.pick % 3}`, token: never };
}

function resolveFilter(spec: FilterSpec): TaskFilter {
  const filter: TaskFilter = {};
  if (spec.queue !== null) filter.queue = queueName(spec.queue);
  if (spec.state !== null) filter.state = STATES[spec.state]!;
  if (spec.type !== null) filter.type = TYPES[spec.type]!;
  return filter;
}

class Runner {
  readonly model = new Model();
  private clock = T0;
  private ids = 0;

  /** The command's time: the clock moves forward, or the command claims a time before the last one. */
  private timeOf(op: Op): number {
    if (op.back > 0) return this.clock - op.back;
    this.clock += op.dt;
    return this.clock;
  }

  resolve(op: Op): Command {
    const model = this.model;
    const time = this.timeOf(op);
    switch (op.k) {
      case 'submit':
        return {
          kind: 'submit',
          time,
          tasks: op.tasks.map((spec): NewTask => {
            const task: NewTask = {
              id: `t${String(++this.ids).padStart(4, '0')}`,
              type: TYPES[spec.type]!,
              priority: spec.priority as NewTask['priority'],
              maxRetries: spec.maxRetries,
              backoffBaseMs: spec.base,
              backoffCapMs: spec.cap,
            };
            if (spec.queue >= 0) task.queue = queueName(spec.queue);
            if (spec.runAt !== null) task.runAt = time + spec.runAt;
            if (spec.key !== null) task.idempotencyKey = `key-${spec.key}`;
            if (spec.payload !== undefined) task.payload = plain.pack({ n: spec.payload });
            return task;
          }),
        };
      case 'claim':
        return { kind: 'claim', time, workerId: WORKERS[op.worker]!, queues: op.queues.map(queueName), max: op.max, leaseMs: op.leaseMs };
      case 'heartbeat':
        // A renewal to when the lease was heard: now, or (for the other workers) a little earlier.
        return { kind: 'renewLeases', time, leases: op.targets.map((target) => ({ ...resolveTarget(model, target), heardAt: op.worker === 0 ? undefined : time - 700 * op.worker })) };
      case 'ack':
        return { kind: 'ack', time, ...resolveTarget(model, op.target), result: plain.pack({ ok: op.target.pick }) };
      case 'release':
        return { kind: 'release', time, ...resolveTarget(model, op.target) };
      case 'nack':
        return { kind: 'nack', time, ...resolveTarget(model, op.target), error: `boom ${op.target.pick}`, seed: op.seed };
      case 'progress':
        return { kind: 'progress', time, ...resolveTarget(model, op.target), fraction: op.fraction, message: `step ${op.target.pick}` };
      case 'cancel':
      case 'retry': {
        const running = op.running ? pickFrom(model.all().filter((task) => task.state === 'running'), op.pick) : undefined;
        const id = op.unknown ? (pickFrom(model.deleted, op.pick) ?? 'missing-task') : (running ?? pickFrom(model.all(), op.pick))?.id ?? 'missing-task';
        return { kind: op.k, time, id };
      }
      case 'dlqReplayIds': {
        const dead = model.all().filter((task) => task.state === 'dead');
        const pool = dead.length > 0 ? dead : model.all();
        const ids = op.picks.map((pick) => pickFrom(pool, pick)?.id ?? 'missing-task');
        return { kind: 'dlqReplay', time, ids, limit: 10 };
      }
      case 'dlqReplay':
        return op.queue === null ? { kind: 'dlqReplay', time, limit: op.limit } : { kind: 'dlqReplay', time, queue: queueName(op.queue), limit: op.limit };
      case 'pauseQueue':
      case 'resumeQueue':
        return { kind: op.k, time, queue: queueName(op.queue) };
      case 'promoteDue':
        return { kind: 'promoteDue', time, limit: op.limit };
      case 'expireLeases':
        return { kind: 'expireLeases', time, limit: op.limit, seed: op.seed };
      case 'rearmLeases':
        return { kind: 'rearmLeases', time };
      case 'purge':
        return { kind: 'purge', time, retention: op.retention, limit: op.limit };
      case 'cancelWhere':
        return { kind: 'cancelWhere', time, filter: resolveFilter(op.filter), limit: op.limit };
      case 'retryWhere':
        return { kind: 'retryWhere', time, filter: resolveFilter(op.filter), limit: op.limit };
      case 'dlqPurge':
        return op.queue === null ? { kind: 'dlqPurge', time, limit: op.limit } : { kind: 'dlqPurge', time, queue: queueName(op.queue), limit: op.limit };
      case 'drainQueue':
        return { kind: 'drainQueue', time, queue: queueName(op.queue), limit: op.limit };
      case 'batch':
        throw new Error('a batch is resolved item by item');
    }
  }
}

const timeArb = fc.record({
  dt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 5, arbitrary: fc.integer({ min: 1, max: 120 }) }, { weight: 2, arbitrary: fc.integer({ min: 121, max: 3_000 }) }),
  back: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }) }),
});

const queueIndex = fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 0, max: QUEUES.length - 1 }) }, { weight: 1, arbitrary: fc.constant(QUEUES.length) });
const validQueueIndex = fc.integer({ min: 0, max: QUEUES.length - 1 });
const targetArb: fc.Arbitrary<Target> = fc.record({
  pick: fc.nat(10_000),
  mode: fc.oneof({ weight: 6, arbitrary: fc.constant<TokenMode>('current') }, { weight: 2, arbitrary: fc.constant<TokenMode>('stale') }, { weight: 1, arbitrary: fc.constant<TokenMode>('unknown') }),
});
const priorityArb = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom<unknown>(undefined, 0, 50, 100, 100, 150, 150, 200, 255, 'low', 'normal', 'high', 'urgent') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(256, -1, 1.5, 'extreme') },
);
const taskSpecArb: fc.Arbitrary<TaskSpec> = fc.record({
  queue: fc.oneof({ weight: 40, arbitrary: fc.integer({ min: 0, max: QUEUES.length - 1 }) }, { weight: 10, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.constant(QUEUES.length) }),
  type: fc.integer({ min: 0, max: TYPES.length - 1 }),
  priority: priorityArb,
  runAt: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: -3_000, max: 0 }) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 3_000 }) }),
  key: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 5 }) }),
  maxRetries: fc.integer({ min: 0, max: 2 }),
  base: fc.integer({ min: 0, max: 300 }),
  cap: fc.integer({ min: 0, max: 2_000 }),
  payload: fc.option(fc.integer({ min: -1_000, max: 1_000 }), { nil: undefined }),
});
const filterArb: fc.Arbitrary<FilterSpec> = fc.record({
  queue: fc.option(validQueueIndex, { nil: null }),
  // Running tasks are the ones a filter most often misses by chance (few, short-lived): name them more.
  state: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: STATES.length - 1 }) }, { weight: 1, arbitrary: fc.constant(STATES.indexOf('running')) }),
  type: fc.option(fc.integer({ min: 0, max: TYPES.length - 1 }), { nil: null }),
});
const limitArb = fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(1_000));
const seedArb = fc.integer({ min: 0, max: 0xffff_ffff });
const retentionArb = fc.record(
  { succeededMs: fc.integer({ min: 0, max: 4_000 }), cancelledMs: fc.integer({ min: 0, max: 4_000 }), deadMs: fc.integer({ min: 0, max: 4_000 }) },
  { requiredKeys: [] },
);

type Body = fc.Arbitrary<Record<string, unknown>>;
const timed = (body: Body): fc.Arbitrary<Op> => fc.tuple(body, timeArb).map(([fields, time]) => ({ ...fields, ...time }) as Op);

/** Operations that can share a transaction: their targets are resolved before the batch runs. */
const batchable: [number, Body][] = [
  [6, fc.record({ k: fc.constant('submit'), tasks: fc.array(taskSpecArb, { minLength: 1, maxLength: 4 }) })],
  [6, fc.record({ k: fc.constant('claim'), worker: fc.nat(WORKERS.length - 1), queues: fc.array(queueIndex, { minLength: 1, maxLength: 4 }), max: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 6 }) }), leaseMs: fc.constantFrom(30, 100, 400, 1_500, 30_000) })],
  [3, fc.record({ k: fc.constant('heartbeat'), worker: fc.nat(WORKERS.length - 1), targets: fc.array(targetArb, { minLength: 1, maxLength: 3 }) })],
  [4, fc.record({ k: fc.constant('ack'), target: targetArb })],
  [4, fc.record({ k: fc.constant('nack'), target: targetArb, seed: seedArb })],
  [2, fc.record({ k: fc.constant('release'), target: targetArb })],
  [2, fc.record({ k: fc.constant('progress'), target: targetArb, fraction: fc.constantFrom(0, 0.25, 0.5, 1, 1.5, -0.1) })],
  [4, fc.record({ k: fc.constantFrom('cancel', 'retry'), pick: fc.nat(10_000), unknown: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), running: fc.boolean() })],
  [1, fc.record({ k: fc.constant('dlqReplayIds'), picks: fc.array(fc.nat(10_000), { minLength: 1, maxLength: 3 }) })],
  [1, fc.record({ k: fc.constantFrom('pauseQueue', 'resumeQueue'), queue: queueIndex })],
  [4, fc.record({ k: fc.constant('promoteDue'), limit: limitArb })],
  [3, fc.record({ k: fc.constant('expireLeases'), limit: limitArb, seed: seedArb })],
  [1, fc.record({ k: fc.constant('rearmLeases') })],
];

/** Bounded bulk commands whose choice of tasks is learned from the engine: generated on their own. */
const alone: [number, Body][] = [
  [1, fc.record({ k: fc.constant('dlqReplay'), queue: fc.option(validQueueIndex, { nil: null }), limit: limitArb })],
  [1, fc.record({ k: fc.constant('purge'), retention: retentionArb, limit: limitArb })],
  [2, fc.record({ k: fc.constantFrom('cancelWhere', 'retryWhere'), filter: filterArb, limit: limitArb })],
  [1, fc.record({ k: fc.constant('dlqPurge'), queue: fc.option(validQueueIndex, { nil: null }), limit: limitArb })],
  [1, fc.record({ k: fc.constant('drainQueue'), queue: queueIndex, limit: limitArb })],
];

const weighted = (list: [number, Body][]) => list.map(([weight, body]) => ({ weight, arbitrary: timed(body) }));
const batchableOp = fc.oneof(...weighted(batchable));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  ...weighted(batchable),
  ...weighted(alone),
  { weight: 3, arbitrary: timed(fc.record({ k: fc.constant('batch'), concurrent: fc.boolean(), ops: fc.array(batchableOp, { minLength: 2, maxLength: 4 }) })) },
);

function describe(command: Command): string {
  return JSON.stringify(command);
}

function describeOutcome(outcome: Outcome): string {
  return outcome.ok ? `ok ${brief(outcome.value)}` : `${outcome.error.code}`;
}

function tally(command: Command, outcome: Outcome): void {
  let result = outcome.ok ? 'ok' : outcome.error.code;
  if (outcome.ok && command.kind === 'claim') result = `ok ${Math.min((outcome.value as Task[]).length, 3)}${(outcome.value as Task[]).length >= 3 ? '+' : ''} tasks`;
  if (outcome.ok && command.kind === 'renewLeases') result = (outcome.value as HeartbeatOutcome).rejected.length > 0 ? 'ok with rejected' : 'ok all extended';
  if (outcome.ok && 'count' in (outcome.value as object)) result = `ok count ${Math.min((outcome.value as BulkOutcome).count, 2)}${(outcome.value as BulkOutcome).count >= 2 ? '+' : ''}${(outcome.value as BulkOutcome).more ? ' more' : ''}`;
  if (outcome.ok && command.kind === 'submit') result = (outcome.value as SubmitOutcome[]).some((item) => !item.created) ? 'ok with idempotent repeat' : 'ok all created';
  if (outcome.ok && (command.kind === 'nack' || command.kind === 'ack' || command.kind === 'release')) result = `ok -> ${(outcome.value as TaskRecord).state}`;
  const key = `${command.kind}: ${result}`;
  STATS!.set(key, (STATS!.get(key) ?? 0) + 1);
}

async function runSequence(engine: Engine, ops: Op[], pageSize: number): Promise<void> {
  const runner = new Runner();
  const model = runner.model;
  const trace: string[] = [];
  const step = async (label: string, commands: Command[], concurrent: boolean): Promise<void> => {
    const outcomes = concurrent ? (await Promise.all(commands.map((command) => engine.applyBatch([command])))).map(([outcome]) => outcome!) : await engine.applyBatch(commands);
    assert.equal(outcomes.length, commands.length);
    commands.forEach((command, i) => trace.push(`${label}${commands.length > 1 ? `.${i}` : ''} ${describe(command)} -> ${describeOutcome(outcomes[i]!)}`));
    commands.forEach((command, i) => model.apply(command, outcomes[i]!, { engine, alone: commands.length === 1 }));
    if (STATS) for (const [i, command] of commands.entries()) tally(command, outcomes[i]!);
    compare(model, engine, pageSize);
  };
  try {
    for (const [i, op] of ops.entries()) {
      if (op.k === 'batch') {
        // Resolved against the state before the batch: later items may target what earlier ones changed.
        await step(`#${i} ${op.concurrent ? 'concurrent' : 'batch'}`, op.ops.map((item) => runner.resolve(item)), op.concurrent);
      } else {
        await step(`#${i}`, [runner.resolve(op)], false);
      }
    }
    // The end: every queue resumed and all that is ready claimed at once, in the model's order.
    for (const [name, paused] of [...model.queues]) if (paused) await step('end', [{ kind: 'resumeQueue', time: model.lastTime, queue: name }], false);
    await step('end', [{ kind: 'claim', time: model.lastTime, workerId: 'final', queues: QUEUES, max: 10_000, leaseMs: 1_000 }], false);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n  after these commands (newest last):\n    ${trace.slice(-15).join('\n    ')}`, { cause: error });
  }
}

test('engine and an in-memory model agree on random command sequences', async () => {
  const base = makeTempDir('tq-model-');
  let run = 0;
  let firstFailure: number | null = null;
  try {
    const property = fc.asyncProperty(fc.integer({ min: 3, max: 40 }), fc.array(opArb, { minLength: 50, maxLength: 80 }), async (pageSize, ops) => {
      if (firstFailure !== null && performance.now() - firstFailure > SHRINK_BUDGET_MS) return;
      const dir = join(base, `run-${run++}`);
      const engine = Engine.open({ dir });
      try {
        await runSequence(engine, ops, pageSize);
      } catch (error) {
        firstFailure ??= performance.now();
        throw error;
      } finally {
        await engine.close();
        removeDir(dir);
      }
    });
    await fc.assert(property, { numRuns: RUNS, seed: SEED, path: PATH });
    if (STATS) console.log([...STATS].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, count]) => `${key}: ${count}`).join('\n'));
  } finally {
    removeDir(base);
  }
});
