import { Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { TASK_STATES } from '../model/task.ts';
import { brokerFlags, outputFlag, pageFlags, readDataDirFlag } from '../cli/flags.ts';

export default class List extends TqCommand {
  static override description = `List tasks, the most recent change of state first

Shows one page (--limit, at most 1000); the next page is --cursor with the value printed after it (nextCursor in json and yaml).`;
  static override examples = ['<%= config.bin %> list --state pending --queue emails', '<%= config.bin %> list --state dead --output json', '<%= config.bin %> list --data-dir ./tq-data'];
  static override flags = {
    state: Flags.option({ char: 's', description: 'only tasks in this state', options: TASK_STATES })(),
    queue: Flags.string({ char: 'q', description: 'only tasks of this queue' }),
    type: Flags.string({ char: 't', description: 'only tasks of this type' }),
    ...pageFlags,
    ...brokerFlags,
    'data-dir': readDataDirFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(List);
    const { listTasks } = await import('../cli/task-commands.ts');
    await listTasks(flags, 'tq list');
  }
}
