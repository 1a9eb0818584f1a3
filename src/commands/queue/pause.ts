import { Args } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { brokerFlags, outputFlag } from '../../cli/flags.ts';

export default class QueuePause extends TqCommand {
  static override description = 'Pause a queue: its tasks stay pending and no worker gets them until it is resumed';
  static override examples = ['<%= config.bin %> queue pause emails'];
  static override args = { queue: Args.string({ description: 'queue name', required: true }) };
  static override flags = { ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueuePause);
    const { setQueuePaused } = await import('../../cli/admin-commands.ts');
    await setQueuePaused(args.queue, true, flags);
  }
}
