// V8 options and the environment for the process that runs a broker (`tq broker start`, `tq dev`).
//
// The broker allocates in bursts (a bulk submit: thousands of requests and tasks in flight) and is
// otherwise quiet. Left to itself, V8 on a 64-bit machine with plenty of memory grows the young
// generation to 2 × 64 MiB during such a burst and keeps it: an idle process never collects
// garbage, so V8 never sees the burst is over and never shrinks it (its memory reducer keeps
// waiting for a low allocation rate it only measures at a collection). That was most of the
// broker's resident memory after loading 1,000,000 tasks: 250 MiB against 52 MiB for a broker
// restarted over the same data. 8 MiB semi-spaces keep it near 130 MiB; what that costs bulk
// submits was within the noise of interleaved runs (up to about 10 % in one sweep of settings). Under bin/run.js a user's own --max-semi-space-size (command line or
// NODE_OPTIONS) wins; in the single executable the cap always applies, since Node treats its
// SEA execArgv as command-line options, which take precedence over NODE_OPTIONS.
//
// V8 sizes its heap before any script runs, so these must be given when the process starts: the
// single executable has them in its SEA config (scripts/build-binary.ts, for every command), and
// bin/run.js restarts itself in place with them (process.execve: same pid, stdio and environment)
// for the commands that run a broker.
export const BROKER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=8'];

/** Whether `argv` (the arguments after the script) names a command that runs a broker in this process. */
function runsBroker(argv: readonly string[]): boolean {
  const [first, second] = argv;
  return first === 'dev' || first === 'broker:start' || (first === 'broker' && second === 'start');
}

/** The options of BROKER_NODE_OPTIONS that neither `execArgv` nor NODE_OPTIONS already sets. */
function missingNodeOptions(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  return BROKER_NODE_OPTIONS.filter((option) => {
    const name = option.split('=')[0]!;
    const alias = name.replace(/_/g, '-');
    return !given.some((arg) => arg.replace(/_/g, '-').split('=')[0] === alias);
  });
}

/**
 * The environment a broker's process starts with. glibc's malloc gives each thread that allocates
 * (lmdb-js's write thread, libuv's pool) an arena of its own, up to 8 per core, and memory freed
 * after a burst stays resident in them. With two arenas the anonymous RSS left after loading
 * 1,000,000 tasks was 127–140 MiB against 130–156 MiB (six runs each), at the same load rate. Read
 * by the C library when the process starts, so it too needs the restart in place; a value the
 * user set is kept.
 */
export const BROKER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** The variables of BROKER_ENV that `env` does not set. */
function missingEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(BROKER_ENV).filter(([name]) => env[name] === undefined));
}

/**
 * Restarts this process in place (process.execve: same pid, stdio and environment) with what a
 * broker's process needs, when `commandArgs` run a broker and something is missing. `argvWith`
 * builds the new argv from the node options still missing (none when `nodeOptions` is false: the
 * single executable has them in its SEA config). Returns when there is nothing to do, or when
 * process.execve is missing (Windows) or fails: the broker then runs with the defaults.
 */
export function restartForBroker(commandArgs: readonly string[], nodeOptions: boolean, argvWith: (missing: string[]) => string[]): void {
  if (!runsBroker(commandArgs) || typeof process.execve !== 'function') return;
  const missing = nodeOptions ? missingNodeOptions(process.execArgv, process.env.NODE_OPTIONS) : [];
  const env = missingEnv(process.env);
  if (missing.length === 0 && Object.keys(env).length === 0) return;
  try {
    process.execve(process.execPath, argvWith(missing), { ...process.env, ...env });
  } catch {
    // run as we are
  }
}
