/**
 * The worker's outbox of attempt outcomes (ack, nack, release). An outcome is sent while connected
 * and kept while not: outcomes of tasks that finish during an outage go out after the reconnection,
 * as do requests the dropped connection failed with UNAVAILABLE (the broker may or may not have
 * applied them: sending again is safe, a second report of one attempt gets STALE_TOKEN). A
 * STALE_TOKEN or NOT_FOUND answer is final: the lease is gone and the attempt's outcome with it.
 * The outcomes decided in one turn of the event loop leave in one `report` request, which the
 * broker applies in one group commit and answers entry by entry.
 */
import { RemoteError } from '../protocol/errors.ts';
import type { Ops, OutcomeReport } from '../protocol/messages.ts';
import type { Logger } from '../log/logger.ts';
import type { Job, Outcome } from './job.ts';


type Report = Exclude<Outcome, null>;

/** Errors from a broker that is up but could not apply the report: retried this many times. */
const MAX_RETRIES = 10;
const RETRY_FIRST_MS = 100;
const RETRY_CAP_MS = 5_000;

export interface ReportsDeps {
  connected: () => boolean;
  request: (op: 'report', args: Ops['report']['args']) => Promise<Ops['report']['result']>;
  log: Logger;
  /** The broker has the outcome (or it is final that it never will). */
  done: (job: Job, state: string | null) => void;
}

export class Reports {
  private readonly deps: ReportsDeps;
  /** Waiting to be sent (the connection is down, or a retry is due). */
  private readonly waiting = new Map<Job, Report>();
  private readonly inFlight = new Set<Job>();
  private readonly retries = new Map<Job, number>();
  /** Reports sent again after a send whose answer was lost. */
  private readonly resent = new Set<Job>();
  /** Reports to leave in this turn's request. */
  private outgoing: [Job, Report][] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private listeners = new Set<() => void>();

  constructor(deps: ReportsDeps) {
    this.deps = deps;
  }

  get size(): number {
    return this.waiting.size + this.inFlight.size;
  }

  add(job: Job, report: Report): void {
    this.waiting.set(job, report);
    this.flush();
  }

  /** Sends everything waiting, if connected. Called on every (re)connection. */
  flush(): void {
    if (!this.deps.connected()) return;
    for (const [job, report] of this.waiting) {
      this.waiting.delete(job);
      this.send(job, report);
    }
  }

  /** Resolves when nothing is waiting or in flight, or after `timeoutMs`; says which. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const check = () => {
        if (this.size === 0) finish(true);
      };
      const finish = (empty: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(empty);
      };
      this.listeners.add(check);
    });
  }

  /** Stops retrying; what is left is dropped (its leases will expire). */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.waiting.clear();
    this.retries.clear();
    this.resent.clear();
    this.changed();
  }

  /** Queues a report for the next request; the reports of one turn of the event loop go together. */
  private send(job: Job, report: Report): void {
    this.inFlight.add(job);
    if (this.outgoing.length === 0) process.nextTick(() => this.sendOutgoing());
    this.outgoing.push([job, report]);
  }

  private sendOutgoing(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length > 0) this.sendBatch(batch);
  }

  private sendBatch(batch: [Job, Report][]): void {
    const reports = batch.map(([job, report]): OutcomeReport => {
      const { id } = job.task;
      const token = job.token;
      if (report.op === 'ack') return { op: 'ack', id, token, result: report.result };
      if (report.op === 'nack') return report.retry === false ? { op: 'nack', id, token, error: report.error, retry: false } : { op: 'nack', id, token, error: report.error };
      return { op: 'release', id, token };
    });
    this.deps.request('report', { reports }).then(
      (answers) =>
        batch.forEach(([job, report], i) => {
          const answer = answers[i];
          if (answer && 'state' in answer) this.finish(job, answer.state);
          else this.failed(job, report, answer ? new RemoteError(answer.error.code, answer.error.message) : new RemoteError('INTERNAL', 'the broker answered fewer reports than were sent'));
        }),
      (error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code;
        // A result msgpack cannot hold, one the broker refuses (an extension value such as a Date),
        // or results together over the frame limit, spoil the whole request: send each report alone.
        if (batch.length > 1 && (typeof code !== 'string' || code === 'ENCODE_FAILED' || code === 'TOO_LARGE' || code === 'INVALID_ARGUMENT')) {
          for (const entry of batch) this.sendBatch([entry]);
          return;
        }
        for (const [job, report] of batch) this.failed(job, report, error);
      },
    );
  }

  private failed(job: Job, report: Report, error: unknown): void {
    this.inFlight.delete(job);
    const raw = (error as { code?: unknown } | null)?.code;
    const code = typeof raw === 'string' ? raw : 'INTERNAL';
    const message = (error as Error)?.message ?? String(error);
    const fields = { task: job.task.id, type: job.task.type, op: report.op, error: message };
    if (code === 'STALE_TOKEN' || code === 'NOT_FOUND') {
      if (this.resent.has(job)) {
        this.deps.log.info('a re-sent outcome was refused as stale: the first send was applied before the connection dropped, or the lease ran out; dropped', fields);
      } else {
        this.deps.log.warn('the broker no longer takes this attempt\'s outcome: its lease was lost; dropped', fields);
      }
      this.finish(job, null);
      return;
    }
    if (typeof raw !== 'string' || code === 'ENCODE_FAILED') {
      // Failed here, not at the broker: the report could not be encoded (a result msgpack cannot hold).
      if (report.op === 'ack') {
        this.deps.log.warn('the result cannot be sent; failing the attempt instead', fields);
        this.add(job, { op: 'nack', error: `the result cannot be sent to the broker: ${message}` });
      } else {
        this.deps.log.error('a report cannot be sent; dropped', fields);
        this.finish(job, null);
      }
      return;
    }
    if (report.op === 'ack' && (code === 'TOO_LARGE' || code === 'INVALID_ARGUMENT')) {
      // The attempt did its work but its result cannot be stored: fail it, saying why.
      this.deps.log.warn('the broker refused the result; failing the attempt instead', fields);
      this.add(job, { op: 'nack', error: `the result was refused by the broker: ${message}` });
      return;
    }
    if (code === 'INVALID_ARGUMENT' || code === 'NOT_WORKER' || code === 'UNKNOWN_OP') {
      this.deps.log.error('the broker refused a report; dropped', fields);
      this.finish(job, null);
      return;
    }
    // The connection dropped (UNAVAILABLE), the broker is stopping or could not write: try again.
    const retries = this.retries.get(job) ?? 0;
    const transient = code === 'UNAVAILABLE' || code === 'SHUTTING_DOWN' || code === 'TIMEOUT';
    if (!transient && retries >= MAX_RETRIES) {
      this.deps.log.error(`a report failed ${MAX_RETRIES + 1} times; dropped (the task's lease will expire and it will run again)`, fields);
      this.finish(job, null);
      return;
    }
    if (!transient) this.retries.set(job, retries + 1);
    // The broker may have applied it before the connection dropped: a STALE_TOKEN later means little.
    if (code === 'UNAVAILABLE' || code === 'TIMEOUT') this.resent.add(job);
    this.waiting.set(job, report);
    if (this.deps.connected()) this.scheduleRetry(transient ? RETRY_FIRST_MS : Math.min(RETRY_CAP_MS, RETRY_FIRST_MS * 2 ** retries));
    // Otherwise the next welcome flushes it.
  }

  private scheduleRetry(delayMs: number): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, delayMs);
  }

  private finish(job: Job, state: string | null): void {
    this.inFlight.delete(job);
    this.retries.delete(job);
    this.resent.delete(job);
    this.deps.done(job, state);
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
