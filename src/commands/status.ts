import { Args, Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { usageError } from '../cli/errors.ts';
import { brokerFlags, outputFlag, readDataDirFlag, waitTimeoutFlag } from '../cli/flags.ts';

export default class Status extends TqCommand {
  static override description = `Show one task in detail: its fields, attempts with their errors, result and lease holder

With --wait, waits until the task finishes first; exits 1 if it ends dead or cancelled.`;
  static override examples = ['<%= config.bin %> status 0193b3c2-...', '<%= config.bin %> status 0193b3c2-... --wait --output json', '<%= config.bin %> status 0193b3c2-... --data-dir ./tq-data'];
  static override args = { id: Args.string({ description: 'task id', required: true }) };
  static override flags = {
    wait: Flags.boolean({ char: 'w', description: 'wait until the task finishes (succeeded, dead or cancelled)' }),
    'wait-timeout': waitTimeoutFlag,
    ...brokerFlags,
    'data-dir': readDataDirFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Status);
    if (flags['wait-timeout'] !== undefined && !flags.wait) throw usageError('--wait-timeout needs --wait');
    if (flags.wait && flags['data-dir'] !== undefined) throw usageError('--wait needs a broker to hear when the task finishes: drop --data-dir');
    const { showStatus } = await import('../cli/task-commands.ts');
    await showStatus(args.id, { ...flags, wait: flags.wait ?? false });
  }
}
