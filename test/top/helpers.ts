/** Shared by the `tq top` tests: a broker with a backlog in several queues, and screen polling. */
import { TqClient } from '../../src/client/client.ts';
import type { TaskInput } from '../../src/protocol/messages.ts';
import { eventually } from '../helpers/broker.ts';

/**
 * The backlog the tests look at (no worker serves these queues, so it stays):
 * `emails` 10 pending (3 urgent, 5 normal, 2 low), `reports` 4 pending, `billing` 2 that a worker
 * fails for good (dead, error "card declined") when the test runs one on `billing`.
 */
export async function submitBacklog(client: TqClient): Promise<void> {
  const tasks: TaskInput[] = [
    ...Array.from({ length: 3 }, () => ({ type: 'echo', queue: 'emails', priority: 'urgent' })),
    ...Array.from({ length: 5 }, () => ({ type: 'echo', queue: 'emails', priority: 'normal' })),
    ...Array.from({ length: 2 }, () => ({ type: 'echo', queue: 'emails', priority: 'low' })),
    ...Array.from({ length: 4 }, () => ({ type: 'echo', queue: 'reports' })),
    ...Array.from({ length: 2 }, () => ({ type: 'fail', queue: 'billing', maxRetries: 0, payload: { message: 'card declined' } })),
  ];
  await client.submitMany(tasks);
}

/** Waits until `screen()` matches every pattern; fails with the last screen seen. */
export async function screenShows(screen: () => string | undefined, patterns: RegExp[], what: string, timeoutMs = 15_000): Promise<string> {
  let last = '';
  try {
    return await eventually(() => {
      last = screen() ?? '';
      return patterns.every((pattern) => pattern.test(last)) ? last : undefined;
    }, timeoutMs, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the screen was:\n${last}`);
  }
}

/** The screen line that starts the row of `queue` in the queue table (marker included). */
export function queueRow(screen: string, queue: string): string | undefined {
  return screen.split('\n').find((line) => new RegExp(`^[› ] ${queue}\\b`).test(line));
}
