import { Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { usageError } from '../../cli/errors.ts';
import { brokerFlags, outputFlag, yesFlag } from '../../cli/flags.ts';

export default class DlqPurge extends TqCommand {
  static override description = `Delete dead tasks for good (all of them, or one queue's)

Needs --yes: there is no prompt, so scripts and CI behave the same as people.`;
  static override examples = ['<%= config.bin %> dlq purge --yes', '<%= config.bin %> dlq purge --queue emails --yes'];
  static override flags = {
    queue: Flags.string({ char: 'q', description: 'only dead tasks of this queue' }),
    yes: yesFlag,
    ...brokerFlags,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DlqPurge);
    if (!flags.yes) {
      throw usageError(`this deletes every dead task${flags.queue === undefined ? '' : ` of queue ${flags.queue}`} for good: add --yes to confirm`);
    }
    const { purgeDead } = await import('../../cli/admin-commands.ts');
    await purgeDead(flags);
  }
}
