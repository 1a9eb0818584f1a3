/**
 * Runs the CLI, the same way from every place tq runs: bin/run.js in a checkout (the .ts sources)
 * or in an installed package (its build, lib/), and src/sea/entry.ts in the single executable.
 * oclif does the work; an unknown command gets tq's own one line, like every other error, instead
 * of oclif's " ›   Error: command x not found".
 *
 * oclif is handed the commands themselves (COMMANDS of src/commands/index.ts, imported by the
 * caller) rather than left to import the `oclif.commands.target` that package.json names: that
 * file is .ts, which Node does not run inside node_modules, and the single executable has no
 * source tree on disk at all (its entry's static import is what bundles every command into it).
 */
import { type Command, flush, handle, type Interfaces, Plugin, run } from '@oclif/core';
import pkg from '../../package.json' with { type: 'json' };

// The package.json fields oclif reads; JSON imports widen literal types such as `strategy`.
const pjson = { name: pkg.name, version: pkg.version, type: pkg.type, oclif: pkg.oclif } as Interfaces.PJSON;

/**
 * `root`: the directory oclif treats as the CLI's own (the package, or the executable's extracted
 * bundle); `commands`: command id -> command class.
 */
export async function runCli(root: string, commands: Record<string, Command.Class>): Promise<void> {
  const plugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: true });
  // With the explicit strategy oclif imports `oclif.commands.target` unless its (TypeScript-private)
  // command cache is already filled. @oclif/core is pinned exactly; the single executable's build
  // and test/package/install.test.ts check that the commands are found.
  (plugin as unknown as { commandCache: typeof commands }).commandCache = commands;
  await plugin.load();
  try {
    await run(process.argv.slice(2), { root, pjson, plugins: new Map([[plugin.name, plugin]]) });
    await flush();
  } catch (error) {
    const unknown = /^command (\S+) not found$/.exec((error as Error | null)?.message ?? '');
    if (!unknown) return handle(error instanceof Error ? error : new Error(String(error)));
    process.stderr.write(`tq: unknown command "${unknown[1]!.replaceAll(':', ' ')}": run \`tq --help\` to see the commands\n`);
    process.exitCode = 2;
  }
}
