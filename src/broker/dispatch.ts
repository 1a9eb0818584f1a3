/**
 * Pushing work to workers under credit. A worker grants credit as its slots free up; whenever work
 * may be ready, the broker claims up to that many tasks for it and pushes them once the claim is
 * durable. A claim queued right after a submit lands in the same transaction (direct hand-off).
 * No polling: a worker whose claim came back short waits until new work may be ready.
 */
import type { Task } from '../model/task.ts';
import type { WorkerHello, WorkerInfo } from '../protocol/messages.ts';
import { wireTask } from '../protocol/task-view.ts';
import type { Logger } from '../log/logger.ts';
import { LeaseKeeper } from './leases.ts';
import type { Pipeline } from './pipeline.ts';
import type { Peer } from './tcp/peer.ts';

const MAX_CLAIM = 1_000;
/** A disconnected worker stays listed this long (its leases may still be live). */
const FORGET_AFTER_MS = 5 * 60_000;

export class WorkerSession {
  readonly id: string;
  peer: Peer | null;
  hello: WorkerHello;
  name: string;
  host: string;
  pid: number;
  credit = 0;
  claiming = false;
  starved = false;
  readonly running = new Set<string>();
  connectedAt: number;
  disconnectedAt: number | null = null;
  lastHeartbeatAt: number | null = null;
  cpu: number | null = null;
  memoryBytes: number | null = null;

  constructor(peer: Peer, hello: WorkerHello, now: number) {
    this.id = hello.id;
    this.peer = peer;
    this.hello = hello;
    this.name = peer.hello?.name ?? hello.id;
    this.host = peer.hello?.host ?? '';
    this.pid = peer.hello?.pid ?? 0;
    this.connectedAt = now;
  }

  info(): WorkerInfo {
    return {
      id: this.id,
      name: this.name,
      host: this.host,
      pid: this.pid,
      queues: this.hello.queues,
      concurrency: this.hello.concurrency,
      running: this.running.size,
      connected: this.peer !== null,
      connectedAt: this.connectedAt,
      lastHeartbeatAt: this.lastHeartbeatAt,
      cpu: this.cpu,
      memoryBytes: this.memoryBytes,
    };
  }
}

export class Dispatcher {
  private readonly pipeline: Pipeline;
  private readonly log: Logger;
  private readonly leaseMs: number;
  readonly workers = new Map<string, WorkerSession>();
  /** When each running task's lease was last heard. */
  readonly leases: LeaseKeeper;
  /** Bumped whenever work may have become ready; a short claim only starves a worker if none came since. */
  private generation = 0;

  constructor(pipeline: Pipeline, log: Logger, leaseMs: number) {
    this.pipeline = pipeline;
    this.log = log;
    this.leaseMs = leaseMs;
    this.leases = new LeaseKeeper(pipeline.engine, leaseMs);
  }

  attach(peer: Peer, hello: WorkerHello): WorkerSession {
    const now = this.pipeline.now();
    const existing = this.workers.get(hello.id);
    if (existing?.peer && existing.peer !== peer) existing.peer.fail('REPLACED', 'another connection took over this worker id');
    const session = existing ?? new WorkerSession(peer, hello, now);
    session.peer = peer;
    session.hello = hello;
    session.credit = 0;
    session.starved = false;
    session.connectedAt = now;
    session.disconnectedAt = null;
    this.workers.set(hello.id, session);
    this.forgetOld(now);
    return session;
  }

  detach(session: WorkerSession, peer: Peer): void {
    if (session.peer !== peer) return;
    session.peer = null;
    session.credit = 0;
    session.disconnectedAt = this.pipeline.now();
  }

  /** Credit from the worker: +n slots free, or a negative n to take credit back (a stopping worker). */
  grant(session: WorkerSession, n: number): void {
    if (!Number.isSafeInteger(n) || n === 0) return;
    if (n < 0) {
      session.credit = Math.max(0, session.credit + n);
      return;
    }
    session.credit = Math.min(session.credit + n, session.hello.concurrency);
    session.starved = false;
    this.pump();
  }

  /** New work may be claimable (submit, promotion, retry, release, replay, resume). */
  workMayBeReady(): void {
    this.generation++;
    for (const session of this.workers.values()) session.starved = false;
    this.pump();
  }

  pump(): void {
    for (const session of this.workers.values()) {
      if (session.peer && session.credit > 0 && !session.claiming && !session.starved) this.claimFor(session);
    }
  }

  private claimFor(session: WorkerSession): void {
    const max = Math.min(session.credit, MAX_CLAIM);
    const generation = this.generation;
    session.claiming = true;
    this.pipeline
      .execute({ kind: 'claim', workerId: session.id, queues: session.hello.queues, max, leaseMs: this.leaseMs })
      .then(
        (tasks) => this.deliver(session, tasks, max, generation),
        (error: Error) => {
          session.claiming = false;
          session.starved = true;
          this.log.error('claim failed', { worker: session.id, error: error.message });
        },
      );
  }

  private deliver(session: WorkerSession, tasks: Task[], max: number, generation: number): void {
    session.claiming = false;
    if (tasks.length > 0) {
      if (session.peer) {
        session.credit = Math.max(0, session.credit - tasks.length);
        for (const task of tasks) session.running.add(task.id);
        session.peer.send({ t: 'tasks', tasks: tasks.map(wireTask) });
      } else {
        // The worker left while its claim was being written: hand the tasks straight back.
        for (const task of tasks) {
          void this.pipeline.execute({ kind: 'release', id: task.id, token: task.lease!.token }).catch(() => undefined);
        }
        this.workMayBeReady();
        return;
      }
    }
    if (tasks.length < max && generation === this.generation) session.starved = true;
    if (session.credit > 0 && !session.starved) this.claimFor(session);
  }

  /** Tells the worker holding a running task that its cancellation was requested. */
  signalCancel(workerId: string, ids: string[]): void {
    const peer = this.workers.get(workerId)?.peer;
    if (peer && ids.length > 0) peer.send({ t: 'cancel', ids });
  }

  finished(session: WorkerSession | undefined, id: string): void {
    session?.running.delete(id);
    this.leases.forget(id);
  }

  list(): WorkerInfo[] {
    this.forgetOld(this.pipeline.now());
    return [...this.workers.values()].map((session) => session.info());
  }

  private forgetOld(now: number): void {
    for (const [id, session] of this.workers) {
      if (session.disconnectedAt !== null && now - session.disconnectedAt > FORGET_AFTER_MS) this.workers.delete(id);
    }
  }
}

