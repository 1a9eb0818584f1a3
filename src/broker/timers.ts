/**
 * The broker's clockwork: due tasks are promoted, leases about to end are renewed to when their
 * worker was last heard, expired leases fail their attempt, old finished tasks are purged. Each tick first reads (cheap, no transaction) and writes only when there is work.
 */
import type { Logger } from '../log/logger.ts';
import type { BrokerConfig } from './config.ts';
import type { Dispatcher } from './dispatch.ts';
import type { Pipeline } from './pipeline.ts';

const PURGE_EVERY_MS = 60_000;
const BULK = 10_000;

export class Timers {
  private readonly pipeline: Pipeline;
  private readonly dispatcher: Dispatcher;
  private readonly config: BrokerConfig;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastPurge = 0;

  constructor(pipeline: Pipeline, dispatcher: Dispatcher, config: BrokerConfig, log: Logger) {
    this.pipeline = pipeline;
    this.dispatcher = dispatcher;
    this.config = config;
    this.log = log;
  }

  start(): void {
    this.lastPurge = this.pipeline.now();
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
      const now = this.pipeline.now();
      const due = this.pipeline.engine.nextDueAt();
      if (due !== null && due <= now) {
        let outcome;
        do {
          outcome = await this.pipeline.execute({ kind: 'promoteDue', limit: BULK });
          if (outcome.count > 0) this.dispatcher.workMayBeReady();
        } while (outcome.more);
      }
      // Leases that end before the tick after next are renewed to when they were last heard, in
      // one command; only then does what nobody heard expire.
      const renewBy = now + 2 * this.config.tick;
      const expiry = this.pipeline.engine.nextLeaseExpiry();
      if (expiry !== null && expiry <= renewBy) {
        const leases = this.dispatcher.leases.renewalsBy(renewBy, now);
        if (leases.length > 0) await this.pipeline.execute({ kind: 'renewLeases', leases });
        const next = this.pipeline.engine.nextLeaseExpiry();
        if (next !== null && next <= this.pipeline.now()) {
          const outcome = await this.pipeline.execute({ kind: 'expireLeases', limit: BULK });
          if (outcome.count > 0) this.log.warn('leases expired', { count: outcome.count });
        }
      }
      if (now - this.lastPurge >= PURGE_EVERY_MS) {
        this.lastPurge = now;
        const retention = { succeededMs: this.config.retainSucceeded, cancelledMs: this.config.retainCancelled, deadMs: this.config.retainDead };
        const outcome = await this.pipeline.execute({ kind: 'purge', limit: BULK, retention });
        if (outcome.count > 0) this.log.info('purged finished tasks past retention', { count: outcome.count, more: outcome.more });
      }
    } catch (error) {
      this.log.error('timer work failed', { error: (error as Error).message });
    } finally {
      this.busy = false;
    }
  }
}
