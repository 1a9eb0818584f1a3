import { Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { brokerFlags } from '../../cli/flags.ts';

export default class WorkerStart extends TqCommand {
  static override description = 'Start a worker: runs the tasks a broker pushes to it with your handlers and the built-in ones (echo, sleep, fail; exec with --allow-exec)';
  static override examples = [
    '<%= config.bin %> worker start',
    '<%= config.bin %> worker start --broker 10.0.0.5:7070 --queues emails,images --concurrency 20 --handlers ./handlers.ts',
    '<%= config.bin %> worker start --broker 10.0.0.5:7070 --api-key "$KEY" --allow-exec',
  ];
  static override flags = {
    ...brokerFlags,
    queues: Flags.string({ description: 'comma-separated queues to take tasks from [default: default] [env: TQ_QUEUES]', helpValue: 'Q1,Q2' }),
    concurrency: Flags.integer({ description: 'tasks run at once, 1 to 10000 [default: 10] [env: TQ_CONCURRENCY]', helpValue: 'N' }),
    handlers: Flags.string({ description: 'a .js or .ts module exporting a map from task type to async (task, ctx) => result [env: TQ_HANDLERS]', helpValue: 'PATH' }),
    grace: Flags.string({ description: 'on SIGTERM/SIGINT, how long running tasks get to finish before they go back to the queue; a second signal cuts it short [default: 30s] [env: TQ_GRACE]', helpValue: 'DURATION' }),
    name: Flags.string({ description: 'name shown by tq workers [default: the host name] [env: TQ_NAME]', helpValue: 'NAME' }),
    'log-level': Flags.string({ description: 'debug, info, warn or error [default: info] [env: TQ_LOG_LEVEL]', options: ['debug', 'info', 'warn', 'error'] }),
    'allow-exec': Flags.boolean({ description: 'run the built-in exec handler: every exec task runs its shell command on this machine, so allow it only where all who can submit tasks may run commands here [default: off] [env: TQ_ALLOW_EXEC]' }),
    config: Flags.string({ description: 'YAML config file with any of broker, apiKey, queues, concurrency, handlers, grace, name, logLevel, allowExec (defaults < file < TQ_* environment < flags)', env: 'TQ_CONFIG', helpValue: 'FILE' }),
  };

  async run(): Promise<void> {
    const { flags, metadata } = await this.parse(WorkerStart);
    const { runWorker } = await import('../../worker/main.ts');
    await runWorker({
      configFile: flags.config,
      flags: {
        // The flag's default must not hide the config file's broker.
        broker: metadata.flags.broker?.setFromDefault ? undefined : flags.broker,
        queues: flags.queues,
        concurrency: flags.concurrency,
        handlers: flags.handlers,
        grace: flags.grace,
        name: flags.name,
        logLevel: flags['log-level'],
        allowExec: flags['allow-exec'],
        apiKey: flags['api-key'],
      },
    });
  }
}
