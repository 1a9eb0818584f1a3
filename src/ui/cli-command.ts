/**
 * The base of the admin commands: TqCommand, plus oclif's own parse errors reworded to one line.
 * oclif reports a missing argument or two flags that clash over several lines ("Missing 1
 * required arg:\nid  task id\nSee more help with --help"); TqCommand prints the first line only,
 * which would lose what is missing. (This belongs in TqCommand.catch; kept here until it moves.)
 */
import { TqCommand } from './command.ts';

export abstract class CliCommand extends TqCommand {
  override async catch(error: Error & { code?: string; oclif?: { exit?: number } }): Promise<void> {
    error.message = oneLineParseError(error.message);
    return super.catch(error);
  }
}

export function oneLineParseError(message: string): string {
  const all = message.split('\n').map((line) => line.trim());
  // What comes after the first blank line is advice (e.g. about flags with several values).
  const blank = all.indexOf('', 1);
  const lines = (blank > 0 ? all.slice(0, blank) : all).filter((line) => line !== '' && !/^See more help with/i.test(line));
  const first = lines[0] ?? '';
  const missing = /^Missing (\d+) required args?:?$/.exec(first);
  if (missing) {
    const names = lines.slice(1).map((line) => {
      const [name, ...description] = line.split(/\s{2,}/);
      return `${name!.toUpperCase()}${description.length > 0 ? ` (${description.join(' ')})` : ''}`;
    });
    return names.length === 0 ? first.replace(/:$/, '') : `missing argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
  }
  if (/^The following errors? occurred:?$/.test(first)) return lines.slice(1).join('; ');
  const parsing = /^Parsing (--\S+)\s*$/.exec(first);
  if (parsing && lines.length > 1) return `${parsing[1]}: ${lines.slice(1).join(' ')}`;
  return message;
}
