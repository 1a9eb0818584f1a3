import { Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';
import { usageError } from '../cli/errors.ts';
import { brokerFlags, outputFlag } from '../cli/flags.ts';

export default class Top extends TqCommand {
  static override description = `Watch the queues live: depth, rates, workers and the latest failures

Per queue: depth by state and by priority as bars, tasks submitted, completed and failed per second with a sparkline of the last minute. Then the workers (slots used, heartbeat, CPU, memory) and the latest failed and dead tasks with their errors. Keys: up/down select a queue, p pauses or resumes it, r replays its dead tasks (after y), / filters queues by name, ? shows the keys, q quits. When the broker goes away the screen says so and carries on once it is back.

When stdout is not a terminal, or with --output json|yaml, prints one snapshot and exits; its rates are measured over one --interval.`;
  static override examples = ['<%= config.bin %> top', '<%= config.bin %> top --broker 10.0.0.5:7070 --interval 2s', '<%= config.bin %> top --output json'];
  static override flags = {
    ...brokerFlags,
    interval: Flags.string({ char: 'i', description: 'how often to poll the broker, e.g. 500ms, 1s, 5s (100ms to 1h)', default: '1s', helpValue: 'DURATION' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Top);
    const { parseDuration } = await import('../config/duration.ts');
    let intervalMs: number;
    try {
      intervalMs = parseDuration(flags.interval, '--interval');
    } catch (error) {
      throw usageError((error as Error).message);
    }
    if (intervalMs < 100 || intervalMs > 3_600_000) throw usageError(`--interval ${flags.interval} is out of range: use 100ms to 1h`);
    const { runTop } = await import('../top/run.ts');
    await runTop({ broker: flags.broker, apiKey: flags['api-key'], intervalMs, output: flags.output });
  }
}
