/** The broker's settings, with their defaults and per-queue overrides. */
import { invalid } from '../model/errors.ts';
import { QUEUE_SETTINGS, type QueueSetting, type QueueSettings } from '../model/queue.ts';
import { checkInteger, checkName, DEFAULTS } from '../model/task.ts';
import { parseDuration } from '../config/duration.ts';
import { readConfigFile, resolveConfig, type Spec } from '../config/layers.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface BrokerConfig {
  dataDir: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Lease given with each claim, in ms (`lease: 30s`, TQ_LEASE, --lease). */
  lease: number;
  maxFrameBytes: number;
  maxPayloadBytes: number;
  /** Largest frame before the hello (which is small), so an unauthenticated peer holds little memory. */
  maxHelloFrameBytes: number;
  /** A connection's hello must arrive within this, in ms. */
  helloTimeout: number;
  /** A connection that sends nothing and has no request in flight for this long is closed; 0: never. */
  idleTimeout: number;
  /** A frame begun must be whole within this, in ms. */
  partialFrameTimeout: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Connections that have not yet said hello, in all and from one address. */
  maxUnauthenticatedConnections: number;
  maxUnauthenticatedConnectionsPerAddress: number;
  /** A connection with this many requests in progress is not read until some are answered. */
  maxInFlightRequests: number;
  /** A connection with this many bytes of replies waiting to be sent is not read until they leave. */
  maxBufferedReplyBytes: number;
  /** How often the broker looks for due tasks and expired leases, in ms. */
  tick: number;
  retainSucceeded: number;
  retainCancelled: number;
  retainDead: number;
  apiKeys: string[];
  /** Serve the HTTP API, /metrics and the dashboard (`http: false`, TQ_HTTP=false, --no-http). */
  http: boolean;
  /** Address the HTTP server binds: loopback only, since its actions have no auth yet. */
  httpHost: string;
  /** HTTP port; 0 means any free port, logged once bound. */
  httpPort: number;
  /**
   * Per-queue settings for submitted tasks (YAML only: `queues: {emails: {maxRetries: 5}}`), seeded
   * into the engine on the first start; from then on `tq queue config` changes them.
   */
  queues: Record<string, QueueSettings>;
}

export const BROKER_DEFAULTS: BrokerConfig = {
  dataDir: './tq-data',
  host: '127.0.0.1',
  port: 7070,
  logLevel: 'info',
  lease: DEFAULTS.leaseMs,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxPayloadBytes: 10 * 1024 * 1024,
  maxHelloFrameBytes: 64 * 1024,
  helloTimeout: 10_000,
  idleTimeout: 3_600_000,
  partialFrameTimeout: 120_000,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 1_000,
  maxUnauthenticatedConnections: 1_000,
  maxUnauthenticatedConnectionsPerAddress: 100,
  maxInFlightRequests: 10_000,
  maxBufferedReplyBytes: 8 * 1024 * 1024,
  tick: 200,
  retainSucceeded: DEFAULTS.retention.succeededMs,
  retainCancelled: DEFAULTS.retention.cancelledMs,
  retainDead: DEFAULTS.retention.deadMs,
  apiKeys: [],
  http: true,
  httpHost: '127.0.0.1',
  httpPort: 7080,
  queues: {},
};

const SPEC: Spec<Omit<BrokerConfig, 'queues'>> = {
  dataDir: 'string',
  host: 'string',
  port: 'integer',
  logLevel: 'string',
  lease: 'duration',
  maxFrameBytes: 'integer',
  maxPayloadBytes: 'integer',
  maxHelloFrameBytes: 'integer',
  helloTimeout: 'duration',
  idleTimeout: 'duration',
  partialFrameTimeout: 'duration',
  maxConnections: 'integer',
  maxConnectionsPerAddress: 'integer',
  maxUnauthenticatedConnections: 'integer',
  maxUnauthenticatedConnectionsPerAddress: 'integer',
  maxInFlightRequests: 'integer',
  maxBufferedReplyBytes: 'integer',
  tick: 'duration',
  retainSucceeded: 'duration',
  retainCancelled: 'duration',
  retainDead: 'duration',
  apiKeys: 'list',
  http: 'boolean',
  httpHost: 'string',
  httpPort: 'integer',
};

export function loadBrokerConfig(options: { configFile?: string; env?: NodeJS.ProcessEnv; flags?: Partial<Record<keyof BrokerConfig, unknown>> }): BrokerConfig {
  const file = options.configFile ? readConfigFile(options.configFile) : {};
  const merged = resolveConfig(SPEC, BROKER_DEFAULTS, { file, env: options.env, flags: options.flags }, ['queues']);
  const config: BrokerConfig = { ...merged, queues: parseQueues(file.queues) };
  if (!['debug', 'info', 'warn', 'error'].includes(config.logLevel)) throw invalid(`logLevel ${JSON.stringify(config.logLevel)} is invalid: use debug, info, warn or error`);
  checkInteger('port', config.port, 0, 65_535);
  checkInteger('httpPort', config.httpPort, 0, 65_535);
  checkInteger('lease', config.lease, 100, 24 * 3_600_000);
  checkInteger('tick', config.tick, 10, 60_000);
  checkInteger('maxFrameBytes', config.maxFrameBytes, 1_024, 1 << 30);
  checkInteger('maxPayloadBytes', config.maxPayloadBytes, 1, config.maxFrameBytes);
  checkConnectionLimits(config);
  // Anyone who reaches the HTTP port may submit, cancel and purge tasks (exec tasks too), keys or not.
  if (config.http && !isLoopback(config.httpHost)) {
    throw invalid(
      `HTTP has no authentication yet, so it listens on loopback only: keep httpHost on 127.0.0.1, ::1 or localhost (reach it from elsewhere through an SSH tunnel or an authenticating proxy), or pass --no-http (got ${JSON.stringify(config.httpHost)})`,
    );
  }
  return config;
}

/** The TCP listener's limits (docs/protocol.md, Limits). */
function checkConnectionLimits(config: BrokerConfig): void {
  checkInteger('maxHelloFrameBytes', config.maxHelloFrameBytes, 1_024, config.maxFrameBytes);
  checkInteger('helloTimeout', config.helloTimeout, 100, 600_000);
  // Workers heartbeat every lease/3 and a heartbeat counts as activity: twice the lease leaves room for missed beats.
  if (config.idleTimeout !== 0 && (config.idleTimeout < 2 * config.lease || config.idleTimeout > 7 * 86_400_000)) {
    throw invalid(`idleTimeout must be 0 (never) or from twice the lease (${2 * config.lease} ms) to 7 days, since workers heartbeat every lease/3 (got ${config.idleTimeout} ms)`);
  }
  checkInteger('partialFrameTimeout', config.partialFrameTimeout, 100, 3_600_000);
  checkInteger('maxConnections', config.maxConnections, 1, 1_000_000);
  // Each cap stands alone: one above another never bites, and lowering one needs no other changed.
  checkInteger('maxConnectionsPerAddress', config.maxConnectionsPerAddress, 1, 1_000_000);
  checkInteger('maxUnauthenticatedConnections', config.maxUnauthenticatedConnections, 1, 1_000_000);
  checkInteger('maxUnauthenticatedConnectionsPerAddress', config.maxUnauthenticatedConnectionsPerAddress, 1, 1_000_000);
  checkInteger('maxInFlightRequests', config.maxInFlightRequests, 1, 1_000_000);
  checkInteger('maxBufferedReplyBytes', config.maxBufferedReplyBytes, 16 * 1024, 1 << 30);
}

/** Only this machine can reach an address that passes. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(host);
}

/** YAML names of the queue settings: durations are written like `timeout: 2m`. */
const YAML_SETTINGS: Record<string, QueueSetting> = { maxRetries: 'maxRetries', timeout: 'timeoutMs', backoffBase: 'backoffBaseMs', backoffCap: 'backoffCapMs' };

/** The YAML's `queues:`, checked with the ranges the engine checks them with. */
function parseQueues(value: unknown): Record<string, QueueSettings> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('queues in the config file must map queue names to settings');
  const queues: Record<string, QueueSettings> = {};
  for (const [name, raw] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    checkName('queue', name);
    if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw invalid(`queues.${name} must map settings to values, e.g. maxRetries: 5`);
    const settings: QueueSettings = {};
    for (const [key, setting] of Object.entries(raw ?? {})) {
      const field = Object.hasOwn(YAML_SETTINGS, key) ? YAML_SETTINGS[key]! : undefined;
      if (field === undefined) throw invalid(`unknown setting queues.${name}.${key}: use ${Object.keys(YAML_SETTINGS).join(', ')}`);
      const where = `queues.${name}.${key}`;
      const number = field === 'maxRetries' ? setting : parseDuration(setting as string, where);
      settings[field] = checkInteger(where, number, QUEUE_SETTINGS[field].min, QUEUE_SETTINGS[field].max);
    }
    queues[name] = settings;
  }
  return queues;
}
