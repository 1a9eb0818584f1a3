/** What the admin commands do once their flags are parsed: workers, stats, queues, DLQ, data. */
import { resolve } from 'node:path';
import type { TqClient } from '../client/client.ts';
import type { BulkOutcome } from '../model/bulk.ts';
import { checkName } from '../model/task.ts';
import { CliError } from './errors.ts';
import type { OutputFormat } from './flags.ts';
import { note, print } from './output.ts';
import { defined, withClient, withLocal, withReader } from './source.ts';
import { bulkLine, dataInfoText, queueDepths, queueDepthTable, statsTables, workersTable } from './tables.ts';

interface BrokerFlags {
  broker: string;
  output: OutputFormat;
}

interface ReadFlags extends BrokerFlags {
  'data-dir'?: string;
}

export async function showWorkers(flags: BrokerFlags): Promise<void> {
  await withClient(flags.broker, async (client) => {
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
  const queue = flags.queue === undefined ? undefined : checked(() => checkName('queue', flags.queue));
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

export async function replayDead(ids: string[], flags: BrokerFlags & { all?: boolean; queue?: string }): Promise<void> {
  await withClient(flags.broker, async (client: TqClient) => {
    const outcome = ids.length > 0 ? await client.dlqReplay({ ids }) : await untilDone(() => client.dlqReplay(defined({ queue: flags.queue })));
    print(flags.output, outcome, () => bulkLine('replayed', outcome));
  });
}

export async function purgeDead(flags: BrokerFlags & { queue?: string }): Promise<void> {
  await withClient(flags.broker, async (client) => {
    const outcome = await untilDone(() => client.dlqPurge(defined({ queue: flags.queue })));
    print(flags.output, outcome, () => bulkLine('purged', outcome));
  });
}

export async function drainQueue(queue: string, flags: BrokerFlags): Promise<void> {
  await withClient(flags.broker, async (client) => {
    const outcome = await untilDone(() => client.request('drainQueue', { queue }));
    print(flags.output, { queue, ...outcome }, () => `${bulkLine('drained', outcome)} from queue ${queue}`);
  });
}

export async function setQueuePaused(queue: string, paused: boolean, flags: BrokerFlags): Promise<void> {
  await withClient(flags.broker, async (client) => {
    const info = paused ? await client.pauseQueue(queue) : await client.resumeQueue(queue);
    print(flags.output, info, () => `queue ${info.name} ${info.paused ? 'paused: workers get none of its tasks until `tq queue resume`' : 'resumed'}`);
  });
}

export async function backupData(dir: string, flags: ReadFlags): Promise<void> {
  const target = resolve(dir);
  if (flags['data-dir'] !== undefined) {
    await withLocal(flags['data-dir'], (reader) => reader.backup(target));
  } else {
    await withClient(flags.broker, (client) => client.backup(target));
  }
  print(flags.output, { dir: target }, () => `backed up to ${target}`);
}

export async function showDataInfo(dataDir: string, flags: { output: OutputFormat }): Promise<void> {
  await withLocal(dataDir, async (reader) => {
    const info = await reader.info();
    print(flags.output, info, () => dataInfoText(info));
  });
}

function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new CliError(`--queue: ${(error as Error).message}`);
  }
}
