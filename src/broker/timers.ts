/**
 * The broker's clockwork: due tasks are promoted, expired leases fail their attempt, old finished
 * tasks are purged. Each tick first reads (cheap, no transaction) and writes only when there is work.
 */
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../log/logger.ts';
import type { BrokerConfig } from './config.ts';
import { type Dispatcher, randomSeed } from './dispatch.ts';

const PURGE_EVERY_MS = 60_000;
const BULK = 10_000;

export class Timers {
  private readonly engine: Engine;
  private readonly dispatcher: Dispatcher;
  private readonly config: BrokerConfig;
  private readonly log: Logger;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastPurge = 0;

  constructor(engine: Engine, dispatcher: Dispatcher, config: BrokerConfig, log: Logger, clock: () => number) {
    this.engine = engine;
    this.dispatcher = dispatcher;
    this.config = config;
    this.log = log;
    this.clock = clock;
  }

  start(): void {
    this.lastPurge = this.clock();
    this.timer = setInterval(() => void this.tick(), this.config.tick);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.clock();
      const due = this.engine.nextDueAt();
      if (due !== null && due <= now) {
        let outcome;
        do {
          outcome = await this.engine.execute({ kind: 'promoteDue', time: this.clock(), limit: BULK });
          if (outcome.count > 0) this.dispatcher.workMayBeReady();
        } while (outcome.more);
      }
      const expiry = this.engine.nextLeaseExpiry();
      if (expiry !== null && expiry <= now) {
        const outcome = await this.engine.execute({ kind: 'expireLeases', time: this.clock(), limit: BULK, seed: randomSeed() });
        if (outcome.count > 0) this.log.warn('leases expired', { count: outcome.count });
      }
      if (now - this.lastPurge >= PURGE_EVERY_MS) {
        this.lastPurge = now;
        const retention = { succeededMs: this.config.retainSucceeded, cancelledMs: this.config.retainCancelled, deadMs: this.config.retainDead };
        const outcome = await this.engine.execute({ kind: 'purge', time: now, limit: BULK, retention });
        if (outcome.count > 0) this.log.info('purged finished tasks past retention', { count: outcome.count, more: outcome.more });
      }
    } catch (error) {
      this.log.error('timer work failed', { error: (error as Error).message });
    } finally {
      this.busy = false;
    }
  }
}
