import { Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { usageError } from '../../cli/errors.ts';
import { brokerFlags, outputFlag, yesFlag } from '../../cli/flags.ts';

export default class DlqPurge extends TqCommand {
  static override description = `Delete dead tasks for good: one queue's (--queue), or every queue's (--all)

Needs --yes: there is no prompt, so scripts and CI behave the same as people.`;
  static override examples = ['<%= config.bin %> dlq purge --queue emails --yes', '<%= config.bin %> dlq purge --all --yes'];
  static override flags = {
    queue: Flags.string({ char: 'q', description: 'only dead tasks of this queue' }),
    all: Flags.boolean({ description: 'dead tasks of every queue' }),
    yes: yesFlag,
    ...brokerFlags,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DlqPurge);
    if (Boolean(flags.all) === (flags.queue !== undefined)) throw usageError('name the dead tasks to purge: --queue Q for one queue, or --all for every queue');
    if (!flags.yes) {
      throw usageError(`this deletes every dead task${flags.queue === undefined ? '' : ` of queue ${flags.queue}`} for good: add --yes to confirm`);
    }
    const { purgeDead } = await import('../../cli/admin-commands.ts');
    await purgeDead(flags);
  }
}
