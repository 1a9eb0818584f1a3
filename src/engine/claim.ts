/**
 * `claim`: the next tasks from a list of queues (highest priority first, then arrival order),
 * each under a new lease with a fencing token that is never reused.
 */
import type { CommandOf } from './commands.ts';
import { invalid } from '../model/errors.ts';
import { checkInteger, checkName, MAX_HISTORY, type Task } from '../model/task.ts';
import { readPayload } from './reads.ts';
import type { Txn } from './txn.ts';

const MAX_CLAIM = 10_000;
const MAX_LEASE_MS = 24 * 3_600_000;

interface Head {
  key: [string, number, number];
  id: string;
}

export function claim(tx: Txn, command: CommandOf<'claim'>): Task[] {
  const max = checkInteger('max', command.max, 0, MAX_CLAIM);
  const leaseMs = checkInteger('leaseMs', command.leaseMs, 1, MAX_LEASE_MS);
  if (typeof command.workerId !== 'string' || command.workerId.length === 0) throw invalid('workerId must be a non-empty string');
  if (!Array.isArray(command.queues) || command.queues.length === 0) throw invalid('claim needs at least one queue');
  const queues = [...new Set(command.queues.map((queue) => checkName('queue', queue)))];
  if (max === 0) return [];
  const heads = readyHeads(tx, queues, max);
  const claimed: Task[] = [];
  for (const head of heads) {
    const task = tx.task(head.id)!;
    const attempt = task.attempts + 1;
    const lease = { workerId: command.workerId, token: tx.nextToken(), expiresAt: tx.time + leaseMs };
    const history = [...task.history, { attempt, workerId: command.workerId, startedAt: tx.time, endedAt: null, error: null }];
    const next = tx.moved(task, 'running', {
      attempts: attempt,
      lease,
      leaseMs,
      startedAt: tx.time,
      finishedAt: null,
      progress: null,
      history: history.slice(-MAX_HISTORY),
    });
    tx.write(task, next);
    claimed.push({ ...next, payload: readPayload(tx.db, task), result: null });
  }
  return claimed;
}

/**
 * Up to `max` ready entries across the queues, in claim order. One bounded range read per queue,
 * then a merge: a batch of claims costs one pass over each queue's head, not a read per claim.
 */
function readyHeads(tx: Txn, queues: string[], max: number): Head[] {
  const perQueue: Head[][] = [];
  for (const queue of queues) {
    if (tx.db.queues.get(queue)?.paused) continue;
    const heads: Head[] = [];
    for (const { key, value } of tx.db.ready.getRange({ start: [queue], end: [queue, 256], limit: max })) {
      heads.push({ key: key as Head['key'], id: value });
    }
    if (heads.length > 0) perQueue.push(heads);
  }
  if (perQueue.length === 1) return perQueue[0]!;
  const merged: Head[] = [];
  const positions = perQueue.map(() => 0);
  while (merged.length < max) {
    let best = -1;
    for (let i = 0; i < perQueue.length; i++) {
      const head = perQueue[i]![positions[i]!];
      if (!head) continue;
      const current = best < 0 ? undefined : perQueue[best]![positions[best]!]!;
      if (!current || head.key[1] < current.key[1] || (head.key[1] === current.key[1] && head.key[2] < current.key[2])) best = i;
    }
    if (best < 0) break;
    merged.push(perQueue[best]![positions[best]!]!);
    positions[best] += 1;
  }
  return merged;
}
