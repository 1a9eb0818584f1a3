/**
 * The base of the admin commands: TqCommand, plus oclif's own parse errors reworded to one line.
 * oclif reports a missing argument or two flags that clash over several lines ("Missing 1
 * required arg:\nid  task id\nSee more help with --help"); TqCommand prints the first line only,
 * which would lose what is missing. (This belongs in TqCommand.catch; kept here until it moves.)
 */
import { TqCommand } from './command.ts';
import { oneLineParseError } from './parse-errors.ts';

export abstract class CliCommand extends TqCommand {
  override async catch(error: Error & { code?: string; oclif?: { exit?: number } }): Promise<void> {
    error.message = oneLineParseError(error.message);
    return super.catch(error);
  }
}
