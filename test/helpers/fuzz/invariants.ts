/**
 * What must hold of a broker whatever it was sent, checked from outside: it is alive and no signal
 * ended it, a separate healthy connection is served, the stats add up, every task acknowledged in
 * the queue nobody else touches is still there, and its memory stays bounded.
 */
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { TASK_STATES } from '../../../src/model/task.ts';
import type { Stats } from '../../../src/model/stats.ts';
import type { RawSession } from '../protocol.ts';
import { KEEP_QUEUE } from './requests.ts';

/** Why the process is not running (exit code or signal), or undefined while it runs. */
export function deadProcess(proc: ChildProcess): string | undefined {
  if (proc.signalCode !== null) return `killed by ${proc.signalCode}`;
  if (proc.exitCode !== null) return `exited with ${proc.exitCode}`;
  return undefined;
}

/** The resident set of a process in bytes, from /proc/PID/status; undefined once it is gone. */
export function rssOf(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  // Anonymous memory only: the pages of data.mdb that LMDB maps count in VmRSS too, and grow with
  // the data (the kernel takes them back at will); the broker's own memory is anonymous.
  const match = /^RssAnon:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1_024 : undefined;
}

/** Waits up to `ms` for the process to be reaped, so that a death is told apart from a hang. */
export async function settleProcess(proc: ChildProcess, ms: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    proc.once('exit', () => resolve(clearTimeout(timer)));
  });
}

/** Where the stats do not add up: totals against the queues, each queue's states against its priorities. */
export function statsProblems(stats: Stats): string[] {
  const problems: string[] = [];
  for (const state of TASK_STATES) {
    const sum = stats.queues.reduce((total, queue) => total + (queue.states[state] ?? 0), 0);
    if (stats.totals[state] !== sum) problems.push(`totals.${state} is ${stats.totals[state]} but the queues hold ${sum}`);
    for (const queue of stats.queues) {
      const count = queue.states[state] ?? 0;
      if (!Number.isSafeInteger(count) || count < 0) problems.push(`queue ${queue.name} has ${count} ${state} tasks`);
      const byPriority = Object.values(queue.priorities).reduce((total, states) => total + (states[state] ?? 0), 0);
      if (byPriority !== count) problems.push(`queue ${queue.name}: ${count} ${state} tasks but ${byPriority} across its priorities`);
    }
  }
  return problems;
}

/** Answers within `ms`, or rejects saying what did not answer. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]);
}

/** Tasks submitted on the healthy connection, in the queue no fuzz request names: none may disappear. */
export class Survivors {
  readonly ids: string[] = [];
  private readonly client: RawSession;

  constructor(client: RawSession) {
    this.client = client;
  }

  /** Submits `count` tasks due in a year (so no worker ever claims them) and remembers their ids. */
  async submit(count: number): Promise<void> {
    const tasks = Array.from({ length: count }, (_, i) => ({ type: 'keep', queue: KEEP_QUEUE, payload: { i }, runAt: Date.now() + 365 * 86_400_000 }));
    const outcomes = await this.client.request<{ task: { id: string } }[]>('submit', { tasks });
    this.ids.push(...outcomes.map((outcome) => outcome.task.id));
  }

  /** Ids not readable any more (or read back wrong), with why. */
  async missing(ids = this.ids): Promise<string[]> {
    const answers = await Promise.allSettled(this.client.requestMany<{ id: string; queue: string }>(ids.map((id) => ({ op: 'get', args: { id } }))));
    return answers.flatMap((answer, i) => {
      if (answer.status === 'rejected') return [`${ids[i]}: ${(answer.reason as Error).message}`];
      if (answer.value.id !== ids[i] || answer.value.queue !== KEEP_QUEUE) return [`${ids[i]}: read back as ${answer.value.id} in ${answer.value.queue}`];
      return [];
    });
  }
}
