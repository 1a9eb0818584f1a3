/** What `tq submit` does once its flags are parsed. */
import type { OutputFormat } from './flags.ts';
import { note, print } from './output.ts';
import { prettyJson } from './format.ts';
import { withClient } from './source.ts';
import { chunkBatch, parseBatch, type SubmitFlags, taskFromFlags } from './submit.ts';
import { readInput } from './input.ts';
import { parseWaitTimeout, unsuccessful, waitForTask } from './wait.ts';

export async function runSubmit(flags: SubmitFlags & { broker: string; output: OutputFormat; wait: boolean; 'wait-timeout'?: string }): Promise<void> {
  const input = await taskFromFlags(flags);
  const waitTimeoutMs = parseWaitTimeout(flags['wait-timeout']);
  await withClient(flags.broker, async (client) => {
    const [outcome] = await client.submitMany([input]);
    const { task, created } = outcome!;
    if (!created) note(`tq: idempotency key ${JSON.stringify(input.idempotencyKey)} already names task ${task.id}: nothing new was submitted`);
    if (!flags.wait) {
      // The submit answer leaves the payload out (it can be big): read the whole task back to print it.
      if (flags.output === 'table') print(flags.output, task, () => task.id);
      else print(flags.output, await client.get(task.id), () => task.id);
      return;
    }
    if (process.stderr.isTTY) note(`tq: submitted ${task.id}, waiting for it to finish…`);
    const done = await waitForTask(client, task.id, waitTimeoutMs);
    const failure = unsuccessful(done);
    if (flags.output !== 'table' || !failure) print(flags.output, done, () => prettyJson(done.result));
    if (failure) throw failure;
  });
}

export async function runBatchSubmit(file: string, broker: string, output: OutputFormat): Promise<void> {
  const source = file === '-' ? '--batch-file (stdin)' : `--batch-file ${file}`;
  const tasks = parseBatch(await readInput(file, '--batch-file'), source);
  await withClient(broker, async (client) => {
    const outcomes = (await Promise.all(chunkBatch(tasks).map((chunk) => client.submitMany(chunk)))).flat();
    const created = outcomes.filter((outcome) => outcome.created).length;
    const summary = { count: outcomes.length, created, ids: outcomes.map((outcome) => outcome.task.id) };
    print(output, summary, () => {
      const existing = outcomes.length - created;
      return `submitted ${outcomes.length} task${outcomes.length === 1 ? '' : 's'}${existing > 0 ? ` (${existing} matched an existing idempotency key)` : ''}`;
    });
  });
}
