import { Flags } from '@oclif/core';
import { TqCommand } from '../cli/command.ts';

export default class Dev extends TqCommand {
  static override description = `Run tq on this machine: a broker and a pool of workers with the built-in handlers

The broker keeps its data in --data-dir (./tq-data); the workers (echo, sleep, fail, exec while the broker listens on loopback, and --handlers if given) are separate processes. Prints how to submit a task. Ctrl-C stops the workers (unfinished tasks go back to the queue), then the broker.`;
  static override examples = ['<%= config.bin %> dev', '<%= config.bin %> dev --workers 4 --handlers ./handlers.ts', '<%= config.bin %> dev --port 0 --data-dir /tmp/tq'];
  static override flags = {
    'data-dir': Flags.string({ description: 'data directory', default: './tq-data', helpValue: 'DIR' }),
    port: Flags.integer({ description: 'TCP port, 0 for any free port', default: 7070, min: 0, max: 65_535 }),
    'http-port': Flags.integer({ description: 'HTTP port (dashboard, REST, /metrics), 0 for any free port [default: 7080]', min: 0, max: 65_535 }),
    workers: Flags.integer({ description: 'worker processes', default: 2, min: 1, max: 64 }),
    concurrency: Flags.integer({ description: 'tasks each worker runs at once [default: the worker default]', min: 1 }),
    handlers: Flags.string({ description: 'a .js or .ts module of your handlers, loaded by every worker', helpValue: 'PATH' }),
    queues: Flags.string({ description: 'comma-separated queues the workers take tasks from [default: default]' }),
    'log-level': Flags.option({ description: 'debug, info, warn or error [default: info]', options: ['debug', 'info', 'warn', 'error'] as const })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Dev);
    const { runDev } = await import('../cli/dev.ts');
    await runDev({
      dataDir: flags['data-dir'],
      port: flags.port,
      httpPort: flags['http-port'],
      workers: flags.workers,
      concurrency: flags.concurrency,
      handlers: flags.handlers,
      queues: flags.queues,
      logLevel: flags['log-level'],
    });
  }
}
