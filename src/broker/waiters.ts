/** Requests waiting for a task to finish (`tq submit --wait`, `tq status --wait`), woken after each durable batch. */
import type { Engine } from '../engine/engine.ts';
import { FINISHED_STATES } from '../model/task.ts';
import { RemoteError } from '../protocol/errors.ts';

const MAX_WAITERS = 10_000;

interface Waiter {
  id: string;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

export class Waiters {
  private readonly engine: Engine;
  private readonly waiting = new Set<Waiter>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  until(id: string, timeoutMs: number): Promise<void> {
    if (this.waiting.size >= MAX_WAITERS) return Promise.reject(new RemoteError('UNAVAILABLE', `more than ${MAX_WAITERS} requests are already waiting for tasks`));
    return new Promise((resolve) => {
      const waiter: Waiter = {
        id,
        resolve,
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          resolve();
        }, timeoutMs),
      };
      this.waiting.add(waiter);
    });
  }

  /** Called after each durable batch: wakes the waiters whose task has finished. */
  check(): void {
    for (const waiter of this.waiting) {
      let finished = true;
      try {
        finished = FINISHED_STATES.includes(this.engine.get(waiter.id).state);
      } catch {
        // deleted (drained or purged): wake the waiter, whose read will say so
      }
      if (!finished) continue;
      clearTimeout(waiter.timer);
      this.waiting.delete(waiter);
      waiter.resolve();
    }
  }

  close(): void {
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.waiting.clear();
  }
}
