import { Args } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { brokerFlags, outputFlag } from '../cli/flags.ts';

export default class Retry extends TqCommand {
  static override description = 'Retry a failed, dead or cancelled task now: it becomes pending with its attempts reset';
  static override examples = ['<%= config.bin %> retry 0193b3c2-...'];
  static override args = { id: Args.string({ description: 'task id', required: true }) };
  static override flags = { ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Retry);
    const { retryTask } = await import('../cli/task-commands.ts');
    await retryTask(args.id, flags);
  }
}
