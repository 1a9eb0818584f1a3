/**
 * The protocol server: accepts connections, checks the hello, decodes frames and answers
 * requests. A bad peer (garbage, an oversize frame, a wrong version) gets an error frame and loses
 * its own connection; nothing it sends can take the broker or another connection down.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { FrameDecoder, FrameTooLarge } from '../../protocol/frame.ts';
import { toWireError } from '../../protocol/errors.ts';
import { PROTOCOL_VERSION, type Hello, type Welcome } from '../../protocol/messages.ts';
import type { Logger } from '../../log/logger.ts';
import type { BrokerConfig } from '../config.ts';
import type { Dispatcher, WorkerSession } from '../dispatch.ts';
import { Peer } from './peer.ts';
import { handle, type RequestContext } from '../requests.ts';

const HELLO_TIMEOUT_MS = 10_000;
/** Requests a connection may have in progress before the broker stops reading from it. */
const MAX_IN_FLIGHT = 10_000;

export interface ServerDeps {
  config: BrokerConfig;
  log: Logger;
  dispatcher: Dispatcher;
  context: Omit<RequestContext, 'worker'>;
  brokerId: string;
  accepting: () => boolean;
}

export class ProtocolServer {
  private readonly deps: ServerDeps;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextPeer = 1;

  constructor(deps: ServerDeps) {
    this.deps = deps;
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve({ host, port: typeof address === 'object' && address ? address.port : port });
      });
    });
  }

  /** Stops accepting and closes every connection, once what was written to it has left. */
  close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const { config, log } = this.deps;
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const peer = new Peer(socket, this.nextPeer++);
    const decoder = new FrameDecoder(config.maxFrameBytes);
    let worker: WorkerSession | undefined;
    let inFlight = 0;
    const helloTimer = setTimeout(() => peer.fail('MALFORMED', `no hello within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);

    const onRequest = (message: { id?: unknown; op?: unknown; args?: unknown }) => {
      if (typeof message.id !== 'number') return peer.fail('MALFORMED', 'a request needs a numeric id');
      const id = message.id;
      inFlight++;
      if (inFlight >= MAX_IN_FLIGHT) socket.pause();
      handle({ ...this.deps.context, worker }, message.op, message.args).then(
        (value) => peer.send({ t: 'res', id, ok: true, value }),
        (error: unknown) => {
          const wire = toWireError(error);
          if (wire.code === 'INTERNAL') log.error('request failed', { op: message.op, error: (error as Error)?.stack ?? String(error) });
          peer.send({ t: 'res', id, ok: false, error: wire });
        },
      ).finally(() => {
        inFlight--;
        if (inFlight < MAX_IN_FLIGHT / 2 && socket.isPaused()) socket.resume();
      });
    };

    const onHello = (hello: Hello): boolean => {
      clearTimeout(helloTimer);
      if (hello.version !== PROTOCOL_VERSION) {
        peer.fail('UNSUPPORTED_VERSION', `this broker speaks tq protocol version ${PROTOCOL_VERSION}; the peer speaks ${JSON.stringify(hello.version)}: use matching tq versions`);
        return false;
      }
      if (config.apiKeys.length > 0 && !config.apiKeys.includes(String(hello.apiKey ?? ''))) {
        peer.fail('UNAUTHORIZED', 'this broker needs an API key: pass --api-key or set TQ_API_KEY');
        return false;
      }
      if (!this.deps.accepting()) {
        peer.fail('SHUTTING_DOWN', 'the broker is shutting down');
        return false;
      }
      peer.hello = hello;
      if (hello.role === 'worker') {
        const w = hello.worker;
        if (!w || typeof w.id !== 'string' || !Array.isArray(w.queues) || w.queues.length === 0 || !Number.isSafeInteger(w.concurrency) || w.concurrency < 1) {
          peer.fail('MALFORMED', 'a worker hello needs worker.id, worker.queues and worker.concurrency');
          return false;
        }
        worker = this.deps.dispatcher.attach(peer, w);
        log.info('worker connected', { worker: w.id, name: hello.name, host: hello.host, queues: w.queues.join(','), concurrency: w.concurrency });
      }
      const welcome: Welcome = {
        t: 'welcome',
        version: PROTOCOL_VERSION,
        broker: this.deps.brokerId,
        time: this.deps.context.pipeline.now(),
        limits: { maxFrameBytes: config.maxFrameBytes, maxPayloadBytes: config.maxPayloadBytes, leaseMs: config.lease },
      };
      peer.send(welcome);
      return true;
    };

    socket.on('data', (chunk) => {
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        const code = error instanceof FrameTooLarge ? 'FRAME_TOO_LARGE' : 'MALFORMED';
        log.warn('closing a connection that sent a bad frame', { peer: peer.id, error: (error as Error).message });
        socket.pause();
        peer.fail(code, `${(error as Error).message}; closing this connection`);
        return;
      }
      for (const message of messages as { t?: unknown }[]) {
        if (!peer.open) return;
        if (message === null || typeof message !== 'object') return peer.fail('MALFORMED', 'every frame must hold a msgpack map');
        if (peer.hello === null) {
          if (message.t !== 'hello') return peer.fail('MALFORMED', 'the first frame must be a hello');
          if (!onHello(message as Hello)) return;
          continue;
        }
        if (message.t === 'req') onRequest(message as { id?: unknown; op?: unknown; args?: unknown });
        else if (message.t === 'credit' && worker) this.deps.dispatcher.grant(worker, (message as { n: number }).n);
        else return peer.fail('MALFORMED', `unexpected frame ${JSON.stringify(message.t)}`);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(socket);
      if (worker) {
        this.deps.dispatcher.detach(worker, peer);
        log.info('worker disconnected', { worker: worker.id });
      }
    });
  }
}

