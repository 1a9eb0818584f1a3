/**
 * Runs the CLI (bin/run.js in a checkout, src/sea/entry.ts in the single executable). oclif does
 * the work; an unknown command gets tq's own one line, like every other error, instead of
 * oclif's " ›   Error: command x not found".
 */
import { flush, handle, type Interfaces, run } from '@oclif/core';

export async function runCli(load: string | Interfaces.LoadOptions): Promise<void> {
  try {
    await run(process.argv.slice(2), load);
    await flush();
  } catch (error) {
    const unknown = /^command (\S+) not found$/.exec((error as Error | null)?.message ?? '');
    if (!unknown) return handle(error instanceof Error ? error : new Error(String(error)));
    process.stderr.write(`tq: unknown command "${unknown[1]!.replaceAll(':', ' ')}": run \`tq --help\` to see the commands\n`);
    process.exitCode = 2;
  }
}
