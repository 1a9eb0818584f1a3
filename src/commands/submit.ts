import { Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { usageError } from '../cli/errors.ts';
import { brokerFlags, conflicts, outputFlag, waitTimeoutFlag } from '../cli/flags.ts';

const PER_TASK = ['type', 'payload', 'payload-file', 'queue', 'priority', 'delay', 'at', 'max-retries', 'timeout', 'idempotency-key', 'tag', 'wait', 'wait-timeout'];

export default class Submit extends TqCommand {
  static override description = `Submit a task, or many with --batch-file

Prints the new task's id (the whole task with --output json|yaml). With --wait, waits until the task finishes and prints its result; exits 1 if it ends dead or cancelled, or on --wait-timeout. A payload of {"$base64": "..."} is sent as binary.

--batch-file reads JSON lines, one task per line: {"type", "payload", "queue", "priority", "delayMs" or "delay", "runAt" (epoch ms or ISO-8601), "maxRetries", "timeoutMs" or "timeout", "idempotencyKey", "tags"}. Every line is checked first: a bad line submits nothing.`;

  static override examples = [
    `<%= config.bin %> submit --type echo --payload '{"hello":"world"}' --wait`,
    '<%= config.bin %> submit --type report --payload-file job.json --queue reports --priority high --delay 5m',
    'cat tasks.jsonl | <%= config.bin %> submit --batch-file -',
  ];

  static override flags = {
    type: Flags.string({ char: 't', description: 'task type, e.g. echo, sleep, fail, exec or your own handler name' }),
    payload: Flags.string({ description: 'payload as JSON', helpValue: 'JSON' }),
    'payload-file': Flags.string({ description: 'read the JSON payload from a file, - for stdin', helpValue: 'FILE' }),
    queue: Flags.string({ char: 'q', description: 'queue [default: default]' }),
    priority: Flags.string({ char: 'p', description: 'urgent, high, normal, low or 0-255 (higher runs first) [default: normal]' }),
    delay: Flags.string({ description: 'run no sooner than this from now, e.g. 30s, 5m', helpValue: 'DURATION' }),
    at: Flags.string({ description: 'run no sooner than this time (ISO-8601)', helpValue: 'TIME' }),
    'max-retries': Flags.integer({ description: 'retries after the first attempt before the task goes dead [default: 3]', min: 0 }),
    timeout: Flags.string({ description: 'time limit of one attempt, e.g. 30s [default: 30m]', helpValue: 'DURATION' }),
    'idempotency-key': Flags.string({ description: 'a second submit with the same key returns the first task instead', helpValue: 'KEY' }),
    tag: Flags.string({ description: 'a tag (repeatable)', multiple: true }),
    wait: Flags.boolean({ char: 'w', description: 'wait until the task finishes and print its result' }),
    'wait-timeout': waitTimeoutFlag,
    'batch-file': Flags.string({ description: 'submit many tasks from a JSON-lines file, - for stdin', helpValue: 'FILE' }),
    ...brokerFlags,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Submit);
    const conflict = conflicts(flags, [
      ['batch-file', PER_TASK, 'with --batch-file each line gives its own task fields'],
      ['payload', ['payload-file']],
      ['delay', ['at']],
    ]);
    if (conflict) throw usageError(conflict);
    if (flags['wait-timeout'] !== undefined && !flags.wait) throw usageError('--wait-timeout needs --wait');
    const { runSubmit, runBatchSubmit } = await import('../cli/submit-command.ts');
    if (flags['batch-file'] !== undefined) await runBatchSubmit(flags['batch-file'], flags, flags.output);
    else await runSubmit({ ...flags, wait: flags.wait ?? false });
  }
}
