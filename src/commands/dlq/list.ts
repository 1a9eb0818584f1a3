import { Flags } from '@oclif/core';
import { TqCommand } from '../../ui/command.ts';
import { brokerFlag, outputFlag, readDataDirFlag } from '../../ui/flags.ts';

export default class DlqList extends TqCommand {
  static override description = 'List the dead-letter queue: tasks that used up their retries, with their last error';
  static override examples = ['<%= config.bin %> dlq list', '<%= config.bin %> dlq list --queue emails --output json'];
  static override flags = {
    queue: Flags.string({ char: 'q', description: 'only dead tasks of this queue' }),
    type: Flags.string({ char: 't', description: 'only dead tasks of this type' }),
    limit: Flags.integer({ char: 'l', description: 'tasks per page, 1-1000 [default: 100]', min: 1, max: 1000 }),
    cursor: Flags.string({ description: 'continue after an earlier page: its nextCursor' }),
    broker: brokerFlag,
    'data-dir': readDataDirFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DlqList);
    const { listDead } = await import('../../ui/task-commands.ts');
    await listDead(flags);
  }
}
