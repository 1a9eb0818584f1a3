/**
 * Leases kept alive without a write per heartbeat. A heartbeat is answered from a read and only
 * remembered here (when each lease was last heard); a lease is written only when it would
 * otherwise lapse, by one renewal command for every lease about to end, which extends each to
 * when it was last heard plus its lease length. A lease nobody heard is not renewed and expires as
 * before. What is remembered here is lost with the process, which is safe: a broker that starts
 * re-arms every live lease for a full period (and, under Raft, a new leader will too).
 */
import type { Renewal } from '../engine/commands.ts';
import type { Engine } from '../engine/engine.ts';
import type { LeaseRef } from '../model/lease.ts';
import type { TaskRecord } from '../model/task.ts';

/** At most this many leases are renewed by one command; more go in the next. */
const MAX_RENEWALS = 10_000;

interface Heard {
  token: number;
  at: number;
}

export class LeaseKeeper {
  private readonly engine: Engine;
  /** Entries not heard for this long belong to leases that ended (expired, or cancelled away). */
  private readonly forgetAfterMs: number;
  /** Task id -> the token last heard for it and when. One entry per running task at most. */
  private readonly heard = new Map<string, Heard>();

  constructor(engine: Engine, leaseMs: number) {
    this.engine = engine;
    this.forgetAfterMs = 2 * leaseMs;
  }

  /** A worker's heartbeat listed these leases, which still hold. */
  hear(leases: readonly LeaseRef[], at: number): void {
    for (const { id, token } of leases) this.heard.set(id, { token, at });
  }

  /** The task ended (acked, failed, released, expired): its lease is nobody's now. */
  forget(id: string): void {
    this.heard.delete(id);
  }

  /**
   * Renewals for the leases that end by `until` and were heard since they were last written:
   * each to when it was heard. Entries for leases that changed hands or ended are dropped.
   */
  renewalsBy(until: number, now: number): Renewal[] {
    for (const [id, heard] of this.heard) if (heard.at < now - this.forgetAfterMs) this.heard.delete(id);
    const renewals: Renewal[] = [];
    for (const lease of this.engine.leasesEndingBy(until, MAX_RENEWALS)) {
      const heard = this.heard.get(lease.id);
      if (!heard) continue;
      if (heard.token !== lease.token) this.heard.delete(lease.id);
      else if (heard.at + lease.leaseMs > lease.expiresAt) renewals.push({ id: lease.id, token: lease.token, heardAt: heard.at });
    }
    return renewals;
  }

  /**
   * The task with its lease as this broker sees it: ending one lease length after its worker was
   * last heard, which is what the next renewal will write. Readers see the lease a heartbeat keeps.
   */
  current<T extends TaskRecord>(task: T): T {
    const heard = task.lease ? this.heard.get(task.id) : undefined;
    if (!heard || heard.token !== task.lease!.token || heard.at + task.leaseMs <= task.lease!.expiresAt) return task;
    return { ...task, lease: { ...task.lease!, expiresAt: heard.at + task.leaseMs } };
  }

  /** How many leases are remembered: bounded by the running tasks. */
  get size(): number {
    return this.heard.size;
  }
}
