/**
 * A running broker: the engine, the command pipeline that feeds it, the protocol server, the
 * dispatcher and the timers, started and stopped in the right order.
 */
import { hostname } from 'node:os';
import { Engine } from '../engine/engine.ts';
import type { HttpServer } from './http/server.ts';
import type { Logger } from '../log/logger.ts';
import type { BrokerConfig } from './config.ts';
import { Dispatcher } from './dispatch.ts';
import { Pipeline } from './pipeline.ts';
import type { RequestContext } from './requests.ts';
import { ProtocolServer } from './tcp/server.ts';
import { Timers } from './timers.ts';
import { Waiters } from './waiters.ts';

export class Broker {
  readonly config: BrokerConfig;
  readonly engine: Engine;
  readonly pipeline: Pipeline;
  readonly dispatcher: Dispatcher;
  private readonly log: Logger;
  private readonly server: ProtocolServer;
  private readonly timers: Timers;
  private readonly waiters: Waiters;
  private readonly context: Omit<RequestContext, 'worker'>;
  private stopping: Promise<void> | null = null;
  address: { host: string; port: number } | null = null;
  /** The HTTP server (REST, /metrics, dashboard), unless switched off. */
  http: HttpServer | null = null;

  private constructor(config: BrokerConfig, log: Logger, engine: Engine) {
    this.config = config;
    this.log = log;
    this.engine = engine;
    const pipeline = new Pipeline(engine, { maxPayloadBytes: config.maxPayloadBytes, maxResultBytes: config.maxPayloadBytes });
    this.pipeline = pipeline;
    this.dispatcher = new Dispatcher(pipeline, log, config.lease);
    this.waiters = new Waiters(engine);
    this.timers = new Timers(pipeline, this.dispatcher, config, log);
    pipeline.onCommitted(() => this.waiters.check());
    this.context = { engine, pipeline, config, dispatcher: this.dispatcher, waiters: this.waiters };
    this.server = new ProtocolServer({
      config,
      log,
      dispatcher: this.dispatcher,
      brokerId: `${hostname()}:${process.pid}`,
      context: this.context,
      accepting: () => this.stopping === null,
    });
  }

  /** Opens the data directory (taking its lock), listens, re-arms live leases, starts the timers. */
  static async start(config: BrokerConfig, log: Logger): Promise<Broker> {
    const engine = Engine.open({ dir: config.dataDir });
    const broker = new Broker(config, log, engine);
    try {
      // The YAML's queue settings go into the engine's state once (the engine remembers that it
      // was seeded), so later starts keep what `tq queue config` set and every replica agrees.
      const seed = await broker.pipeline.execute({ kind: 'seedQueues', queues: config.queues });
      if (!seed.seeded && Object.keys(config.queues).length > 0) log.info('queues in the config file left aside: the data directory has its queue settings (tq queue config changes them)');
      broker.address = await broker.server.listen(config.host, config.port);
      if (config.http) {
        // Loaded only here, so that `tq --help` and the other commands never load fastify or prom-client.
        const { startHttpServer } = await import('./http/server.ts');
        broker.http = await startHttpServer({ context: broker.context, log, accepting: () => broker.stopping === null }, config.httpHost, config.httpPort);
        log.info('http listening', { host: broker.http.host, port: broker.http.port, url: broker.http.url });
      }
      // Re-armed once the broker serves and just before its timers run, so a worker that was
      // running through the restart has a full lease from then, however long the start took.
      const rearmed = await broker.pipeline.execute({ kind: 'rearmLeases' });
      if (rearmed.count > 0) log.info('re-armed live leases', { count: rearmed.count });
    } catch (error) {
      await broker.server.close();
      await broker.pipeline.close();
      await engine.close();
      throw error;
    }
    broker.timers.start();
    void broker.timers.tick();
    log.info('broker listening', { host: broker.address.host, port: broker.address.port, dataDir: config.dataDir });
    return broker;
  }

  /** Stops accepting, lets the commit in progress finish, closes LMDB. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.timers.stop();
      this.waiters.close();
      // The requests just woken answer before any connection closes.
      await new Promise((resolve) => setImmediate(resolve));
      await this.http?.close();
      await this.server.close();
      await this.pipeline.close();
      await this.engine.close();
      this.log.info('broker stopped');
    })();
    return this.stopping;
  }
}
