import { Flags } from '@oclif/core';
import { TqCommand } from '../ui/command.ts';
import { brokerFlag, outputFlag, readDataDirFlag } from '../ui/flags.ts';

const STATES = ['waiting', 'scheduled', 'pending', 'running', 'succeeded', 'failed', 'dead', 'cancelled'] as const;

export default class List extends TqCommand {
  static override description = `List tasks, the most recent change of state first

Shows one page (--limit, at most 1000); the next page is --cursor with the value printed after it (nextCursor in json and yaml).`;
  static override examples = ['<%= config.bin %> list --state pending --queue emails', '<%= config.bin %> list --state dead --output json', '<%= config.bin %> list --data-dir ./tq-data'];
  static override flags = {
    state: Flags.option({ char: 's', description: 'only tasks in this state', options: STATES })(),
    queue: Flags.string({ char: 'q', description: 'only tasks of this queue' }),
    type: Flags.string({ char: 't', description: 'only tasks of this type' }),
    limit: Flags.integer({ char: 'l', description: 'tasks per page, 1-1000 [default: 100]', min: 1, max: 1000 }),
    cursor: Flags.string({ description: 'continue after an earlier page: its nextCursor' }),
    broker: brokerFlag,
    'data-dir': readDataDirFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(List);
    const { listTasks } = await import('../ui/task-commands.ts');
    await listTasks(flags, 'tq list');
  }
}
