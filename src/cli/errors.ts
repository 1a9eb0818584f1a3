/**
 * Errors the CLI itself raises (bad input, a task that ended dead under --wait). TqCommand.catch
 * prints a coded error's message as one line, and exits with `oclif.exit`.
 */
export class CliError extends Error {
  readonly code: string;
  readonly oclif: { exit: number };

  constructor(message: string, options: { code?: string; exit?: number } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = options.code ?? 'INVALID_ARGUMENT';
    this.oclif = { exit: options.exit ?? 1 };
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, { code: 'INVALID_ARGUMENT', exit: 2 });
}
