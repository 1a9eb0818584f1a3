/**
 * 2. End-to-end processing of pre-loaded no-op tasks. The queue is paused, the tasks are loaded
 * (batches of 1,000, untimed), the worker processes are started and connected; the clock starts
 * when the queue is resumed and stops when the server counts the last task as done (tq: stats
 * totals.succeeded; BullMQ: the completed count), polled every 10 ms by the harness.
 */
import { cpuMsOf, sleep } from '../lib/procs.ts';
import type { Side } from '../lib/side.ts';
import type { Case, Scale } from './types.ts';

const POLL_MS = 10;
/** A run whose count does not move for this long has hung: it fails rather than wait forever. */
const STALL_MS = 60_000;

function processCase(name: string, title: string, workers: number, concurrency: number, target?: string): Case {
  return {
    name,
    family: 'process',
    title,
    metrics: [
      { key: 'rate', label: 'processed', unit: 'tasks/s', better: 'higher', target },
      { key: 'server-cpu', label: 'server CPU per task (broker / redis-server)', unit: 'µs', better: 'lower' },
      { key: 'worker-cpu', label: 'worker processes\' CPU per task', unit: 'µs', better: 'lower' },
    ],
    async run(side: Side, scale: Scale) {
      const session = await side.open();
      try {
        await session.pause();
        for (let start = 0; start < scale.tasks; start += 1_000) {
          await session.submitBatch(Array.from({ length: Math.min(1_000, scale.tasks - start) }, (_, k) => ({ i: start + k })));
        }
        const running = await session.startWorkers(workers, concurrency);
        const workersCpu = () => running.pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
        const cpu = cpuMsOf(session.serverPid);
        const workerCpu = workersCpu();
        const started = performance.now();
        await session.resume();
        let done = 0;
        let lastChange = performance.now();
        while (done < scale.tasks) {
          await sleep(POLL_MS);
          const now = await session.completed();
          if (now !== done) lastChange = performance.now();
          else if (performance.now() - lastChange > STALL_MS) throw new Error(`${side.name}: stuck at ${now} of ${scale.tasks} tasks done`);
          done = now;
        }
        const seconds = (performance.now() - started) / 1_000;
        const serverCpu = ((cpuMsOf(session.serverPid) - cpu) * 1_000) / scale.tasks;
        const workerCpuPerTask = ((workersCpu() - workerCpu) * 1_000) / scale.tasks;
        await running.stop();
        return { rate: scale.tasks / seconds, 'server-cpu': serverCpu, 'worker-cpu': workerCpuPerTask };
      } finally {
        await session.close();
      }
    },
  };
}

export const PROCESS_CASES: Case[] = [
  processCase('process-1x1', 'process, one worker at concurrency 1', 1, 1),
  processCase('process-1x100', 'process, one worker at concurrency 100', 1, 100, '≥ 3× BullMQ (best configuration)'),
  processCase('process-2x100', 'process, two worker processes at concurrency 100 each', 2, 100, '≥ 3× BullMQ (best configuration)'),
];
