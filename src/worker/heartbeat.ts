/**
 * Heartbeats: one request per lease/3 listing the (task id, fencing token) of every lease the
 * worker holds, with its CPU (a fraction of one core since the last beat) and memory (RSS). The
 * answer says which leases were extended, which are no longer the worker's (rejected) and which
 * tasks were asked to cancel. The first beat after a (re)connection re-attaches the running tasks.
 */
import type { LeaseRef, HeartbeatOutcome } from '../model/lease.ts';
import type { Ops } from '../protocol/messages.ts';
import type { Logger } from '../log/logger.ts';

export interface HeartbeatDeps {
  request: (args: Ops['heartbeat']['args'], timeoutMs: number) => Promise<HeartbeatOutcome>;
  /** The leases to list now. */
  leases: () => LeaseRef[];
  /** The broker's answer, with the leases the beat listed. */
  answered: (sent: LeaseRef[], outcome: HeartbeatOutcome) => void;
  log: Logger;
}

/** Never beat more often than this, whatever the lease. */
const MIN_INTERVAL_MS = 50;

export class Heartbeat {
  private readonly deps: HeartbeatDeps;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private leaseMs = 30_000;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(deps: HeartbeatDeps) {
    this.deps = deps;
  }

  /** Beats now and then every lease/3 until stop(). */
  start(leaseMs: number): void {
    this.stop();
    this.leaseMs = leaseMs;
    this.timer = setInterval(() => this.beat(), Math.max(MIN_INTERVAL_MS, Math.floor(leaseMs / 3)));
    this.beat();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  beat(): void {
    // A beat still unanswered is not doubled; a dropped connection fails it, so this cannot stick.
    if (this.inFlight) return;
    const leases = this.deps.leases();
    this.inFlight = true;
    this.deps
      .request({ leases, ...this.usage() }, this.leaseMs)
      .then(
        (outcome) => this.deps.answered(leases, outcome),
        (error: Error) => this.deps.log.debug('heartbeat failed', { error: error.message }),
      )
      .finally(() => (this.inFlight = false));
  }

  /** CPU as a fraction of one core since the last beat, and resident memory. */
  private usage(): { cpu: number; memoryBytes: number } {
    const now = performance.now();
    const delta = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const cpu = Math.round(((delta.user + delta.system) / 1_000 / elapsedMs) * 1_000) / 1_000;
    return { cpu, memoryBytes: process.memoryUsage.rss() };
  }
}
