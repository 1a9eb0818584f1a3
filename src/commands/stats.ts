import { TqCommand } from '../cli/command.ts';
import { brokerFlags, outputFlag, readDataDirFlag } from '../cli/flags.ts';

export default class Stats extends TqCommand {
  static override description = 'Count tasks per queue and state, and per queue and priority';
  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --output yaml', '<%= config.bin %> stats --data-dir ./tq-data'];
  static override flags = { ...brokerFlags, 'data-dir': readDataDirFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Stats);
    const { showStats } = await import('../cli/admin-commands.ts');
    await showStats(flags);
  }
}
