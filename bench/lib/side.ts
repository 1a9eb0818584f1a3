/**
 * What a scenario needs from a queue system. Each scenario is written once against this interface
 * and run against both sides (bench/tq.ts's tqSide, bench/peers/bullmq.ts's bullmqSide), so both
 * do exactly the same work in the same order.
 */
import type { Child, Rss } from './procs.ts';

/** A tiny payload: the task's index, and (latency scenario) when it was submitted, in hrms(). */
export interface Payload {
  i: number;
  t?: number;
}

export interface Workers {
  /** The worker processes, to read their CPU time. */
  pids: number[];
  stop: () => Promise<void>;
}

/** [submittedAt, handlerStartedAt, completedAt], CLOCK_MONOTONIC ms. */
export type Sample = [number, number, number];

export interface TimedWorker {
  /** The samples recorded since the last call. */
  collect: () => Promise<Sample[]>;
  stop: () => Promise<void>;
}

/** A fresh server (its own data directory or Redis), with one client connected. */
export interface Session {
  /** Submits one task of type `type` (default noop) and resolves when the system accepted it. */
  submit: (payload: Payload, type?: string) => Promise<unknown>;
  /** Submits tasks in one call (tq: submitMany; BullMQ: addBulk). */
  submitBatch: (payloads: Payload[]) => Promise<unknown>;
  pause: () => Promise<void>;
  resume: () => Promise<void>;
  /** Tasks finished successfully, as the server counts them. */
  completed: () => Promise<number>;
  /** `count` worker processes with a no-op handler at `concurrency` each, connected. */
  startWorkers: (count: number, concurrency: number) => Promise<Workers>;
  /** One worker process that records latency samples (handles type "timed"). */
  startTimedWorker: (concurrency: number) => Promise<TimedWorker>;
  /** The server process (tq broker, redis-server). */
  serverPid: number;
  serverRss: () => Rss;
  /** Anything else worth recording about the server's memory (Redis: INFO memory). */
  serverMemoryExtra: () => Promise<Record<string, number>>;
  close: () => Promise<void>;
}

export interface Side {
  name: 'tq' | 'BullMQ';
  open: () => Promise<Session>;
}

/** Asks a timed worker process (over IPC) for the samples it recorded. */
export function collectSamples(child: Child): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { samples?: Sample[] }) => {
      if (!message.samples) return;
      child.proc.off('message', onMessage);
      resolve(message.samples);
    };
    child.proc.on('message', onMessage);
    if (!child.proc.send({ collect: true })) reject(new Error('the worker process is gone'));
  });
}
