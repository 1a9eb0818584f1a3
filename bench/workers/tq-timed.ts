/**
 * A tq worker process for the latency benchmark: TqWorker (the runtime `tq worker start` runs),
 * with one handler, `timed`, that records when it started; and when the broker confirms the
 * task's outcome (the answer to its ack, sent only once the ack is durable), that time too.
 *
 *   node bench/workers/tq-timed.ts HOST:PORT CONCURRENCY     (spawned by bench/tq.ts, with IPC)
 *
 * Prints "ready" once connected. On the IPC message {collect: true} it answers {samples} with one
 * [submittedAt, startedAt, doneAt] triple per task, all on CLOCK_MONOTONIC in ms (the payload's `t`
 * was taken by the submitting harness on the same clock).
 *
 * The outcome's confirmation is seen through the worker's "outcome reported" debug log line,
 * which TqWorker writes when the broker answers an ack; if that line ever goes away, the harness
 * notices (no completions) and fails instead of printing figures.
 */
import { TqWorker } from '../../src/worker/index.ts';
import type { Fields, Logger } from '../../src/log/logger.ts';

const [address, concurrencyArg] = process.argv.slice(2);
if (!address || !concurrencyArg) throw new Error('usage: tq-timed.ts HOST:PORT CONCURRENCY');

const hrms = () => Number(process.hrtime.bigint()) / 1e6;
/** Task id -> [submittedAt, startedAt]. */
const running = new Map<string, [number, number]>();
const samples: [number, number, number][] = [];

const log: Logger = {
  debug(message: string, fields?: Fields) {
    if (message !== 'outcome reported' || !fields) return;
    const doneAt = hrms();
    const id = fields.task as string;
    const started = running.get(id);
    if (!started) return;
    running.delete(id);
    samples.push([started[0], started[1], doneAt]);
  },
  info() {},
  warn(message: string, fields?: Fields) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...fields })}\n`);
  },
  error(message: string, fields?: Fields) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: message, ...fields })}\n`);
  },
};

const worker = new TqWorker({
  broker: address,
  concurrency: Number(concurrencyArg),
  builtins: false,
  graceMs: 1_000,
  log,
  handlers: {
    timed: async (task: { id: string; payload: { t: number } }) => {
      running.set(task.id, [task.payload.t, hrms()]);
      return null;
    },
  },
});

process.on('message', (message: { collect?: boolean }) => {
  if (message.collect) process.send!({ samples: samples.splice(0) });
});
const stop = () => void worker.stop({ graceMs: 0 }).finally(() => process.exit(0));
process.once('disconnect', stop);
process.once('SIGTERM', stop);

await worker.start();
process.stdout.write('ready\n');
