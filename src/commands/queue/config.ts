import { Args, Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { brokerFlags, outputFlag } from '../../cli/flags.ts';

export default class QueueConfig extends TqCommand {
  static override description = `Show or change a queue's settings: the retries, timeout and backoff its new tasks get

Without flags, prints the queue's settings. A flag changes one setting for the tasks submitted from then on (a task's own --max-retries or --timeout still wins); the value "default" puts it back to tq's default. The settings live in the broker's data, so every broker of a cluster agrees; the broker's config file (queues:) only seeds them on its first start.`;
  static override examples = [
    '<%= config.bin %> queue config emails',
    '<%= config.bin %> queue config emails --max-retries 5 --timeout 2m --backoff 1s..1h',
    '<%= config.bin %> queue config emails --timeout default --output json',
  ];
  static override args = { queue: Args.string({ description: 'queue name', required: true }) };
  static override flags = {
    'max-retries': Flags.string({ description: 'retries after the first attempt before a task goes dead, or "default" [default: 3]', helpValue: 'N' }),
    timeout: Flags.string({ description: 'time limit of one attempt, e.g. 2m, or "default" [default: 30m]', helpValue: 'DURATION' }),
    backoff: Flags.string({
      description: 'delay before a retry: BASE..CAP doubles from BASE up to CAP (BASE.. or ..CAP sets one), or "default" [default: 1s..1h]',
      helpValue: 'BASE..CAP',
    }),
    ...brokerFlags,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueueConfig);
    const { configureQueue } = await import('../../cli/admin-commands.ts');
    await configureQueue(args.queue, flags);
  }
}
