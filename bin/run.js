#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A checkout runs its .ts sources. Node strips types only outside node_modules, so an installed
// package (which ships no src/) runs its build, lib/, made by `npm pack` (scripts/build-package.ts).
const sources = new URL('../src/', import.meta.url);
const fromSources = !sources.href.includes('/node_modules/') && existsSync(sources);
const load = (module) => import(fromSources ? `../src/${module}.ts` : `../lib/${module}.js`);

// A broker's process needs V8 options and an environment that only count from start-up
// (src/sea/node-options.ts): restart in place with them, before anything is loaded.
const { restartForBroker } = await load('sea/node-options');
restartForBroker(process.argv.slice(2), true, (missing) => [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)]);

const [{ runCli }, { COMMANDS }] = await Promise.all([load('cli/run-cli'), load('commands/index')]);
await runCli(fileURLToPath(new URL('..', import.meta.url)), COMMANDS);
