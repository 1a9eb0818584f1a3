#!/usr/bin/env node
import { missingEnv, missingNodeOptions, runsBroker } from '../src/sea/node-options.ts';

// A broker's process needs V8 options and an environment that only count from start-up
// (src/sea/node-options.ts): restart in place with them, before anything is loaded. Where
// process.execve is missing (Windows), or fails, the broker runs with the defaults.
if (runsBroker(process.argv.slice(2)) && typeof process.execve === 'function') {
  const missing = missingNodeOptions(process.execArgv, process.env.NODE_OPTIONS);
  const env = missingEnv(process.env);
  if (missing.length > 0 || Object.keys(env).length > 0) {
    try {
      process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...env });
    } catch {
      // run as we are
    }
  }
}

const { runCli } = await import('../src/ui/run-cli.ts');
await runCli(import.meta.url);
