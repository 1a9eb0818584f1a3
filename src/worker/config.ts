/**
 * The worker's settings: defaults < YAML file (--config) < TQ_* environment < flags. One name per
 * setting: flag --foo-bar = environment TQ_FOO_BAR = YAML fooBar (`--grace 30s` = TQ_GRACE = grace).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_BROKER } from '../client/address.ts';
import { readConfigFile, resolveConfig, type Spec } from '../config/layers.ts';
import { invalid } from '../model/errors.ts';
import type { LogLevel } from '../log/logger.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_GRACE_MS } from './options.ts';

export interface WorkerConfig {
  broker: string;
  queues: string[];
  concurrency: number;
  /** Path of a handlers module; '' for the built-ins only. */
  handlers: string;
  /** Milliseconds running tasks get to finish when the worker stops. */
  grace: number;
  /** '' for the host name. */
  name: string;
  logLevel: LogLevel;
  /** Run the built-in exec handler: shell commands named by tasks (off unless asked). */
  allowExec: boolean;
  /** The key a broker with apiKeys asks for; '' for none. */
  apiKey: string;
}

export const WORKER_DEFAULTS: WorkerConfig = {
  broker: DEFAULT_BROKER,
  queues: ['default'],
  concurrency: DEFAULT_CONCURRENCY,
  handlers: '',
  grace: DEFAULT_GRACE_MS,
  name: '',
  logLevel: 'info',
  allowExec: false,
  apiKey: '',
};

const SPEC: Spec<WorkerConfig> = {
  broker: 'string',
  queues: 'list',
  concurrency: 'integer',
  handlers: 'string',
  grace: 'duration',
  name: 'string',
  logLevel: 'string',
  allowExec: 'boolean',
  apiKey: 'string',
};

export function loadWorkerConfig(options: { configFile?: string; env?: NodeJS.ProcessEnv; flags?: Partial<Record<keyof WorkerConfig, unknown>> }): WorkerConfig {
  const file = options.configFile ? readConfigFile(options.configFile) : {};
  const config = resolveConfig(SPEC, WORKER_DEFAULTS, { file, env: options.env, flags: options.flags });
  if (!['debug', 'info', 'warn', 'error'].includes(config.logLevel)) throw invalid(`logLevel ${JSON.stringify(config.logLevel)} is invalid: use debug, info, warn or error`);
  if (config.queues.length === 0) throw invalid('queues is empty: name at least one queue, e.g. --queues default');
  // A handlers path written in the config file is relative to that file, not to where tq runs.
  const fromFile = file.handlers !== undefined && !options.env?.TQ_HANDLERS && options.flags?.handlers === undefined;
  if (fromFile && config.handlers && !isAbsolute(config.handlers)) config.handlers = resolve(dirname(options.configFile!), config.handlers);
  return config;
}
