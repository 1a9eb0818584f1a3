/**
 * The broker's one command pipeline. Every request, timer and dispatcher claim becomes a command
 * here: the pipeline stamps what varies (the time, new task ids, random seeds, runAt from a
 * delay), encodes payloads and results once (refusing those over this broker's limits before the
 * command exists), and gathers the commands that arrive while a transaction is being written into
 * the next batch (group commit), which the engine applies in one transaction. A command's promise
 * resolves only once its batch is durable, and listeners hear of a batch only then.
 */
import { randomInt } from 'node:crypto';
import type { Command, CommandKind, NewTask, ResultOf } from '../engine/commands.ts';
import { type Applied, type BatchWriter, type Engine, failed, type Outcome, storageError } from '../engine/engine.ts';
import type { Change } from '../engine/txn.ts';
import { TqError } from '../model/errors.ts';
import { encodeValue } from '../model/value.ts';
import { uuidv7 } from '../protocol/ids.ts';

/** A new task before stamping: no id yet, the payload as a value, a delay instead of a run time. */
export type TaskDraft = Omit<NewTask, 'id' | 'payload'> & { payload?: unknown; delayMs?: number | null };

/** A command before stamping: no time, no seed; a submit holds drafts, an ack a result value. */
export type Draft = Command extends infer C
  ? C extends { kind: 'submit' }
    ? { kind: 'submit'; tasks: TaskDraft[] }
    : C extends { kind: 'ack' }
      ? Omit<C, 'time' | 'result'> & { result?: unknown }
      : Omit<C, 'time' | 'seed'>
  : never;
export type DraftOf<K extends CommandKind> = Extract<Draft, { kind: K }>;

/** What a durable batch did: told to listeners after its transaction is on disk. */
export interface BatchInfo {
  commands: number;
  commitMs: number;
  /** Every change of a task, in order. */
  changes: Change[];
}

export type BatchListener = (info: BatchInfo) => void;

export interface PipelineOptions {
  maxPayloadBytes: number;
  maxResultBytes: number;
  /** The one clock of the command path: epoch milliseconds. */
  clock?: () => number;
}

interface Group {
  commands: Command[];
  resolve: (outcomes: Outcome[]) => void;
}

/** One transaction: the groups it took and what each command came to. */
interface Batch {
  started: number;
  /** Its body ran: it took what it could from the queue. */
  filled: boolean;
  taken: Group[];
  outcomes: Outcome[][];
}

/**
 * A batch this heavy or lighter (tasks submitted, other commands) commits on this thread when
 * nothing else is being written; a heavier one goes to the write thread.
 */
const SYNC_COMMIT_MAX_WEIGHT = 16;

export class Pipeline {
  readonly engine: Engine;
  private readonly options: Required<PipelineOptions>;
  private readonly queue: Group[] = [];
  /** Groups before this index have been taken into a transaction. */
  private head = 0;
  /** A transaction is queued whose body has not run yet. */
  private scheduled = false;
  /** Transactions started and not yet settled. */
  private inFlight = 0;
  private closing: Promise<void> | null = null;
  private idle: (() => void) | null = null;
  private readonly listeners = new Set<BatchListener>();

  constructor(engine: Engine, options: PipelineOptions) {
    this.engine = engine;
    this.options = { clock: () => Date.now(), ...options };
  }

  /** The time commands are stamped with. */
  now(): number {
    return this.options.clock();
  }

  /**
   * Calls `listener` after every durable batch with the changes it made, in commit order; nothing
   * reaches a listener before it is on disk. Returns a function that removes the listener.
   */
  onCommitted(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stamps one command and applies it once durable; rejects with its TqError if it failed. */
  async execute<K extends CommandKind>(draft: DraftOf<K>): Promise<ResultOf[K]> {
    const [outcome] = await this.submitBatch([draft]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.value as ResultOf[K];
  }

  /**
   * Stamps the drafts and applies them in order, in the same transaction as any others waiting;
   * resolves once that transaction is durable. A draft that cannot be stamped (a payload over the
   * limit) or a command that fails validation fails alone.
   */
  submitBatch(drafts: readonly Draft[]): Promise<Outcome[]> {
    const time = this.now();
    const commands: Command[] = [];
    let refused: Map<number, Outcome> | null = null;
    for (let i = 0; i < drafts.length; i++) {
      try {
        commands.push(this.stamp(drafts[i]!, time));
      } catch (error) {
        if (!(error instanceof TqError)) throw error;
        (refused ??= new Map()).set(i, failed(error));
      }
    }
    if (refused === null) return this.enqueue(commands);
    const answered = refused;
    const merge = (applied: Outcome[]) => {
      let k = 0;
      return drafts.map((_, i) => answered.get(i) ?? applied[k++]!);
    };
    return commands.length === 0 ? Promise.resolve(merge([])) : this.enqueue(commands).then(merge);
  }

  /** Everything that varies, filled in here and nowhere else. */
  private stamp(draft: Draft, time: number): Command {
    switch (draft.kind) {
      case 'submit':
        return { kind: 'submit', time, tasks: draft.tasks.map((task) => this.stampTask(task, time)) };
      case 'ack': {
        const { result, ...rest } = draft;
        const encoded = result === undefined || result === null ? null : encodeValue('result', result, this.options.maxResultBytes);
        return { ...rest, time, result: encoded };
      }
      case 'nack':
      case 'expireLeases':
        return { ...draft, time, seed: randomInt(0, 2 ** 32) };
      default:
        return { ...draft, time } as Command;
    }
  }

  private stampTask(draft: TaskDraft, time: number): NewTask {
    if (draft === null || typeof draft !== 'object') return draft; // the engine refuses it, alone
    const { payload, delayMs, ...rest } = draft;
    let runAt = rest.runAt ?? null;
    if (delayMs !== undefined && delayMs !== null) {
      if (typeof delayMs !== 'number' || !Number.isSafeInteger(delayMs) || delayMs < 0) {
        throw new TqError('INVALID_ARGUMENT', `delayMs must be a non-negative integer (got ${JSON.stringify(delayMs)})`);
      }
      runAt = time + delayMs;
    }
    const encoded = payload === undefined || payload === null ? null : encodeValue('payload', payload, this.options.maxPayloadBytes);
    return { ...rest, id: uuidv7(time), payload: encoded, runAt };
  }

  private enqueue(commands: Command[]): Promise<Outcome[]> {
    if (this.closing) return Promise.resolve(commands.map(() => failed(new TqError('CLOSED', 'the broker is stopping'))));
    return new Promise((resolve) => {
      this.queue.push({ commands, resolve });
      this.kick();
    });
  }

  /**
   * Makes sure a write transaction will take what is queued. When nothing is being written, a
   * microtask later (so a submit and the claim it enables go together) a small batch commits right
   * here: cheaper and sooner than a hop to lmdb-js's write thread. Otherwise, or for a big batch,
   * the body runs on this thread when the write thread opens the transaction and takes everything
   * queued by then; its commit and fdatasync run on the write thread, so this thread goes on
   * reading requests meanwhile. Commands that arrive after a body has run go into the next batch.
   */
  private kick(): void {
    if (this.scheduled || this.head === this.queue.length) return;
    this.scheduled = true;
    this.inFlight++;
    const batch: Batch = { started: performance.now(), filled: false, taken: [], outcomes: [] };
    if (this.inFlight === 1) queueMicrotask(() => this.commitHere(batch));
    else this.commitOnWriteThread(batch);
  }

  private commitHere(batch: Batch): void {
    if (this.queuedWeight(SYNC_COMMIT_MAX_WEIGHT + 1) > SYNC_COMMIT_MAX_WEIGHT) {
      this.commitOnWriteThread(batch);
      return;
    }
    let applied: Promise<Applied<void>>;
    try {
      applied = Promise.resolve(this.engine.writeHere((writer) => this.fill(batch, writer), this.listeners.size > 0));
    } catch (error) {
      applied = Promise.reject(error);
    }
    this.settle(batch, applied);
  }

  private commitOnWriteThread(batch: Batch): void {
    this.settle(batch, this.engine.writeOnThread((writer) => this.fill(batch, writer), this.listeners.size > 0));
  }

  /** The transaction's body: takes queued groups (up to the batch limits) and applies them. */
  private fill(batch: Batch, writer: BatchWriter): void {
    this.scheduled = false;
    batch.filled = true;
    const { maxBatchTasks, maxBatchBytes } = this.engine.limits;
    let weight = 0;
    while (this.head < this.queue.length && weight < maxBatchTasks && writer.bytes < maxBatchBytes) {
      // Taken off the queue before it is applied: if it throws, it fails with this transaction.
      const group = this.queue[this.head++]!;
      batch.taken.push(group);
      batch.outcomes.push(group.commands.map((command) => writer.apply(command)));
      for (const command of group.commands) weight += weightOf(command);
    }
    this.compactQueue();
    if (this.head < this.queue.length) queueMicrotask(() => this.kick());
  }

  /** Resolves the batch's groups once its commit is durable, or fails them all if it was rolled back. */
  private settle(batch: Batch, applied: Promise<Applied<void>>): void {
    applied.then(
      (done) => this.finish(() => this.resolve(batch, done)),
      (error: unknown) => this.finish(() => this.fail(batch, error ?? new Error('rolled back'))),
    );
  }

  private finish(settle: () => void): void {
    // Counted out before the groups resolve, so the commands their callers send next may commit here.
    this.inFlight--;
    try {
      settle();
    } finally {
      this.kick();
      if (this.inFlight === 0 && !this.scheduled) this.idle?.();
    }
  }

  /**
   * Rolled back: every group of this transaction fails, and the engine kept nothing of it. A
   * transaction whose body never ran (it could not start) fails everything queued, which would
   * otherwise wait for a transaction that cannot come.
   */
  private fail(batch: Batch, error: unknown): void {
    const outcome = failed(error instanceof TqError ? error : storageError(error, this.engine.dir));
    if (!batch.filled) {
      this.scheduled = false;
      batch.taken.push(...this.queue.slice(this.head));
      this.head = this.queue.length;
      this.compactQueue();
    }
    for (const group of batch.taken) group.resolve(group.commands.map(() => outcome));
  }

  private resolve(batch: Batch, applied: Applied<void>): void {
    batch.taken.forEach((group, i) => group.resolve(batch.outcomes[i]!));
    if (this.listeners.size === 0) return;
    const commands = batch.taken.reduce((sum, group) => sum + group.commands.length, 0);
    const info = { commands, commitMs: performance.now() - batch.started, changes: applied.changes };
    for (const listener of this.listeners) listener(info);
  }

  /** The weight of the queued commands, counted up to `cap`. */
  private queuedWeight(cap: number): number {
    let weight = 0;
    for (let i = this.head; i < this.queue.length && weight < cap; i++) {
      for (const command of this.queue[i]!.commands) weight += weightOf(command);
    }
    return weight;
  }

  /** Drops taken groups from the front of the queue once they are many: no Array.shift per group. */
  private compactQueue(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1_024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Lets every transaction started settle; commands after this fail with CLOSED. */
  close(): Promise<void> {
    this.closing ??= this.inFlight === 0 && !this.scheduled ? Promise.resolve() : new Promise<void>((resolve) => (this.idle = resolve));
    return this.closing;
  }
}

function weightOf(command: Command): number {
  return command?.kind === 'submit' && Array.isArray(command.tasks) ? command.tasks.length : 1;
}

