/**
 * What each request does: its arguments, already checked against their shape (protocol/requests.ts),
 * turned into an engine command or a read, and the answer shaped for the wire. The queue's rules
 * stay in the engine; this is translation.
 */
import type { Engine } from '../engine/engine.ts';
import { invalid } from '../model/errors.ts';
import type { SubmitOutcome } from '../engine/commands.ts';
import { BULK_LIMIT_MAX } from '../model/bulk.ts';
import { FINISHED_STATES, type TaskRecord } from '../model/task.ts';
import { RemoteError, toWireError } from '../protocol/errors.ts';
import type { Op, Ops, OutcomeReport, Submitted, TaskInput, WireError, WireTask } from '../protocol/messages.ts';
import { checkArgs, Refused } from '../protocol/requests.ts';
import { wireTask } from '../protocol/task-view.ts';
import type { BrokerConfig } from './config.ts';
import type { Dispatcher, WorkerSession } from './dispatch.ts';
import type { Draft, DraftOf, Pipeline, TaskDraft } from './pipeline.ts';
import type { Waiters } from './waiters.ts';

export interface RequestContext {
  engine: Engine;
  /** Every change goes through it; its clock is the command path's one clock. */
  pipeline: Pipeline;
  config: BrokerConfig;
  dispatcher: Dispatcher;
  waiters: Waiters;
  /** The worker session of the connection, for worker operations. */
  worker: WorkerSession | undefined;
}

type Handler<O extends Op> = (ctx: RequestContext, args: Ops[O]['args']) => Promise<Ops[O]['result']> | Ops[O]['result'];
type Handlers = { [O in Op]: Handler<O> };

const MAX_WAIT_MS = 10 * 60_000;

function limitOf(limit: number | undefined): number {
  return limit ?? BULK_LIMIT_MAX;
}

/** Settings the task leaves out come from its queue's settings in the engine, not from this broker's config. */
function toDraft(input: TaskInput): TaskDraft {
  return {
    type: input.type,
    queue: input.queue,
    payload: input.payload,
    priority: input.priority,
    maxRetries: input.maxRetries,
    timeoutMs: input.timeoutMs,
    runAt: input.runAt ?? null,
    delayMs: input.delayMs,
    idempotencyKey: input.idempotencyKey ?? null,
    tags: input.tags,
  };
}

/** Applies a command; when it may have made work ready, lets the dispatcher claim in the same batch. */
function apply<K extends Draft['kind']>(ctx: RequestContext, draft: DraftOf<K>, makesWork: boolean) {
  const done = ctx.pipeline.execute(draft);
  if (makesWork) ctx.dispatcher.workMayBeReady();
  return done;
}

/** The tasks of a submit or enqueue: at most as many as one transaction takes (this broker's setting). */
function tasksOf<T>(ctx: RequestContext, tasks: T[]): T[] {
  const max = ctx.engine.limits.maxBatchTasks;
  if (tasks.length > max) throw new RemoteError('TOO_LARGE', `a submit holds at most ${max} tasks (got ${tasks.length}): split it`);
  return tasks;
}

/** The first entry that failed its checks fails the whole request. */
function allValid<T>(entries: (T | Refused)[]): T[] {
  const refused = entries.find((entry) => entry instanceof Refused);
  if (refused) throw refused.error;
  return entries as T[];
}

/** All the tasks as one submit command: all written, or none. */
function submitAll(ctx: RequestContext, tasks: TaskInput[]): Promise<SubmitOutcome[]> {
  return apply(ctx, { kind: 'submit', tasks: tasks.map(toDraft) }, true);
}

function submitted({ task, created }: SubmitOutcome): Submitted {
  return { id: task.id, state: task.state, created };
}

/**
 * Every task stands alone: a task that fails answers its error in its place and takes no other
 * task down (the client gathers unrelated submits into one request). They go to the engine as one
 * submit command, which checks every task before it writes any; only if that fails do they go
 * again, each its own command (all still in one group commit), to find which.
 */
async function enqueueEach(ctx: RequestContext, tasks: (TaskInput | Refused)[]): Promise<Ops['enqueue']['result']> {
  const answers: Ops['enqueue']['result'] = new Array(tasks.length);
  const valid: TaskDraft[] = [];
  const positions: number[] = [];
  tasks.forEach((task, i) => {
    if (task instanceof Refused) answers[i] = { error: toWireError(task.error) };
    else {
      valid.push(toDraft(task));
      positions.push(i);
    }
  });
  if (valid.length === 0) return answers;
  const together = ctx.pipeline.submitBatch([{ kind: 'submit', tasks: valid }]);
  ctx.dispatcher.workMayBeReady();
  const [outcome] = await together;
  if (outcome!.ok) {
    (outcome.value as SubmitOutcome[]).forEach((done, k) => (answers[positions[k]!] = submitted(done)));
    return answers;
  }
  const alone = ctx.pipeline.submitBatch(valid.map((task): Draft => ({ kind: 'submit', tasks: [task] })));
  ctx.dispatcher.workMayBeReady();
  (await alone).forEach((each, k) => {
    answers[positions[k]!] = each.ok ? submitted((each.value as SubmitOutcome[])[0]!) : { error: toWireError(each.error) };
  });
  return answers;
}

/** The engine command for one entry of a `report`, or the error that entry answers. */
function outcomeCommand(report: OutcomeReport | Refused): Draft | WireError {
  if (report instanceof Refused) return toWireError(report.error);
  if (report.op === 'ack') return { kind: 'ack', id: report.id, token: report.token, result: report.result };
  if (report.op === 'nack') return { kind: 'nack', id: report.id, token: report.token, error: report.error, retry: report.retry };
  return { kind: 'release', id: report.id, token: report.token };
}

function workerOf(ctx: RequestContext): WorkerSession {
  if (!ctx.worker) throw new RemoteError('NOT_WORKER', 'only a connection that said hello as a worker may do this');
  return ctx.worker;
}

/** A task for the wire, its lease as the heartbeats keep it (leases.ts). */
function view(ctx: RequestContext, task: TaskRecord): WireTask {
  return wireTask(ctx.dispatcher.leases.current(task));
}

function stateOf(task: TaskRecord) {
  return { state: task.state };
}

export const HANDLERS: Handlers = {
  async submit(ctx, { tasks }) {
    const outcomes = await submitAll(ctx, allValid(tasksOf(ctx, tasks)));
    return outcomes.map(({ task, created }) => ({ task: view(ctx, task), created }));
  },
  async enqueue(ctx, { tasks: list, each }) {
    const tasks = tasksOf(ctx, list as (TaskInput | Refused)[]);
    if (each === true) return enqueueEach(ctx, tasks);
    return (await submitAll(ctx, allValid(tasks))).map(submitted);
  },
  get(ctx, { id }) {
    return view(ctx, ctx.engine.get(id));
  },
  async wait(ctx, { id, timeoutMs }) {
    const task = ctx.engine.get(id);
    if (FINISHED_STATES.includes(task.state)) return view(ctx, task);
    const limit = Math.min(timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : MAX_WAIT_MS, MAX_WAIT_MS);
    await ctx.waiters.until(id, limit);
    return view(ctx, ctx.engine.get(id));
  },
  list(ctx, args) {
    const page = ctx.engine.list(args);
    return { tasks: page.tasks.map((task) => view(ctx, task)), nextCursor: page.nextCursor };
  },
  stats: (ctx) => ctx.engine.stats(ctx.pipeline.now()),
  queues: (ctx) => ctx.engine.queues(),
  workers: (ctx) => ctx.dispatcher.list(),
  async cancel(ctx, { id }) {
    const task = await apply(ctx, { kind: 'cancel', id }, false);
    if (task.state === 'running' && task.lease) ctx.dispatcher.signalCancel(task.lease.workerId, [task.id]);
    return view(ctx, task);
  },
  async retry(ctx, { id }) {
    return view(ctx, await apply(ctx, { kind: 'retry', id }, true));
  },
  cancelWhere(ctx, { filter, limit }) {
    return apply(ctx, { kind: 'cancelWhere', filter: filter ?? {}, limit: limitOf(limit) }, false);
  },
  retryWhere(ctx, { filter, limit }) {
    return apply(ctx, { kind: 'retryWhere', filter: filter ?? {}, limit: limitOf(limit) }, true);
  },
  dlqReplay(ctx, { queue, ids, limit }) {
    return apply(ctx, { kind: 'dlqReplay', queue, ids, limit: limitOf(limit) }, true);
  },
  dlqPurge(ctx, { queue, limit }) {
    return apply(ctx, { kind: 'dlqPurge', queue, limit: limitOf(limit) }, false);
  },
  pauseQueue(ctx, { queue }) {
    return apply(ctx, { kind: 'pauseQueue', queue }, false);
  },
  resumeQueue(ctx, { queue }) {
    return apply(ctx, { kind: 'resumeQueue', queue }, true);
  },
  configureQueue(ctx, { queue, settings }) {
    return apply(ctx, { kind: 'configureQueue', queue, settings }, false);
  },
  drainQueue(ctx, { queue, limit }) {
    return apply(ctx, { kind: 'drainQueue', queue, limit: limitOf(limit) }, false);
  },
  async backup(ctx, raw) {
    const { dir } = raw;
    if (typeof dir !== 'string' || dir === '') throw invalid('backup needs a directory');
    if (dir.includes('\0')) throw invalid('backup dir must not contain a NUL character');
    await ctx.engine.backup(dir);
    return { dir };
  },
  async ack(ctx, { id, token, result }) {
    const worker = workerOf(ctx);
    try {
      return stateOf(await apply(ctx, { kind: 'ack', id, token, result }, false));
    } finally {
      ctx.dispatcher.finished(worker, id);
    }
  },
  async nack(ctx, { id, token, error, retry }) {
    const worker = workerOf(ctx);
    try {
      return stateOf(await apply(ctx, { kind: 'nack', id, token, error, retry }, false));
    } finally {
      ctx.dispatcher.finished(worker, id);
    }
  },
  async release(ctx, { id, token }) {
    const worker = workerOf(ctx);
    try {
      return stateOf(await apply(ctx, { kind: 'release', id, token }, true));
    } finally {
      ctx.dispatcher.finished(worker, id);
    }
  },
  async report(ctx, { reports }) {
    const worker = workerOf(ctx);
    const answers: Ops['report']['result'] = new Array(reports.length);
    const commands: Draft[] = [];
    const positions: number[] = [];
    let releases = false;
    (reports as (OutcomeReport | Refused)[]).forEach((report, i) => {
      const command = outcomeCommand(report);
      if (!('kind' in command)) answers[i] = { error: command };
      else {
        commands.push(command);
        positions.push(i);
        releases ||= command.kind === 'release';
      }
    });
    if (commands.length === 0) return answers;
    const done = ctx.pipeline.submitBatch(commands);
    if (releases) ctx.dispatcher.workMayBeReady();
    try {
      (await done).forEach((outcome, k) => {
        answers[positions[k]!] = outcome.ok ? stateOf(outcome.value as TaskRecord) : { error: toWireError(outcome.error) };
      });
    } finally {
      for (const command of commands) ctx.dispatcher.finished(worker, (command as { id: string }).id);
    }
    return answers;
  },
  async progress(ctx, { id, token, fraction, message }) {
    workerOf(ctx);
    await apply(ctx, { kind: 'progress', id, token, fraction, message }, false);
    return null;
  },
  heartbeat(ctx, { leases, cpu, memoryBytes }) {
    const worker = workerOf(ctx);
    // Answered from a read and remembered; the timers write a lease only when it would lapse (leases.ts).
    const outcome = ctx.engine.checkLeases(leases);
    const now = ctx.pipeline.now();
    const held = new Set(outcome.extended);
    ctx.dispatcher.leases.hear(leases.filter((lease) => held.has(lease.id)), now);
    worker.lastHeartbeatAt = now;
    worker.cpu = typeof cpu === 'number' ? cpu : null;
    worker.memoryBytes = typeof memoryBytes === 'number' ? memoryBytes : null;
    worker.running.clear();
    for (const id of outcome.extended) worker.running.add(id);
    return outcome;
  },
};

export async function handle(ctx: RequestContext, op: unknown, raw: unknown): Promise<unknown> {
  if (typeof op !== 'string') throw new RemoteError('UNKNOWN_OP', 'a request needs an op: a string naming the operation, e.g. "stats"');
  if (!Object.hasOwn(HANDLERS, op)) throw new RemoteError('UNKNOWN_OP', `unknown request ${JSON.stringify(op)}: this broker does not offer it`);
  const handler = HANDLERS[op as Op] as Handler<Op>;
  // Nothing reaches the engine or the pipeline before its arguments passed their shape.
  return handler(ctx, checkArgs(op as Op, raw) as never);
}

