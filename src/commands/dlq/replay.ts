import { Args, Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { usageError } from '../../cli/errors.ts';
import { brokerFlags, outputFlag } from '../../cli/flags.ts';

export default class DlqReplay extends TqCommand {
  static override description = `Replay dead tasks: they become pending again with their attempts reset

Name the tasks by id, or replay every dead task with --all, or every dead task of one queue with --queue.`;
  static override examples = ['<%= config.bin %> dlq replay 0193b3c2-... 0193b3c5-...', '<%= config.bin %> dlq replay --all', '<%= config.bin %> dlq replay --queue emails'];
  static override strict = false;
  static override args = { ids: Args.string({ description: 'ids of dead tasks' }) };
  static override flags = {
    all: Flags.boolean({ description: 'replay every dead task (of --queue, if given)' }),
    queue: Flags.string({ char: 'q', description: 'replay every dead task of this queue' }),
    ...brokerFlags,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(DlqReplay);
    const ids = argv as string[];
    if (ids.length > 0 && (flags.all || flags.queue !== undefined)) throw usageError('name task ids or use --all/--queue, not both');
    if (ids.length === 0 && !flags.all && flags.queue === undefined) throw usageError('name the dead tasks to replay by id, or pass --all (or --queue Q)');
    const { replayDead } = await import('../../cli/admin-commands.ts');
    await replayDead(ids, flags);
  }
}
