/**
 * 1. Submission of tiny tasks ({i}) into a fresh, empty server: one at a time awaited, 100 in
 * flight, 1,000 in flight, batches of 1,000 (tq submitMany, BullMQ addBulk). A task counts once
 * the server acknowledged it. The same pattern is first run untimed on a tenth as many tasks, so
 * the broker's code is compiled before the clock starts.
 */
import { cpuMsOf } from '../lib/procs.ts';
import type { Session, Side } from '../lib/side.ts';
import type { Case, Scale } from './types.ts';

type Pattern = { inFlight: number; batch: number };

async function submitAll(session: Session, { inFlight, batch }: Pattern, from: number, count: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < end) {
        if (batch === 1) {
          await session.submit({ i: next++ });
        } else {
          const start = next;
          next = Math.min(end, next + batch);
          await session.submitBatch(Array.from({ length: next - start }, (_, k) => ({ i: start + k })));
        }
      }
    }),
  );
}

function submitCase(name: string, title: string, pattern: Pattern, target?: string): Case {
  return {
    name,
    family: 'submit',
    title,
    metrics: [
      { key: 'rate', label: 'submitted', unit: 'tasks/s', better: 'higher', target },
      { key: 'server-cpu', label: 'server CPU per task (broker / redis-server)', unit: 'µs', better: 'lower' },
      { key: 'client-cpu', label: 'client CPU per task (the harness: TqClient / BullMQ Queue)', unit: 'µs', better: 'lower' },
    ],
    async run(side: Side, scale: Scale) {
      const session = await side.open();
      try {
        await submitAll(session, pattern, 0, scale.warmupTasks);
        const cpu = cpuMsOf(session.serverPid);
        const clientCpu = process.cpuUsage();
        const started = performance.now();
        await submitAll(session, pattern, scale.warmupTasks, scale.tasks);
        const seconds = (performance.now() - started) / 1_000;
        const client = process.cpuUsage(clientCpu);
        return {
          rate: scale.tasks / seconds,
          'server-cpu': ((cpuMsOf(session.serverPid) - cpu) * 1_000) / scale.tasks,
          'client-cpu': (client.user + client.system) / scale.tasks,
        };
      } finally {
        await session.close();
      }
    },
  };
}

export const SUBMIT_CASES: Case[] = [
  submitCase('submit-1', 'submit, one at a time, each awaited', { inFlight: 1, batch: 1 }),
  submitCase('submit-100', 'submit, 100 in flight', { inFlight: 100, batch: 1 }, '≥ 1× BullMQ'),
  submitCase('submit-1000', 'submit, 1,000 in flight', { inFlight: 1_000, batch: 1 }, '≥ 3× BullMQ'),
  submitCase('submit-batch', 'submit in batches of 1,000 (submitMany / addBulk), one batch at a time', { inFlight: 1, batch: 1_000 }, '≥ 3× BullMQ'),
];
