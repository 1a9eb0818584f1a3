/** `--wait`: wait for a task to finish; a task that ends dead or cancelled is a failure (exit 1). */
import type { TqClient } from '../client/client.ts';
import { parseDuration } from '../config/duration.ts';
import { TqError } from '../model/errors.ts';
import { RemoteError } from '../protocol/errors.ts';
import type { WireTask } from '../protocol/messages.ts';
import { CliError } from './errors.ts';
import { formatDuration, oneLine } from './format.ts';

export function parseWaitTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    const ms = parseDuration(text, '--wait-timeout');
    if (ms <= 0) throw new CliError('--wait-timeout must be more than 0, e.g. 60s');
    return ms;
  } catch (error) {
    if (error instanceof TqError) throw new CliError(error.message);
    throw error;
  }
}

export async function waitForTask(client: TqClient, id: string, timeoutMs: number | undefined): Promise<WireTask> {
  try {
    return await client.wait(id, { timeoutMs });
  } catch (error) {
    if (error instanceof RemoteError && error.code === 'TIMEOUT' && timeoutMs !== undefined) {
      const task = await client.get(id).catch(() => null);
      throw new CliError(`task ${id} did not finish within ${formatDuration(timeoutMs)}${task ? ` (it is ${task.state})` : ''}: see tq status ${id}`, { code: 'TIMEOUT' });
    }
    throw error;
  }
}

/** The error for a task that finished without succeeding, or null when it succeeded. */
export function unsuccessful(task: WireTask): CliError | null {
  if (task.state === 'dead') {
    const attempts = `${task.attempts} attempt${task.attempts === 1 ? '' : 's'}`;
    return new CliError(`task ${task.id} is dead after ${attempts}${task.lastError ? `: ${oneLine(task.lastError)}` : ''}`, { code: 'TASK_DEAD' });
  }
  if (task.state === 'cancelled') return new CliError(`task ${task.id} was cancelled`, { code: 'TASK_CANCELLED' });
  return null;
}
