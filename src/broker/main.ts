/** `tq broker start`: load the configuration, run a broker until SIGTERM or SIGINT, stop cleanly. */
import { TqError } from '../model/errors.ts';
import { createLogger, type LogLevel } from '../log/logger.ts';
import { Broker } from './broker.ts';
import { type BrokerConfig, loadBrokerConfig } from './config.ts';

export async function runBroker(options: { configFile?: string; flags: Partial<Record<keyof BrokerConfig, unknown>> }): Promise<void> {
  const config = loadBrokerConfig({ configFile: options.configFile, env: process.env, flags: options.flags });
  const log = createLogger('broker', config.logLevel as LogLevel);
  // Signals are watched from the start: one that comes while the broker is still starting stops it
  // as soon as it has started.
  let signalled: string | null = null;
  let onSignal = (signal: string): void => {
    signalled = signal;
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  let broker: Broker;
  try {
    broker = await Broker.start(config, log);
  } catch (error) {
    // Only a failed listen is about the address: an EACCES from the data directory says its path.
    const { code, syscall, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (syscall !== 'listen') throw error;
    const [host, at] = [address ?? config.host, port ?? config.port]; // the TCP or the HTTP listener
    if (code === 'EADDRINUSE') throw new TqError('INVALID_ARGUMENT', `port ${at} on ${host} is already in use: stop what uses it or pass --port`);
    if (code === 'EACCES') throw new TqError('INVALID_ARGUMENT', `not allowed to listen on ${host}:${at}: pick a port above 1024`);
    if (code === 'EADDRNOTAVAIL') throw new TqError('INVALID_ARGUMENT', `cannot listen on ${host}: no such local address`);
    throw error;
  }
  await new Promise<void>((resolve) => {
    onSignal = (signal: string) => {
      log.info('stopping', { signal });
      void broker.stop().then(resolve);
    };
    if (signalled) onSignal(signalled);
  });
}
