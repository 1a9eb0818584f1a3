import { Args } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { usageError } from '../../cli/errors.ts';
import { brokerFlags, outputFlag, yesFlag } from '../../cli/flags.ts';

export default class QueueDrain extends TqCommand {
  static override description = `Delete a queue's pending tasks for good (running, scheduled and finished ones stay)

Needs --yes: there is no prompt, so scripts and CI behave the same as people.`;
  static override examples = ['<%= config.bin %> queue drain emails --yes'];
  static override args = { queue: Args.string({ description: 'queue name', required: true }) };
  static override flags = { yes: yesFlag, ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueueDrain);
    if (!flags.yes) throw usageError(`this deletes every pending task of queue ${args.queue} for good: add --yes to confirm`);
    const { drainQueue } = await import('../../cli/admin-commands.ts');
    await drainQueue(args.queue, flags);
  }
}
