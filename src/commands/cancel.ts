import { Args } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { brokerFlags, outputFlag } from '../cli/flags.ts';

export default class Cancel extends TqCommand {
  static override description = 'Cancel a task: pending, scheduled and failed ones at once; a running one when its worker stops it';
  static override examples = ['<%= config.bin %> cancel 0193b3c2-...'];
  static override args = { id: Args.string({ description: 'task id', required: true }) };
  static override flags = { ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Cancel);
    const { cancelTask } = await import('../cli/task-commands.ts');
    await cancelTask(args.id, flags);
  }
}
