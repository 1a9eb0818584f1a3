import { Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { brokerFlags, outputFlag, readDataDirFlag } from '../cli/flags.ts';

export default class QueueDepth extends TqCommand {
  static override description = 'Show how deep each queue is: pending, scheduled, running, failed and dead tasks, and the age of the oldest pending one';
  static override examples = ['<%= config.bin %> queue-depth', '<%= config.bin %> queue-depth --queue emails --output json'];
  static override flags = {
    queue: Flags.string({ char: 'q', description: 'only this queue' }),
    ...brokerFlags,
    'data-dir': readDataDirFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueueDepth);
    const { showQueueDepth } = await import('../cli/admin-commands.ts');
    await showQueueDepth(flags);
  }
}
