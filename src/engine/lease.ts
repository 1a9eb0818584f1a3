/**
 * Leases over running tasks: renewals extend them to when their worker was last heard, progress
 * reports ride on them, expiry turns them into failed attempts, and a broker start re-arms them
 * for one full period.
 */
import { draws } from './backoff.ts';
import { type CommandOf } from './commands.ts';
import { BULK_LIMIT_MAX, type BulkOutcome } from '../model/bulk.ts';
import type { HeartbeatOutcome, LeaseRef } from '../model/lease.ts';
import { checkLimit } from './select.ts';
import { invalid, TqError } from '../model/errors.ts';
import { failAttempt, heldTask } from './outcome.ts';
import type { TaskRecord } from '../model/task.ts';
import type { Txn } from './txn.ts';

const MAX_HEARTBEAT_LEASES = 100_000;

/**
 * Extends leases whose token still holds to when their worker was last heard plus the lease length
 * of their claim, never shortening one. Heartbeats themselves write nothing (the broker keeps when
 * it heard each lease); this command persists the extensions when a lease would otherwise lapse.
 */
export function renewLeases(tx: Txn, command: CommandOf<'renewLeases'>): HeartbeatOutcome {
  const leases = checkLeaseList(command.leases);
  for (const { heardAt } of leases) {
    if (heardAt !== undefined && heardAt !== null && (typeof heardAt !== 'number' || !Number.isSafeInteger(heardAt))) {
      throw invalid('a renewal\'s heardAt must be epoch milliseconds');
    }
  }
  const outcome = leaseStatus(tx, leases);
  for (const { id, heardAt } of leases) {
    if (!outcome.extended.includes(id)) continue;
    const task = tx.task(id)!;
    const expiresAt = Math.min(heardAt ?? tx.time, tx.time) + task.leaseMs;
    if (expiresAt > task.lease!.expiresAt) tx.write(task, { ...task, lease: { ...task.lease!, expiresAt }, updatedAt: tx.time });
  }
  return outcome;
}

/** What a heartbeat hears: which leases still hold, which do not, which tasks were asked to cancel. */
export function leaseStatus(tx: Pick<Txn, 'task'>, leases: readonly LeaseRef[]): HeartbeatOutcome {
  const outcome: HeartbeatOutcome = { extended: [], rejected: [], cancelRequested: [] };
  for (const { id, token } of leases) {
    const task = tx.task(id);
    if (!task || task.state !== 'running' || task.lease?.token !== token) {
      outcome.rejected.push(id);
      continue;
    }
    outcome.extended.push(id);
    if (task.cancelRequested) outcome.cancelRequested.push(id);
  }
  return outcome;
}

/** A list of (id, token) pairs, checked whole. */
export function checkLeaseList<T extends LeaseRef>(leases: readonly T[]): readonly T[] {
  if (!Array.isArray(leases) || leases.length > MAX_HEARTBEAT_LEASES) {
    throw invalid(`a heartbeat lists at most ${MAX_HEARTBEAT_LEASES} leases`);
  }
  for (const lease of leases) {
    if (lease === null || typeof lease !== 'object' || typeof lease.id !== 'string' || typeof lease.token !== 'number') {
      throw invalid('each heartbeat lease must be {id: string, token: number}');
    }
  }
  return leases;
}

export function progress(tx: Txn, command: CommandOf<'progress'>): TaskRecord {
  const task = heldTask(tx, command.id, command.token);
  const { fraction } = command;
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw invalid(`progress fraction must be a number from 0 to 1 (got ${JSON.stringify(fraction)})`);
  }
  const message = command.message === undefined || command.message === null ? null : String(command.message).slice(0, 1_024);
  const next: TaskRecord = { ...task, progress: { fraction, message }, updatedAt: tx.time };
  tx.write(task, next);
  return next;
}

/** Running tasks whose lease has run out: each is a failed attempt with the error "lease expired". */
export function expireLeases(tx: Txn, command: CommandOf<'expireLeases'>): BulkOutcome {
  const limit = checkLimit(command.limit, BULK_LIMIT_MAX);
  const draw = draws(command.seed);
  const expired = leaseRange(tx, tx.time, limit + 1);
  const todo = expired.slice(0, limit);
  for (const id of todo) {
    const task = tx.task(id)!;
    tx.write(task, failAttempt(tx, task, 'lease expired', draw()));
  }
  return { count: todo.length, more: expired.length > todo.length };
}

/** At broker start: every live lease gets one full period from now. */
export function rearmLeases(tx: Txn): BulkOutcome {
  const running = leaseRange(tx, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  for (const id of running) {
    const task = tx.task(id)!;
    if (!task.lease) throw new TqError('STORAGE_ERROR', `running task ${id} has no lease`);
    tx.write(task, { ...task, lease: { ...task.lease, expiresAt: tx.time + task.leaseMs }, updatedAt: tx.time });
  }
  return { count: running.length, more: false };
}

/** Ids of running tasks whose lease ends at or before `until`, soonest first. */
function leaseRange(tx: Pick<Txn, 'db'>, until: number, limit: number): string[] {
  const ids: string[] = [];
  for (const key of tx.db.leases.getKeys({ end: [until + 1], limit })) ids.push((key as [number, string])[1]);
  return ids;
}

/** A running task's lease as the broker renews it. */
export interface HeldLease {
  id: string;
  token: number;
  expiresAt: number;
  leaseMs: number;
}

/** Leases that end at or before `until`, soonest first, at most `limit`. */
export function leasesEndingBy(tx: Pick<Txn, 'db' | 'task'>, until: number, limit: number): HeldLease[] {
  return leaseRange(tx, until, limit).map((id) => {
    const task = tx.task(id)!;
    return { id, token: task.lease!.token, expiresAt: task.lease!.expiresAt, leaseMs: task.leaseMs };
  });
}

/** When the soonest lease runs out, or null when nothing runs: a broker expires leases then. */
export function nextLeaseExpiry(tx: Pick<Txn, 'db'>): number | null {
  for (const key of tx.db.leases.getKeys({ limit: 1 })) return (key as [number, string])[0];
  return null;
}
