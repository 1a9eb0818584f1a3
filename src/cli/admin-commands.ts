/** What the admin commands do once their flags are parsed: workers, stats, queues, DLQ, data. */
import { resolve } from 'node:path';
import type { TqClient } from '../client/client.ts';
import { parseDuration } from '../config/duration.ts';
import type { BulkOutcome, TaskFilter } from '../model/bulk.ts';
import { QUEUE_SETTINGS, queueInfo, type QueueInfo, type QueueSetting, type QueueSettingsPatch } from '../model/queue.ts';
import { checkName } from '../model/task.ts';
import { CliError } from './errors.ts';
import type { BrokerTarget, OutputFormat } from './flags.ts';
import { formatDuration } from './format.ts';
import { note, print } from './output.ts';
import { defined, withClient, withLocal, withReader } from './source.ts';
import { fieldTable } from './table.ts';
import { bulkLine, dataInfoText, queueDepths, queueDepthTable, statsTables, workersTable } from './tables.ts';

interface BrokerFlags extends BrokerTarget {
  output: OutputFormat;
}

interface ReadFlags extends BrokerFlags {
  'data-dir'?: string;
}

export async function showWorkers(flags: BrokerFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const workers = await client.workers();
    if (flags.output === 'table' && workers.length === 0) note('no workers connected: start one with `tq worker start`');
    else print(flags.output, { workers }, () => workersTable(workers));
  });
}

export async function showStats(flags: ReadFlags): Promise<void> {
  await withReader(flags, async (reader) => {
    const stats = await reader.stats();
    print(flags.output, stats, () => (stats.queues.length === 0 ? 'no tasks yet' : statsTables(stats)));
  });
}

export async function showQueueDepth(flags: ReadFlags & { queue?: string }): Promise<void> {
  const queue = flags.queue === undefined ? undefined : checked('--queue', () => checkName('queue', flags.queue));
  await withReader(flags, async (reader) => {
    const depths = queueDepths(await reader.stats(), queue);
    if (queue !== undefined && depths.length === 0) {
      depths.push({ name: queue, paused: false, pending: 0, scheduled: 0, running: 0, failed: 0, dead: 0, oldestPendingAgeMs: null });
    }
    if (flags.output === 'table' && depths.length === 0) note('no queues yet: a queue appears with its first task');
    else print(flags.output, { queues: depths }, () => queueDepthTable(depths));
  });
}

/** Repeats a bounded bulk change until nothing more is left, summing the counts. */
async function untilDone(step: () => Promise<BulkOutcome>): Promise<BulkOutcome> {
  let count = 0;
  for (;;) {
    const outcome = await step();
    count += outcome.count;
    if (!outcome.more || outcome.count === 0) return { count, more: outcome.more };
  }
}

/** Cancels or retries every task the filter matches (or every task), a bounded batch at a time. */
export async function changeMany(verb: 'cancel' | 'retry', filter: TaskFilter | 'all', flags: BrokerFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const outcome = await untilDone(() => (verb === 'cancel' ? client.cancelWhere(filter) : client.retryWhere(filter)));
    print(flags.output, outcome, () => bulkLine(verb === 'cancel' ? 'cancelled' : 'retried', outcome));
  });
}

export async function replayDead(ids: string[], flags: BrokerFlags & { all?: boolean; queue?: string }): Promise<void> {
  await withClient(flags, async (client: TqClient) => {
    const outcome = ids.length > 0 ? await client.dlqReplay({ ids }) : await untilDone(() => client.dlqReplay(defined({ queue: flags.queue })));
    print(flags.output, outcome, () => bulkLine('replayed', outcome));
  });
}

export async function purgeDead(flags: BrokerFlags & { queue?: string }): Promise<void> {
  const which = flags.queue === undefined ? { all: true } : { queue: flags.queue };
  await withClient(flags, async (client) => {
    const outcome = await untilDone(() => client.dlqPurge(which));
    print(flags.output, outcome, () => bulkLine('purged', outcome));
  });
}

export async function drainQueue(queue: string, flags: BrokerFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const outcome = await untilDone(() => client.request('drainQueue', { queue }));
    print(flags.output, { queue, ...outcome }, () => `${bulkLine('drained', outcome)} from queue ${queue}`);
  });
}

export async function setQueuePaused(queue: string, paused: boolean, flags: BrokerFlags): Promise<void> {
  await withClient(flags, async (client) => {
    const info = paused ? await client.pauseQueue(queue) : await client.resumeQueue(queue);
    print(flags.output, info, () => `queue ${info.name} ${info.paused ? 'paused: workers get none of its tasks until `tq queue resume`' : 'resumed'}`);
  });
}

interface QueueConfigFlags extends BrokerFlags {
  'max-retries'?: string;
  timeout?: string;
  backoff?: string;
}

/** With setting flags, changes the queue's settings; without, prints them. Either way prints the queue. */
export async function configureQueue(queue: string, flags: QueueConfigFlags): Promise<void> {
  checkName('queue', queue);
  const patch = settingsPatch(flags);
  await withClient(flags, async (client) => {
    const info =
      Object.keys(patch).length > 0
        ? await client.configureQueue(queue, patch)
        : ((await client.queues()).find((each) => each.name === queue) ?? queueInfo(queue, false, {}));
    print(flags.output, info, () => queueSettingsText(info));
  });
}

/** The flags as a patch: "default" is null (back to the default), a flag left out is left out. */
function settingsPatch(flags: QueueConfigFlags): QueueSettingsPatch {
  const patch: QueueSettingsPatch = {};
  const count = (text: string) => (/^\d+$/.test(text) ? Number(text) : Number.NaN);
  const duration = (flag: string) => (text: string) => parseDuration(text, flag);
  if (flags['max-retries'] !== undefined) patch.maxRetries = setting('--max-retries', 'maxRetries', flags['max-retries'], count, String);
  if (flags.timeout !== undefined) patch.timeoutMs = setting('--timeout', 'timeoutMs', flags.timeout, duration('--timeout'), formatDuration);
  if (flags.backoff === 'default') {
    patch.backoffBaseMs = null;
    patch.backoffCapMs = null;
  } else if (flags.backoff !== undefined) {
    const [base, cap, extra] = flags.backoff.split('..');
    if (cap === undefined || extra !== undefined || (base === '' && cap === '')) {
      throw new CliError(`--backoff ${JSON.stringify(flags.backoff)} is invalid: use BASE..CAP, e.g. 1s..1h (BASE.. or ..CAP sets one), or default`);
    }
    if (base !== '') patch.backoffBaseMs = setting('--backoff', 'backoffBaseMs', base!, duration('--backoff'), formatDuration);
    if (cap !== '') patch.backoffCapMs = setting('--backoff', 'backoffCapMs', cap, duration('--backoff'), formatDuration);
  }
  return patch;
}

/** One setting from its flag: null for "default", else a number in the setting's range. */
function setting(flag: string, key: QueueSetting, text: string, parse: (text: string) => number, show: (value: number) => string): number | null {
  if (text === 'default') return null;
  const value = parse(text);
  if (Number.isNaN(value)) throw new CliError(`${flag} ${JSON.stringify(text)} is invalid: use a whole number, e.g. 5, or default`);
  const { min, max } = QUEUE_SETTINGS[key];
  if (value < min || value > max) throw new CliError(`${flag} ${JSON.stringify(text)} is out of range: use ${show(min)} to ${show(max)}`);
  return value;
}

function queueSettingsText(info: QueueInfo): string {
  const shown = (key: QueueSetting, text: string) => (info.overrides.includes(key) ? text : `${text} (default)`);
  return fieldTable([
    ['queue', info.name],
    ['paused', info.paused ? 'yes' : 'no'],
    ['max retries', shown('maxRetries', String(info.maxRetries))],
    ['timeout', shown('timeoutMs', formatDuration(info.timeoutMs))],
    ['backoff base', shown('backoffBaseMs', formatDuration(info.backoffBaseMs))],
    ['backoff cap', shown('backoffCapMs', formatDuration(info.backoffCapMs))],
  ]);
}

export async function backupData(dir: string, flags: ReadFlags): Promise<void> {
  const target = resolve(dir);
  if (flags['data-dir'] !== undefined) {
    await withLocal(flags['data-dir'], (reader) => reader.backup(target));
  } else {
    await withClient(flags, (client) => client.backup(target));
  }
  print(flags.output, { dir: target }, () => `backed up to ${target}`);
}

export async function showDataInfo(dataDir: string, flags: { output: OutputFormat }): Promise<void> {
  await withLocal(dataDir, async (reader) => {
    const info = await reader.info();
    print(flags.output, info, () => dataInfoText(info));
  });
}

function checked<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new CliError(`${flag}: ${(error as Error).message}`);
  }
}
