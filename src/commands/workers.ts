import { Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { usageError } from '../cli/errors.ts';
import { brokerFlags, outputFlag } from '../cli/flags.ts';

export default class Workers extends TqCommand {
  static override description = `List the workers connected to the broker: queues, busy slots, heartbeat, CPU and memory

Workers are live broker state, not stored in the data directory, so this always asks a broker.`;
  static override examples = ['<%= config.bin %> workers', '<%= config.bin %> workers --output json'];
  static override flags = {
    ...brokerFlags,
    'data-dir': Flags.string({ hidden: true }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Workers);
    if (flags['data-dir'] !== undefined) {
      throw usageError('workers are live broker state, not stored in the data directory: ask a running broker with --broker instead of --data-dir');
    }
    const { showWorkers } = await import('../cli/admin-commands.ts');
    await showWorkers(flags);
  }
}
