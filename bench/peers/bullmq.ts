/**
 * The BullMQ side of each scenario: a Queue (one ioredis connection, which pipelines concurrent
 * commands as TqClient does) on a fresh redis-server (bench/peers/redis.ts), and worker processes
 * running bench/peers/bullmq-worker.ts.
 */
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { collectSamples, type Payload, type Session, type Side } from '../lib/side.ts';
import { type Child, spawnChild } from '../lib/procs.ts';
import { startRedis } from './redis.ts';

const WORKER = fileURLToPath(new URL('./bullmq-worker.ts', import.meta.url));
export const QUEUE = 'bench';

/** Spawns bench/peers/bullmq-worker.ts; resolves once it printed "ready" (unless waitReady is false). */
export async function startBullmqWorker(port: number, concurrency: number, mode: 'plain' | 'timed' | 'first', waitReady = true): Promise<Child> {
  const child = spawnChild(process.execPath, [WORKER, String(port), QUEUE, String(concurrency), mode], { name: 'BullMQ worker', ipc: true });
  if (waitReady) await child.waitFor(/^ready$/m, 60_000);
  return child;
}

export const bullmqSide: Side = {
  name: 'BullMQ',
  async open(): Promise<Session> {
    const redis = await startRedis();
    const connection = redis.connect();
    const queue = new Queue(QUEUE, { connection });
    await queue.waitUntilReady();
    const children: Child[] = [];
    return {
      submit: (payload: Payload, type = 'noop') => queue.add(type, payload),
      submitBatch: (payloads: Payload[]) => queue.addBulk(payloads.map((data) => ({ name: 'noop', data }))),
      pause: () => queue.pause(),
      resume: () => queue.resume(),
      completed: () => queue.getCompletedCount(),
      async startWorkers(count, concurrency) {
        const started = await Promise.all(Array.from({ length: count }, () => startBullmqWorker(redis.port, concurrency, 'plain')));
        children.push(...started);
        return { pids: started.map((child) => child.pid), stop: async () => void (await Promise.all(started.map((child) => child.stop('SIGTERM', 10_000)))) };
      },
      async startTimedWorker(concurrency) {
        const child = await startBullmqWorker(redis.port, concurrency, 'timed');
        children.push(child);
        return { collect: () => collectSamples(child), stop: () => child.stop('SIGTERM', 10_000) };
      },
      serverPid: redis.pid,
      serverRss: () => redis.rss(),
      serverMemoryExtra: async () => {
        const { used, usedRss } = await redis.memory();
        return { redisUsedMemory: used, redisUsedMemoryRss: usedRss };
      },
      async close() {
        await Promise.all(children.map((child) => child.stop('SIGTERM', 5_000)));
        await queue.close();
        connection.disconnect();
        await redis.stop();
      },
    };
  },
};
