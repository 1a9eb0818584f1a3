/**
 * For the restart benchmark: the first time a task runs, prints one line with the time
 * (CLOCK_MONOTONIC in ms, comparable with the harness's clock), which the harness reads.
 */
let first = true;

export default {
  noop: async () => {
    if (first) {
      first = false;
      process.stdout.write(`bench-first-task ${Number(process.hrtime.bigint()) / 1e6}\n`);
    }
    return null;
  },
};
