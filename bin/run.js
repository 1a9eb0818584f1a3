#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { restartForBroker } from '../src/sea/node-options.ts';

// A broker's process needs V8 options and an environment that only count from start-up
// (src/sea/node-options.ts): restart in place with them, before anything is loaded.
restartForBroker(process.argv.slice(2), true, (missing) => [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)]);

const [{ runCli }, { COMMANDS }] = await Promise.all([import('../src/cli/run-cli.ts'), import('../src/commands/index.ts')]);
await runCli(fileURLToPath(new URL('..', import.meta.url)), COMMANDS);
