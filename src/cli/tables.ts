/** The table form of each kind of data the CLI prints: tasks, one task in detail, workers, stats. */
import type { DataInfo } from './local-reader.ts';
import type { BulkOutcome } from '../model/bulk.ts';
import type { Stats } from '../model/stats.ts';
import { PRIORITY_NAMES, TASK_STATES, type TaskState } from '../model/task.ts';
import type { WireTask, WorkerInfo } from '../protocol/messages.ts';
import { age, formatBytes, formatDuration, inline, relativeTime, shortTime, timeWithAge } from './format.ts';
import { fieldTable, listTable } from './table.ts';

const RIGHT = { right: true };
const ID = { fixed: true };
const OPTIONAL = { optional: true };

export function priorityLabel(priority: number): string {
  const name = Object.entries(PRIORITY_NAMES).find(([, value]) => value === priority)?.[0];
  return name ? `${priority} (${name})` : String(priority);
}

function stateLabel(task: WireTask): string {
  return task.cancelRequested && task.state === 'running' ? 'running (cancel requested)' : task.state;
}

/** What happens next, or when it happened, for a list row. */
function whenLabel(task: WireTask, now: number): string {
  if ((task.state === 'scheduled' || task.state === 'failed') && task.runAt !== null) return `runs ${relativeTime(task.runAt, now)}`;
  return relativeTime(task.updatedAt, now);
}

export function taskListTable(tasks: WireTask[], now = Date.now()): string {
  return listTable(
    [['ID', ID], 'TYPE', 'QUEUE', ['PRI', RIGHT], 'STATE', ['ATT', RIGHT], 'WHEN', ['LAST ERROR', OPTIONAL]],
    tasks.map((task) => [
      task.id,
      task.type,
      task.queue,
      String(task.priority),
      stateLabel(task),
      `${task.attempts}/${task.maxRetries + 1}`,
      whenLabel(task, now),
      task.lastError === null ? '' : inline(task.lastError),
    ]),
  );
}

/** Dead tasks: when they died and why. */
export function deadListTable(tasks: WireTask[], now = Date.now()): string {
  return listTable(
    [['ID', ID], 'TYPE', 'QUEUE', ['ATT', RIGHT], 'DIED', 'LAST ERROR'],
    tasks.map((task) => [task.id, task.type, task.queue, String(task.attempts), relativeTime(task.finishedAt ?? task.updatedAt, now), inline(task.lastError)]),
  );
}

export function taskDetail(task: WireTask, now = Date.now()): string {
  const fields: [string, string][] = [
    ['id', task.id],
    ['type', task.type],
    ['queue', task.queue],
    ['state', stateLabel(task)],
    ['priority', priorityLabel(task.priority)],
    ['attempts', `${task.attempts} of at most ${task.maxRetries + 1} (max retries ${task.maxRetries})`],
    ['timeout', formatDuration(task.timeoutMs)],
    ['backoff', `${formatDuration(task.backoffBaseMs)} doubling, up to ${formatDuration(task.backoffCapMs)}`],
  ];
  if (task.runAt !== null) fields.push(['run at', timeWithAge(task.runAt, now)]);
  if (task.idempotencyKey !== null) fields.push(['idempotency key', task.idempotencyKey]);
  if (task.tags.length > 0) fields.push(['tags', task.tags.join(', ')]);
  fields.push(['created', timeWithAge(task.createdAt, now)], ['updated', timeWithAge(task.updatedAt, now)]);
  if (task.startedAt !== null) fields.push(['started', timeWithAge(task.startedAt, now)]);
  if (task.finishedAt !== null) fields.push(['finished', timeWithAge(task.finishedAt, now)]);
  if (task.startedAt !== null && task.finishedAt !== null) fields.push(['took', formatDuration(task.finishedAt - task.startedAt)]);
  if (task.lease) {
    fields.push(['lease', `held by worker ${task.lease.workerId}, token ${task.lease.token}, expires ${relativeTime(task.lease.expiresAt, now)}`]);
  }
  if (task.progress) {
    fields.push(['progress', `${Math.round(task.progress.fraction * 100)}%${task.progress.message ? ` ${task.progress.message}` : ''}`]);
  }
  if (task.lastError !== null) fields.push(['last error', task.lastError]);
  fields.push(['payload', inline(task.payload)]);
  if (task.state === 'succeeded' || task.result !== null) fields.push(['result', inline(task.result)]);
  let text = fieldTable(fields);
  if (task.history.length > 0) {
    text += `\n\nattempts\n${listTable(
      [['#', RIGHT], ['WORKER', ID], 'STARTED', 'TOOK', ['ERROR', OPTIONAL]],
      task.history.map((attempt) => [
        String(attempt.attempt),
        attempt.workerId,
        shortTime(attempt.startedAt),
        attempt.endedAt === null ? 'running' : formatDuration(attempt.endedAt - attempt.startedAt),
        attempt.error === null ? (attempt.endedAt === null ? '' : 'ok') : inline(attempt.error),
      ]),
    )}`;
  }
  return text;
}

export function workersTable(workers: WorkerInfo[], now = Date.now()): string {
  return listTable(
    [['ID', ID], 'NAME', 'HOST', ['PID', RIGHT], 'QUEUES', ['BUSY', RIGHT], 'STATUS', 'HEARTBEAT', ['CPU', RIGHT], ['MEMORY', RIGHT], 'UP'],
    workers.map((worker) => [
      worker.id,
      worker.name,
      worker.host,
      String(worker.pid),
      worker.queues.length > 0 ? worker.queues.join(',') : '*',
      `${worker.running}/${worker.concurrency}`,
      worker.connected ? 'connected' : 'disconnected',
      relativeTime(worker.lastHeartbeatAt, now),
      worker.cpu === null ? '-' : `${Math.round(worker.cpu * 100)}%`,
      formatBytes(worker.memoryBytes),
      age(now - worker.connectedAt),
    ]),
  );
}

const SHOWN_STATES: TaskState[] = TASK_STATES.filter((state) => state !== 'waiting');

/** Tasks per queue and state, then per queue and priority. */
export function statsTables(stats: Stats): string {
  const states = stats.totals.waiting > 0 ? [...TASK_STATES] : SHOWN_STATES;
  const byQueue = listTable(
    ['QUEUE', ...states.map((state): [string, { right: boolean }] => [state.toUpperCase(), RIGHT]), 'PAUSED'],
    [
      ...stats.queues.map((queue) => [queue.name, ...states.map((state) => String(queue.states[state])), queue.paused ? 'yes' : 'no']),
      ['(all)', ...states.map((state) => String(stats.totals[state])), ''],
    ],
  );
  const rows: string[][] = [];
  for (const queue of stats.queues) {
    const priorities = Object.keys(queue.priorities).map(Number).sort((a, b) => b - a);
    for (const priority of priorities) {
      const counts = queue.priorities[String(priority)] ?? {};
      rows.push([queue.name, priorityLabel(priority), ...states.map((state) => String(counts[state] ?? 0))]);
    }
  }
  const byPriority = listTable(['QUEUE', 'PRIORITY', ...states.map((state): [string, { right: boolean }] => [state.toUpperCase(), RIGHT])], rows);
  return `${byQueue}\n\nby priority\n${byPriority}`;
}

export interface QueueDepth {
  name: string;
  paused: boolean;
  pending: number;
  scheduled: number;
  running: number;
  failed: number;
  dead: number;
  oldestPendingAgeMs: number | null;
}

export function queueDepths(stats: Stats, queue?: string): QueueDepth[] {
  return stats.queues
    .filter((entry) => queue === undefined || entry.name === queue)
    .map((entry) => ({
      name: entry.name,
      paused: entry.paused,
      pending: entry.states.pending,
      scheduled: entry.states.scheduled,
      running: entry.states.running,
      failed: entry.states.failed,
      dead: entry.states.dead,
      oldestPendingAgeMs: entry.oldestPendingAgeMs,
    }));
}

export function queueDepthTable(depths: QueueDepth[]): string {
  return listTable(
    ['QUEUE', ['PENDING', RIGHT], ['SCHEDULED', RIGHT], ['RUNNING', RIGHT], ['FAILED', RIGHT], ['DEAD', RIGHT], ['OLDEST PENDING', RIGHT], 'PAUSED'],
    depths.map((depth) => [
      depth.name,
      String(depth.pending),
      String(depth.scheduled),
      String(depth.running),
      String(depth.failed),
      String(depth.dead),
      age(depth.oldestPendingAgeMs),
      depth.paused ? 'yes' : 'no',
    ]),
  );
}

export function dataInfoText(info: DataInfo): string {
  const total = Object.values(info.totals).reduce((sum, count) => sum + count, 0);
  const fields: [string, string][] = [
    ['data dir', info.dataDir],
    ['format version', `${info.formatVersion ?? 'none'} (this tq reads up to ${info.supportedFormatVersion})`],
    ['size on disk', `${formatBytes(info.sizeOnDiskBytes)} (files ${formatBytes(info.fileBytes)})`],
    ['last command', info.lastCommandAt === null ? 'none' : timeWithAge(info.lastCommandAt)],
    ['broker', info.brokerPid === null ? 'none running on it' : `running, pid ${info.brokerPid}`],
    ['tasks', `${total}${total > 0 ? `: ${SHOWN_STATES.filter((state) => info.totals[state] > 0).map((state) => `${info.totals[state]} ${state}`).join(', ')}` : ''}`],
  ];
  let text = fieldTable(fields);
  if (info.queues.length > 0) {
    text += `\n\n${listTable(
      ['QUEUE', ...SHOWN_STATES.map((state): [string, { right: boolean }] => [state.toUpperCase(), RIGHT]), 'PAUSED'],
      info.queues.map((queue) => [queue.name, ...SHOWN_STATES.map((state) => String(queue.states[state])), queue.paused ? 'yes' : 'no']),
    )}`;
  }
  return text;
}

/** `replayed 3 tasks` (+ a note when a bound stopped it short). */
export function bulkLine(verb: string, outcome: BulkOutcome): string {
  return `${verb} ${outcome.count} task${outcome.count === 1 ? '' : 's'}${outcome.more ? ' (more remain: run it again)' : ''}`;
}
