import { Args } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { brokerFlags, outputFlag } from '../../cli/flags.ts';

export default class QueueResume extends TqCommand {
  static override description = 'Resume a paused queue: workers get its tasks again';
  static override examples = ['<%= config.bin %> queue resume emails'];
  static override args = { queue: Args.string({ description: 'queue name', required: true }) };
  static override flags = { ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueueResume);
    const { setQueuePaused } = await import('../../cli/admin-commands.ts');
    await setQueuePaused(args.queue, false, flags);
  }
}
