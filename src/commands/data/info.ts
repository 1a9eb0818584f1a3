import { Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { outputFlag } from '../../cli/flags.ts';

export default class DataInfo extends TqCommand {
  static override description = `Describe a data directory: format version, size on disk, tasks per state, queues, and whether a broker runs on it

Opens it read-only, without the broker's lock, so it works beside a running broker. Exits 1 with "no tq data in DIR" when the directory holds no tq data.`;
  static override examples = ['<%= config.bin %> data info', '<%= config.bin %> data info --data-dir /var/lib/tq --output json'];
  static override flags = {
    'data-dir': Flags.string({ description: 'the data directory a broker writes', default: './tq-data', helpValue: 'DIR' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DataInfo);
    const { showDataInfo } = await import('../../cli/admin-commands.ts');
    await showDataInfo(flags['data-dir'], flags);
  }
}
