import { Args } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { brokerFlags, outputFlag, readDataDirFlag } from '../../cli/flags.ts';

export default class DataBackup extends TqCommand {
  static override description = `Copy the data into an empty directory: a consistent snapshot, taken while the broker keeps running

Through the broker by default: the broker writes DIR, on its own machine (a relative DIR is made absolute here first). With --data-dir, copies that directory directly (read-only, no broker needed). Restore by starting a broker with --data-dir DIR.`;
  static override examples = ['<%= config.bin %> data backup /backups/tq-2026-11-22', '<%= config.bin %> data backup ./copy --data-dir ./tq-data'];
  static override args = { dir: Args.string({ description: 'an empty or new directory to write the copy to', required: true }) };
  static override flags = { ...brokerFlags, 'data-dir': readDataDirFlag, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DataBackup);
    const { backupData } = await import('../../cli/admin-commands.ts');
    await backupData(args.dir, flags);
  }
}
