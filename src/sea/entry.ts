// Entry point of the bundle that `npm run build:binary` puts inside dist/tq.
//
// In the checkout, bin/run.js lets oclif read package.json and import the
// command map named by `oclif.commands.target`. Inside the single executable
// there is no package.json and no source tree on disk, so this entry hands
// oclif both itself: the package.json fields oclif reads, bundled from the
// real package.json, and COMMANDS, imported statically so that esbuild
// bundles every command that src/commands/index.ts exports.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Interfaces, Plugin } from '@oclif/core';
import { COMMANDS } from '../commands/index.ts';
import { runCli } from '../cli/run-cli.ts';
import pkg from '../../package.json' with { type: 'json' };

const pjson = {
  name: pkg.name,
  version: pkg.version,
  type: pkg.type,
  oclif: pkg.oclif,
} as Interfaces.PJSON; // JSON imports widen literal types such as `strategy`
// oclif wants a root directory: the extracted bundle's own directory is the
// only real one the binary has.
const root = dirname(fileURLToPath(import.meta.url));

const plugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: true });
// With the explicit strategy oclif imports `oclif.commands.target` from disk
// unless its (TypeScript-private) command cache is already filled. Filling it
// is what lets the bundled commands be used; @oclif/core is pinned exactly and
// the build's smoke test checks that every command is found.
(plugin as unknown as { commandCache: typeof COMMANDS }).commandCache = COMMANDS;
await plugin.load();

await runCli({ root, pjson, plugins: new Map([[plugin.name, plugin]]) });
