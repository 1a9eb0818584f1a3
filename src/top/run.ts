/**
 * What `tq top` does once its flags are parsed: the live screen when stdin and stdout are
 * terminals, else one snapshot (text, or JSON/YAML with --output).
 */
import { TqClient } from '../client/client.ts';
import type { OutputFormat } from '../cli/flags.ts';
import { print } from '../cli/output.ts';
import { snapshotData, snapshotText, takeSnapshot } from './snapshot.ts';

export interface TopOptions {
  broker: string;
  apiKey?: string;
  intervalMs: number;
  output: OutputFormat;
}

/** Width of the text snapshot: $COLUMNS when set, else a width that keeps errors readable. */
function snapshotWidth(): number {
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns >= 40 ? columns : 120;
}

export async function runTop(options: TopOptions): Promise<void> {
  // Fail fast, in one line, when no broker answers at all; reconnect only once one has.
  const client = await TqClient.connect({ broker: options.broker, apiKey: options.apiKey, name: 'tq-top', reconnect: false });
  const interactive = options.output === 'table' && process.stdout.isTTY === true && process.stdin.isTTY === true;
  if (!interactive) {
    try {
      const data = await takeSnapshot(client, options.intervalMs);
      print(options.output, snapshotData(data, options.broker, options.intervalMs), () => snapshotText(data, options.broker, snapshotWidth()));
    } finally {
      client.close();
    }
    return;
  }
  client.close();
  await runScreen(options);
}

async function runScreen(options: TopOptions): Promise<void> {
  const [{ render }, { createElement }, { TopApp }, { TopModel }, { supportsColor }] = await Promise.all([
    import('ink'),
    import('react'),
    import('./app.ts'),
    import('./model.ts'),
    import('./theme.ts'),
  ]);
  const client = await TqClient.connect({
    broker: options.broker,
    apiKey: options.apiKey,
    name: 'tq-top',
    reconnect: true,
    requestTimeoutMs: Math.max(10_000, 3 * options.intervalMs),
  });
  const model = new TopModel(client, { intervalMs: options.intervalMs });
  model.start();
  const instance = render(createElement(TopApp, { model, broker: options.broker, color: supportsColor(process.stdout) }), {
    // Like htop: a screen of its own, and the shell's screen back on exit.
    alternateScreen: true,
    // Ink turns interactive mode off under CI=true; a terminal is a terminal.
    interactive: true,
    // q and Ctrl-C are the app's keys (keys.ts), handled the same way.
    exitOnCtrlC: false,
  });
  const stop = () => instance.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    model.stop();
    client.close();
  }
}
