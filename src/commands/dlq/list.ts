import { Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { brokerFlags, outputFlag, pageFlags, readDataDirFlag } from '../../cli/flags.ts';

export default class DlqList extends TqCommand {
  static override description = 'List the dead-letter queue: tasks that used up their retries, with their last error';
  static override examples = ['<%= config.bin %> dlq list', '<%= config.bin %> dlq list --queue emails --output json'];
  static override flags = {
    queue: Flags.string({ char: 'q', description: 'only dead tasks of this queue' }),
    type: Flags.string({ char: 't', description: 'only dead tasks of this type' }),
    ...pageFlags,
    ...brokerFlags,
    'data-dir': readDataDirFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DlqList);
    const { listDead } = await import('../../cli/task-commands.ts');
    await listDead(flags);
  }
}
