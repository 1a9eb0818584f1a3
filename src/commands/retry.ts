import { Args } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { bulkFlags, bulkTarget } from '../cli/bulk.ts';
import { brokerFlags, outputFlag } from '../cli/flags.ts';

export default class Retry extends TqCommand {
  static override description = `Retry a failed, dead or cancelled task now: it becomes pending with its attempts reset

Many tasks: --queue, --state and --type pick them, --all means every one; either needs --yes (there is no prompt).`;
  static override examples = ['<%= config.bin %> retry 0193b3c2-...', '<%= config.bin %> retry --queue emails --state dead --yes'];
  static override args = { id: Args.string({ description: 'task id (or name many with --queue/--state/--type or --all)' }) };
  static override flags = { ...bulkFlags, ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Retry);
    const target = bulkTarget('retry', args.id, flags);
    if ('many' in target) {
      const { changeMany } = await import('../cli/admin-commands.ts');
      return changeMany('retry', target.many, flags);
    }
    const { retryTask } = await import('../cli/task-commands.ts');
    await retryTask(target.id, flags);
  }
}
