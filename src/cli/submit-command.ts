/** What `tq submit` does once its flags are parsed. */
import type { Submitted } from '../protocol/messages.ts';
import type { BrokerTarget, OutputFormat } from './flags.ts';
import { note, print } from './output.ts';
import { prettyJson } from './format.ts';
import { withClient } from './source.ts';
import { chunkBatch, parseBatch, type SubmitFlags, taskFromFlags } from './submit.ts';
import { readInput } from './input.ts';
import { parseWaitTimeout, unsuccessful, waitForTask } from './wait.ts';

export async function runSubmit(flags: SubmitFlags & BrokerTarget & { output: OutputFormat; wait: boolean; 'wait-timeout'?: string }): Promise<void> {
  const input = await taskFromFlags(flags);
  const waitTimeoutMs = parseWaitTimeout(flags['wait-timeout']);
  await withClient(flags, async (client) => {
    const [{ id, created }] = (await client.submitMany([input])) as [Submitted];
    if (!created) note(`tq: idempotency key ${JSON.stringify(input.idempotencyKey)} already names task ${id}: nothing new was submitted`);
    if (!flags.wait) {
      // The submit answers the id: read the whole task back to print it.
      if (flags.output === 'table') print(flags.output, { id }, () => id);
      else print(flags.output, await client.get(id), () => id);
      return;
    }
    if (process.stderr.isTTY) note(`tq: submitted ${id}, waiting for it to finish…`);
    const done = await waitForTask(client, id, waitTimeoutMs);
    const failure = unsuccessful(done);
    if (flags.output !== 'table' || !failure) print(flags.output, done, () => prettyJson(done.result));
    if (failure) throw failure;
  });
}

export async function runBatchSubmit(file: string, target: BrokerTarget, output: OutputFormat): Promise<void> {
  const source = file === '-' ? '--batch-file (stdin)' : `--batch-file ${file}`;
  const tasks = parseBatch(await readInput(file, '--batch-file'), source);
  await withClient(target, async (client) => {
    const outcomes = (await Promise.all(chunkBatch(tasks).map((chunk) => client.submitMany(chunk)))).flat();
    const created = outcomes.filter((outcome) => outcome.created).length;
    const summary = { count: outcomes.length, created, ids: outcomes.map((outcome) => outcome.id) };
    print(output, summary, () => {
      const existing = outcomes.length - created;
      return `submitted ${outcomes.length} task${outcomes.length === 1 ? '' : 's'}${existing > 0 ? ` (${existing} matched an existing idempotency key)` : ''}`;
    });
  });
}
