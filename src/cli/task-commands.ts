/** What the task commands do once their flags are parsed: status, list, cancel, retry. */
import type { TaskState } from '../model/task.ts';
import type { WireTask } from '../protocol/messages.ts';
import type { BrokerTarget, OutputFormat } from './flags.ts';
import { note, print } from './output.ts';
import { defined, withClient, withReader } from './source.ts';
import { deadListTable, taskDetail, taskListTable } from './tables.ts';
import { parseWaitTimeout, unsuccessful, waitForTask } from './wait.ts';

interface ReadFlags extends BrokerTarget {
  'data-dir'?: string;
  output: OutputFormat;
}

export async function showStatus(id: string, flags: ReadFlags & { wait: boolean; 'wait-timeout'?: string }): Promise<void> {
  if (flags.wait) {
    const timeoutMs = parseWaitTimeout(flags['wait-timeout']);
    await withClient(flags, async (client) => {
      await client.get(id); // an unknown id fails now, not after the wait
      const task = await waitForTask(client, id, timeoutMs);
      print(flags.output, task, () => taskDetail(task));
      const failure = unsuccessful(task);
      if (failure) throw failure;
    });
    return;
  }
  await withReader(flags, async (reader) => {
    const task = await reader.get(id);
    print(flags.output, task, () => taskDetail(task));
  });
}

export interface ListFlags extends ReadFlags {
  state?: TaskState;
  queue?: string;
  type?: string;
  limit?: number;
  cursor?: string;
}

/** One page of tasks; in table form a hint on stderr tells how to get the next one. */
export async function listTasks(flags: ListFlags, command: string, table: (tasks: WireTask[]) => string = taskListTable): Promise<void> {
  await withReader(flags, async (reader) => {
    const page = await reader.list(defined({ state: flags.state, queue: flags.queue, type: flags.type, limit: flags.limit, cursor: flags.cursor }));
    if (flags.output !== 'table') {
      print(flags.output, page, () => '');
      return;
    }
    if (page.tasks.length === 0) note(flags.cursor === undefined ? 'no tasks found' : 'no more tasks');
    else print(flags.output, page, () => table(page.tasks));
    if (page.nextCursor !== null) note(`more: ${command}${nextPageArgs(flags)} --cursor ${page.nextCursor}`);
  });
}

function nextPageArgs(flags: ListFlags): string {
  const parts: string[] = [];
  if (flags.state !== undefined) parts.push(`--state ${flags.state}`);
  if (flags.queue !== undefined) parts.push(`--queue ${flags.queue}`);
  if (flags.type !== undefined) parts.push(`--type ${flags.type}`);
  if (flags.limit !== undefined) parts.push(`--limit ${flags.limit}`);
  if (flags['data-dir'] !== undefined) parts.push(`--data-dir ${flags['data-dir']}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

export function listDead(flags: Omit<ListFlags, 'state'>): Promise<void> {
  return listTasks({ ...flags, state: 'dead' }, 'tq dlq list', (tasks) => deadListTable(tasks));
}

export async function cancelTask(id: string, flags: { broker: string; output: OutputFormat }): Promise<void> {
  await withClient(flags, async (client) => {
    const task = await client.cancel(id);
    print(flags.output, task, () =>
      task.state === 'running'
        ? `cancel requested: ${task.id} is running; it ends cancelled when its worker stops it`
        : `cancelled ${task.id}`,
    );
  });
}

export async function retryTask(id: string, flags: { broker: string; output: OutputFormat }): Promise<void> {
  await withClient(flags, async (client) => {
    const task = await client.retry(id);
    print(flags.output, task, () => `retried ${task.id}: it is ${task.state} again, attempts reset`);
  });
}
