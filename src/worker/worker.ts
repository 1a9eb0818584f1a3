/**
 * TqWorker: runs handlers for the tasks a broker pushes to it.
 *
 * - Credit: the worker grants its free slots after each welcome, then one more as each slot frees
 *   (batched per event-loop turn). It never holds more credit plus running handlers than its
 *   concurrency, so a push always finds a slot.
 * - Each task runs as a Job (job.ts) under the task's timeout and an abort signal; its outcome goes
 *   through the outbox (reports.ts), which keeps it across a lost connection.
 * - Heartbeats (heartbeat.ts) every lease/3 list every lease held, including those whose outcome is
 *   still on its way, so a lease does not run out while its ack waits for a reconnection.
 * - A reconnection re-attaches: a heartbeat with every lease first, then the waiting outcomes,
 *   then credit for the free slots.
 * - stop(): no more credit; running tasks get `graceMs` to finish; the rest are aborted and
 *   released (back to pending, no attempt counted); outcomes are delivered; the connection closes.
 *
 * A handler that ignores its abort signal (after a timeout, say) has its attempt failed at once,
 * but keeps its slot until its code returns: see job.ts.
 */
import type { HeartbeatOutcome, LeaseRef } from '../model/lease.ts';
import { type Address, formatAddress } from '../client/address.ts';
import { Connection } from '../client/connection.ts';
import { formatDuration } from '../config/duration.ts';
import { RemoteError } from '../protocol/errors.ts';
import type { BrokerMessage, Ops, Welcome, WireTask } from '../protocol/messages.ts';
import type { Logger } from '../log/logger.ts';
import { noHandlerError } from './builtins.ts';
import { handlerContext } from './context.ts';
import { Heartbeat } from './heartbeat.ts';
import { Job, type Outcome, warnIfAbortIgnored } from './job.ts';
import { type WorkerOptions, type WorkerStats, workerSettings } from './options.ts';
import { Reports } from './reports.ts';
import type { AbortReason, Handler } from './types.ts';

type WorkerOp = 'report' | 'progress' | 'heartbeat';

/** Assumed when a welcome does not say (the protocol's default lease). */
const DEFAULT_LEASE_MS = 30_000;
/** How long a stopping worker waits for the broker to take its last outcomes. */
const DRAIN_MS = 10_000;
/** A broker not reached by then is reported (once per outage). */
const UNREACHABLE_WARN_MS = 1_500;

export class TqWorker {
  readonly id: string;
  readonly name: string;
  readonly queues: readonly string[];
  readonly concurrency: number;
  readonly address: Address;
  private readonly log: Logger;
  private readonly handlers: Map<string, Handler>;
  private readonly apiKey: string | null;
  private readonly graceMs: number;
  private connection: Connection | null = null;
  private readonly heartbeat: Heartbeat;
  private readonly reports: Reports;
  /** The current attempt of each task this worker holds a lease on (running or reporting). */
  private readonly jobs = new Map<string, Job>();
  /** Jobs whose handler has not returned: each takes a slot. */
  private readonly slots = new Set<Job>();
  /** Credit the broker holds for this connection. */
  private credit = 0;
  private grantQueued = false;
  private everConnected = false;
  private outageSince: number | null = null;
  private unreachableTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private stopDeadline = Infinity;
  private graceOver = false;
  private graceTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly changeListeners = new Set<() => void>();
  private startWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;
  /** Settles when the worker has stopped (resolves) or lost its broker for good (rejects). */
  readonly done: Promise<void>;

  constructor(options: WorkerOptions = {}) {
    const settings = workerSettings(options);
    this.address = settings.address;
    this.queues = settings.queues;
    this.concurrency = settings.concurrency;
    this.graceMs = settings.graceMs;
    this.id = settings.id;
    this.name = settings.name;
    this.apiKey = settings.apiKey;
    this.log = settings.log;
    this.handlers = settings.handlers;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined); // a caller that never looks must not crash the process

    this.reports = new Reports({
      connected: () => this.connection?.connected ?? false,
      request: (op, args) => this.request(op, args),
      log: this.log,
      done: (job, state) => this.reported(job, state),
    });
    this.heartbeat = new Heartbeat({
      request: (args, timeoutMs) => this.request('heartbeat', args, timeoutMs),
      leases: () => [...this.jobs.values()].map((job) => ({ id: job.id, token: job.token })),
      answered: (sent, outcome) => this.onHeartbeat(sent, outcome),
      log: this.log,
    });
  }

  /** The types this worker can run. */
  get types(): string[] {
    return [...this.handlers.keys()].sort();
  }

  get stats(): WorkerStats {
    return { running: this.slots.size, unreported: this.reports.size, connected: this.connection?.connected ?? false };
  }

  /**
   * Connects and starts taking tasks. Resolves once connected; while the broker is unreachable it
   * keeps trying (and logs a warning once). Rejects when the broker refuses the worker for good
   * (wrong protocol version, API key) or stop() comes first.
   */
  start(): Promise<void> {
    if (this.closed || this.stopping) return Promise.reject(new RemoteError('UNAVAILABLE', 'this worker has stopped'));
    if (!this.connection) this.connect();
    if (this.connection!.connected) return Promise.resolve();
    return new Promise((resolve, reject) => this.startWaiters.push({ resolve, reject }));
  }

  /**
   * Stops: takes no more tasks, gives running ones `graceMs` (default: the worker's grace) to
   * finish, aborts and releases the rest, waits (a bounded time) for the broker to take the last
   * outcomes, then closes. Calling it again with a shorter grace hurries a stop in progress.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = Math.max(0, options.graceMs ?? this.graceMs);
    const deadline = Date.now() + graceMs;
    if (deadline < this.stopDeadline) {
      this.stopDeadline = deadline;
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.graceTimer = setTimeout(() => {
        this.graceOver = true;
        this.changed();
      }, graceMs);
    }
    this.stopping ??= this.runStop(graceMs);
    return this.stopping;
  }

  private connect(): void {
    this.connection = new Connection({
      address: this.address,
      name: this.name,
      role: 'worker',
      worker: { id: this.id, queues: [...this.queues], concurrency: this.concurrency },
      apiKey: this.apiKey,
      reconnect: true,
      onWelcome: (welcome) => this.onWelcome(welcome),
      onPush: (message) => this.onPush(message),
      onDisconnect: (error) => this.onDisconnect(error),
    });
    this.watchForFatal();
    this.armUnreachableWarning();
  }

  private request<O extends WorkerOp>(op: O, args: Ops[O]['args'], timeoutMs?: number): Promise<Ops[O]['result']> {
    if (!this.connection) return Promise.reject(new RemoteError('UNAVAILABLE', 'the worker is not connected'));
    return this.connection.request(op, args, timeoutMs);
  }

  private onWelcome(welcome: Welcome): void {
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    this.unreachableTimer = null;
    const broker = formatAddress(this.address);
    if (!this.everConnected) {
      this.log.info('connected to the broker', { broker, brokerId: welcome.broker, leaseMs: welcome.limits?.leaseMs, worker: this.id });
    } else {
      const downMs = this.outageSince === null ? 0 : Date.now() - this.outageSince;
      this.log.info('reconnected to the broker', { broker, after: formatDuration(downMs), leases: this.jobs.size, unreported: this.reports.size });
    }
    this.everConnected = true;
    this.outageSince = null;
    // A new connection starts with no credit at the broker.
    this.credit = 0;
    // Re-attach first (the broker keeps the leases that still hold), then the waiting outcomes.
    const leaseMs = welcome.limits?.leaseMs;
    this.heartbeat.start(typeof leaseMs === 'number' && leaseMs > 0 ? leaseMs : DEFAULT_LEASE_MS);
    this.reports.flush();
    this.grant();
    for (const waiter of this.startWaiters.splice(0)) waiter.resolve();
  }

  private onDisconnect(error: Error): void {
    this.heartbeat.stop();
    this.credit = 0;
    if (this.closed) return;
    this.outageSince = Date.now();
    this.log.warn('lost the connection to the broker; reconnecting (running tasks go on)', { broker: formatAddress(this.address), error: error.message });
    this.watchForFatal();
  }

  /** The connection gives up only for errors that retrying cannot fix (version, API key). */
  private watchForFatal(): void {
    this.connection?.whenReady().catch((error: Error) => this.fatal(error));
  }

  private armUnreachableWarning(): void {
    this.unreachableTimer = setTimeout(() => {
      this.unreachableTimer = null;
      if (this.connection?.connected || this.closed) return;
      this.outageSince ??= Date.now();
      this.log.warn(`cannot reach the tq broker at ${formatAddress(this.address)}; retrying until it answers (start one with \`tq broker start\` or pass --broker host:port)`);
    }, UNREACHABLE_WARN_MS);
  }

  private onPush(message: BrokerMessage): void {
    if (message.t === 'tasks' && Array.isArray(message.tasks)) {
      this.credit = Math.max(0, this.credit - message.tasks.length);
      for (const task of message.tasks) this.accept(task);
    } else if (message.t === 'cancel' && Array.isArray(message.ids)) {
      for (const id of message.ids) this.abortJob(id, null, 'cancelled', 'cancelled on request');
    }
  }

  private accept(task: WireTask): void {
    const token = task.lease?.token;
    if (typeof token !== 'number') {
      this.log.error('the broker pushed a task without a lease; ignored', { task: task.id });
      return;
    }
    // The same task again under a new lease: the old attempt's lease is gone.
    this.abortJob(task.id, null, 'lease-lost', 'the task was given again under a new lease');
    const job = new Job(task, token, {
      decided: (done, outcome, cause) => this.decided(done, outcome, cause),
      settled: (done) => this.settled(done),
    });
    this.jobs.set(task.id, job);
    if (this.stopping || this.slots.size >= this.concurrency) {
      // Pushed while stopping (credit granted before), or more than the slots: hand it back unrun.
      this.log.debug('handing back a task this worker cannot run now', { task: task.id, stopping: this.stopping !== null });
      job.refuse({ op: 'release' });
      return;
    }
    const handler = this.handlers.get(task.type);
    if (!handler) {
      job.refuse({ op: 'nack', error: noHandlerError(task.type, this.types) });
      return;
    }
    this.slots.add(job);
    this.log.debug('task started', { task: task.id, type: task.type, attempt: task.attempts });
    job.run(handler, handlerContext(job, {
      workerId: this.id,
      log: this.log,
      connected: () => this.connection?.connected ?? false,
      progress: (args) => this.request('progress', args),
    }));
  }

  /** Aborts the running attempt of task `id` (only the one holding `token`, when given). */
  private abortJob(id: string, token: number | null, reason: AbortReason, message: string): void {
    const job = this.jobs.get(id);
    if (!job || job.phase !== 'running' || (token !== null && job.token !== token)) return;
    job.abort(reason, message);
  }

  private decided(job: Job, outcome: Outcome, cause: AbortReason | 'returned' | 'threw'): void {
    const fields = { task: job.id, type: job.task.type, attempt: job.task.attempts };
    if (cause === 'returned') this.log.debug('task succeeded', { ...fields, ms: Date.now() - job.startedAt });
    else if (cause === 'threw' && outcome?.op === 'nack') this.log.warn('task failed', { ...fields, error: outcome.error });
    else if (cause === 'timeout') this.log.warn('task timed out; its signal was aborted', { ...fields, timeoutMs: job.task.timeoutMs });
    else if (cause === 'cancelled') this.log.info('task cancelled; its signal was aborted', fields);
    else if (cause === 'lease-lost') this.log.warn('lost the lease of a running task; stopped it, its outcome will not be reported', fields);
    else if (cause === 'stopping') this.log.info('task handed back: the worker is stopping', fields);
    if (cause !== 'returned' && cause !== 'threw' && !job.settled) warnIfAbortIgnored(job, this.log);
    if (outcome) this.reports.add(job, outcome);
    else this.forget(job);
    this.changed();
  }

  private settled(job: Job): void {
    this.slots.delete(job);
    if (job.abortedBy && job.phase !== 'running') this.log.debug('handler returned after its attempt was stopped; what it returned is dropped', { task: job.id });
    this.queueGrant();
    this.changed();
  }

  private reported(job: Job, state: string | null): void {
    job.phase = 'done';
    this.forget(job);
    if (state) this.log.debug('outcome reported', { task: job.id, state });
    this.changed();
  }

  private forget(job: Job): void {
    if (this.jobs.get(job.id) === job) this.jobs.delete(job.id);
  }

  private onHeartbeat(sent: LeaseRef[], outcome: HeartbeatOutcome): void {
    const tokens = new Map(sent.map((lease) => [lease.id, lease.token]));
    for (const id of outcome.rejected ?? []) {
      const token = tokens.get(id);
      if (token !== undefined) this.abortJob(id, token, 'lease-lost', 'the broker says this worker no longer holds the lease');
    }
    for (const id of outcome.cancelRequested ?? []) {
      const token = tokens.get(id);
      if (token !== undefined) this.abortJob(id, token, 'cancelled', 'cancelled on request');
    }
  }

  private queueGrant(): void {
    if (this.grantQueued) return;
    this.grantQueued = true;
    // Within this turn, so the credit leaves in the same socket write as the outcomes just
    // reported (sent on the next tick), and the broker claims the next tasks in the same
    // transaction as it records those outcomes.
    queueMicrotask(() => {
      this.grantQueued = false;
      this.grant();
    });
  }

  /** Grants the broker the free slots it does not already hold credit for. */
  private grant(): void {
    if (this.stopping || this.closed || !this.connection?.connected) return;
    const free = this.concurrency - this.slots.size - this.credit;
    if (free <= 0) return;
    this.credit += free;
    this.connection.send({ t: 'credit', n: free });
  }

  private async runStop(graceMs: number): Promise<void> {
    const running = () => [...this.jobs.values()].filter((job) => job.phase === 'running');
    this.log.info('stopping: taking no more tasks', { running: running().length, grace: formatDuration(graceMs) });
    // Take back the credit first: otherwise a task this worker hands back could be claimed for it
    // again in the same transaction, and sit under a lease until it expires.
    if (this.connection?.connected) {
      if (this.credit > 0) this.connection.send({ t: 'credit', n: -this.credit });
      this.credit = 0;
      // One round trip: tasks the broker pushed before it saw the credit go arrive before the
      // answer, and are handed back (accept() refuses them while stopping) rather than lost.
      const leases = [...this.jobs.values()].map((job) => ({ id: job.id, token: job.token }));
      await this.request('heartbeat', { leases }, DRAIN_MS).then((outcome) => this.onHeartbeat(leases, outcome), () => undefined);
    }
    while (running().length > 0 && !this.graceOver && !this.closed) await this.nextChange();
    const left = running();
    if (left.length > 0) this.log.warn('grace over: handing running tasks back to the queue', { count: left.length });
    for (const job of left) job.abort('stopping', 'the worker is stopping');
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (!this.closed && this.reports.size > 0) {
      const delivered = await this.reports.drained(DRAIN_MS);
      if (!delivered) this.log.warn('the broker did not take every outcome in time; their leases will expire and those tasks will run again', { count: this.reports.size });
    }
    this.close();
    const ignoring = this.slots.size;
    this.log.info('stopped', ignoring > 0 ? { handlersStillRunning: ignoring } : {});
    this.resolveDone();
  }

  /** The broker refused this worker for good: stop everything, nothing can be reported. */
  private fatal(error: Error): void {
    if (this.closed || this.stopping) return;
    this.log.error('the broker refused this worker', { error: error.message });
    for (const job of this.jobs.values()) job.abort('lease-lost', `the broker refused this worker: ${error.message}`);
    for (const waiter of this.startWaiters.splice(0)) waiter.reject(error);
    this.close();
    this.rejectDone(error);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.unreachableTimer) clearTimeout(this.unreachableTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.heartbeat.stop();
    this.reports.close();
    this.connection?.close();
    for (const waiter of this.startWaiters.splice(0)) waiter.reject(new RemoteError('UNAVAILABLE', 'the worker stopped before it reached the broker'));
    this.changed();
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const listener = () => {
        this.changeListeners.delete(listener);
        resolve();
      };
      this.changeListeners.add(listener);
    });
  }

  private changed(): void {
    for (const listener of [...this.changeListeners]) listener();
  }
}
