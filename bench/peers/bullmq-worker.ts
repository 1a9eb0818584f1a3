/**
 * A BullMQ worker process for the benchmarks (spawned by bench/peers/bullmq.ts, with IPC):
 *
 *   node bench/peers/bullmq-worker.ts PORT QUEUE CONCURRENCY plain|timed|first
 *
 * plain: a no-op processor. timed: also records, for each job, when the processor started and
 * when BullMQ's 'completed' event fired (after Redis applied moveToCompleted), and answers the IPC
 * message {collect: true} with [submittedAt, startedAt, doneAt] triples on CLOCK_MONOTONIC in ms
 * (the job data's `t` was taken by the submitting harness on the same clock). first: prints the
 * time the first job started. Prints "ready" once its connection is up.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [portArg, queue, concurrencyArg, mode] = process.argv.slice(2);
if (!portArg || !queue || !concurrencyArg || !mode) throw new Error('usage: bullmq-worker.ts PORT QUEUE CONCURRENCY plain|timed|first');

const hrms = () => Number(process.hrtime.bigint()) / 1e6;
const started = new Map<string, [number, number]>();
const samples: [number, number, number][] = [];
let first = true;

const connection = new Redis({ host: '127.0.0.1', port: Number(portArg), maxRetriesPerRequest: null });
const worker = new Worker(
  queue,
  async (job) => {
    if (mode === 'timed') started.set(job.id!, [(job.data as { t: number }).t, hrms()]);
    else if (mode === 'first' && first) {
      first = false;
      process.stdout.write(`bench-first-task ${hrms()}\n`);
    }
    return null;
  },
  { connection, concurrency: Number(concurrencyArg) },
);
if (mode === 'timed') {
  worker.on('completed', (job) => {
    const doneAt = hrms();
    const start = started.get(job.id!);
    if (!start) return;
    started.delete(job.id!);
    samples.push([start[0], start[1], doneAt]);
  });
}
worker.on('error', (error) => process.stderr.write(`bullmq worker error: ${error.message}\n`));

process.on('message', (message: { collect?: boolean }) => {
  if (message.collect) process.send!({ samples: samples.splice(0) });
});
const stop = () => void worker.close(true).finally(() => process.exit(0));
process.once('disconnect', stop);
process.once('SIGTERM', stop);

await worker.waitUntilReady();
process.stdout.write('ready\n');
