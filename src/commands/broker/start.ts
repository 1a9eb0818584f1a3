import { Flags } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';

export default class BrokerStart extends TqCommand {
  static override description = 'Start a broker: keeps every task in LMDB, serves clients and workers over TCP, and the REST API, /metrics and a web dashboard over HTTP';
  static override examples = [
    '<%= config.bin %> broker start',
    '<%= config.bin %> broker start --data-dir /var/lib/tq --port 7070 --config tq.yaml',
    '<%= config.bin %> broker start --http-port 8080',
  ];
  static override flags = {
    config: Flags.string({ description: 'YAML config file (defaults < file < TQ_* environment < flags)', env: 'TQ_CONFIG' }),
    'data-dir': Flags.string({ description: 'data directory [default: ./tq-data]' }),
    host: Flags.string({ description: 'address to listen on [default: 127.0.0.1]' }),
    port: Flags.integer({ description: 'TCP port, 0 for any free port [default: 7070]', min: 0, max: 65_535 }),
    'log-level': Flags.string({ description: 'debug, info, warn or error [default: info]', options: ['debug', 'info', 'warn', 'error'] }),
    lease: Flags.string({ description: 'lease given to workers per claim, e.g. 30s [default: 30s]' }),
    tick: Flags.string({ description: 'how often due tasks and expired leases are looked for [default: 200ms]' }),
    http: Flags.boolean({ description: 'serve the HTTP API, /metrics and the web dashboard; --no-http switches it off [default: on]', allowNo: true }),
    'http-host': Flags.string({ description: 'loopback address the HTTP server listens on (it has no authentication yet) [default: 127.0.0.1]' }),
    'http-port': Flags.integer({ description: 'HTTP port (REST API, /metrics, dashboard), 0 for any free port [default: 7080]', min: 0, max: 65_535 }),
    'max-hello-frame-bytes': Flags.integer({ description: 'largest frame a connection may send before its hello [default: 65536]' }),
    'hello-timeout': Flags.string({ description: 'a connection must say hello within this [default: 10s]' }),
    'idle-timeout': Flags.string({ description: 'close a connection quiet this long with no request in progress, 0 for never; at least twice the lease [default: 1h]' }),
    'partial-frame-timeout': Flags.string({ description: 'a frame begun must be whole within this [default: 2m]' }),
    'max-connections': Flags.integer({ description: 'TCP connections in all [default: 10000]' }),
    'max-connections-per-address': Flags.integer({ description: 'TCP connections from one remote address [default: 1000]' }),
    'max-unauthenticated-connections': Flags.integer({ description: 'connections that have not said hello yet, in all [default: 1000]' }),
    'max-unauthenticated-connections-per-address': Flags.integer({ description: 'connections that have not said hello yet, from one address [default: 100]' }),
    'max-in-flight-requests': Flags.integer({ description: 'requests in progress on one connection before it is no longer read [default: 10000]' }),
    'max-buffered-reply-bytes': Flags.integer({ description: 'reply bytes waiting on one connection before it is no longer read [default: 8388608]' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BrokerStart);
    const { runBroker } = await import('../../broker/main.ts');
    await runBroker({
      configFile: flags.config,
      flags: {
        dataDir: flags['data-dir'],
        host: flags.host,
        port: flags.port,
        logLevel: flags['log-level'],
        lease: flags.lease,
        tick: flags.tick,
        http: flags.http,
        httpHost: flags['http-host'],
        httpPort: flags['http-port'],
        maxHelloFrameBytes: flags['max-hello-frame-bytes'],
        helloTimeout: flags['hello-timeout'],
        idleTimeout: flags['idle-timeout'],
        partialFrameTimeout: flags['partial-frame-timeout'],
        maxConnections: flags['max-connections'],
        maxConnectionsPerAddress: flags['max-connections-per-address'],
        maxUnauthenticatedConnections: flags['max-unauthenticated-connections'],
        maxUnauthenticatedConnectionsPerAddress: flags['max-unauthenticated-connections-per-address'],
        maxInFlightRequests: flags['max-in-flight-requests'],
        maxBufferedReplyBytes: flags['max-buffered-reply-bytes'],
      },
    });
  }
}
