// Entry point of the bundle that `npm run build:binary` puts inside dist/tq.
// src/cli/run-cli.ts hands oclif the package.json fields and the commands
// themselves: both bundled, as the executable has neither file on disk.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/run-cli.ts';
import { COMMANDS } from '../commands/index.ts';

// oclif wants a root directory: the extracted bundle's own directory is the
// only real one the binary has.
await runCli(dirname(fileURLToPath(import.meta.url)), COMMANDS);
