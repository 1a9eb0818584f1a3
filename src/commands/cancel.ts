import { Args } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { bulkFlags, bulkTarget } from '../cli/bulk.ts';
import { brokerFlags, outputFlag } from '../cli/flags.ts';

export default class Cancel extends TqCommand {
  static override description = `Cancel a task: pending, scheduled and failed ones at once; a running one when its worker stops it

Many tasks: --queue, --state and --type pick them, --all means every task; either needs --yes (there is no prompt).`;
  static override examples = ['<%= config.bin %> cancel 0193b3c2-...', '<%= config.bin %> cancel --queue emails --state pending --yes', '<%= config.bin %> cancel --all --yes'];
  static override args = { id: Args.string({ description: 'task id (or name many with --queue/--state/--type or --all)' }) };
  static override flags = { ...bulkFlags, ...brokerFlags, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Cancel);
    const target = bulkTarget('cancel', args.id, flags);
    if ('many' in target) {
      const { changeMany } = await import('../cli/admin-commands.ts');
      return changeMany('cancel', target.many, flags);
    }
    const { cancelTask } = await import('../cli/task-commands.ts');
    await cancelTask(target.id, flags);
  }
}
