/**
 * The base of every tq command: errors a user can cause end in one line on stderr and a non-zero
 * exit code, never a stack trace (set TQ_DEBUG=1 to see one).
 */
import { Command, Flags } from '@oclif/core';
import { oneLineParseError } from './parse-errors.ts';

export abstract class TqCommand extends Command {
  static baseFlags = {};

  override async catch(error: Error & { code?: string; oclif?: { exit?: number } }): Promise<void> {
    error.message = oneLineParseError(error.message);
    const usage = error.oclif?.exit === 2 || /Nonexistent flag|Unexpected argument|Missing required flag|Expected .* to be one of|Parsing --/.test(error.message);
    const exit = error.oclif?.exit ?? (usage ? 2 : 1);
    if (exit === 0) return;
    const known = typeof error.code === 'string' && /^[A-Z_]+$/.test(error.code);
    const text = known || usage ? error.message : `internal error: ${error.message}`;
    process.stderr.write(`tq: ${oneLine(text)}${usage ? ` (see tq ${this.id?.replaceAll(':', ' ') ?? ''} --help)` : ''}\n`);
    if (process.env.TQ_DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exit;
  }
}

/** oclif's parse errors span lines ("Parsing --port", "Expected an integer…", "See more help…"): keep what informs. */
function oneLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('See more help'));
  return lines.join(': ').replace(/:\s*:/g, ':') || 'failed';
}

/** `--broker host:port`, shared by every command that talks to a broker. */
export const brokerFlag = Flags.string({
  description: 'broker address host:port [env: TQ_BROKER]',
  env: 'TQ_BROKER',
  default: '127.0.0.1:7070',
  helpValue: 'HOST:PORT',
});
