/**
 * One connection as the broker serves it: frames in (a small one before the hello, maxFrameBytes
 * after), requests answered, and what the peer may hold bounded. It is read only while it has
 * fewer than maxInFlightRequests requests in progress and fewer than maxBufferedReplyBytes of
 * replies waiting to leave (backpressure: the socket is paused, nothing is refused), and it is
 * closed when its hello, a frame it began, or its next frame after a long quiet is too late.
 */
import type { Socket } from 'node:net';
import { decodeBody, extensionIn, FrameDecoder, FrameTooLarge } from '../../protocol/frame.ts';
import { toWireError } from '../../protocol/errors.ts';
import { PROTOCOL_VERSION, type Hello, type Welcome } from '../../protocol/messages.ts';
import type { Logger } from '../../log/logger.ts';
import type { BrokerConfig } from '../config.ts';
import type { Dispatcher, WorkerSession } from '../dispatch.ts';
import { handle, type RequestContext } from '../requests.ts';
import { Deadline } from './deadline.ts';
import { helloProblem } from './hello.ts';
import { Peer } from './peer.ts';

export interface ConnectionDeps {
  config: BrokerConfig;
  log: Logger;
  dispatcher: Dispatcher;
  context: Omit<RequestContext, 'worker'>;
  brokerId: string;
  accepting: () => boolean;
}

export class Connection {
  private readonly deps: ConnectionDeps;
  private readonly peer: Peer;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly onHello: () => void;
  private worker: WorkerSession | undefined;
  private inFlight = 0;
  private paused = false;
  private readonly helloDeadline: Deadline;
  private readonly idleDeadline: Deadline;
  private readonly frameDeadline: Deadline;

  /** `onHello` is told once the peer's hello is accepted. */
  constructor(socket: Socket, id: number, deps: ConnectionDeps, onHello: () => void) {
    const { config } = deps;
    this.deps = deps;
    this.socket = socket;
    this.peer = new Peer(socket, id);
    this.onHello = onHello;
    this.decoder = new FrameDecoder(config.maxHelloFrameBytes);
    this.helloDeadline = new Deadline(config.helloTimeout, () => this.fail('MALFORMED', `no hello within ${config.helloTimeout} ms`));
    this.idleDeadline = new Deadline(config.idleTimeout, () => this.onIdle());
    this.frameDeadline = new Deadline(config.partialFrameTimeout, () =>
      this.fail('TIMEOUT', `a frame begun ${config.partialFrameTimeout} ms ago is still not whole (partialFrameTimeout); closing this connection`),
    );
    this.helloDeadline.restart();
    socket.on('data', (chunk) => {
      if (!this.peer.open) return;
      this.decoder.write(chunk);
      this.pump();
    });
    socket.on('drain', () => this.pump());
    socket.on('error', () => undefined);
  }

  /** Frees what the connection held; called once its socket has closed. */
  closed(): void {
    this.stopTimers();
    this.decoder.clear();
    if (this.worker) {
      this.deps.dispatcher.detach(this.worker, this.peer);
      this.deps.log.info('worker disconnected', { worker: this.worker.id });
    }
  }

  /** Whether a request may be read now: few enough in progress and few enough reply bytes waiting. */
  private get readable(): boolean {
    const { maxInFlightRequests, maxBufferedReplyBytes } = this.deps.config;
    return this.peer.hello === null || (this.inFlight < maxInFlightRequests && this.socket.writableLength < maxBufferedReplyBytes);
  }

  /** Takes whole frames while the connection may be read, then pauses or resumes the socket. */
  private pump(): void {
    let finished = false;
    try {
      while (this.peer.open && this.readable) {
        const body = this.decoder.nextBody();
        if (body === null) break;
        finished = true;
        this.onFrame(body);
      }
    } catch (error) {
      const code = error instanceof FrameTooLarge ? 'FRAME_TOO_LARGE' : 'MALFORMED';
      this.deps.log.warn('closing a connection that sent a bad frame', { peer: this.peer.id, error: (error as Error).message });
      this.fail(code, `${(error as Error).message}; closing this connection`);
      return;
    }
    if (!this.peer.open) return;
    const readable = this.readable;
    if (readable === this.paused) {
      this.paused = !readable;
      if (readable) this.socket.resume();
      else this.socket.pause();
    }
    // The peer has until the deadline to finish a frame it began; time it is not read is not its own.
    if (this.peer.hello === null || this.paused || this.decoder.pending === 0) this.frameDeadline.stop();
    else if (finished || !this.frameDeadline.running) this.frameDeadline.restart();
  }

  private onFrame(body: Buffer): void {
    const extension = extensionIn(body);
    const message = decodeBody(body) as { t?: unknown; id?: unknown } | null;
    if (message === null || typeof message !== 'object' || Array.isArray(message)) return this.fail('MALFORMED', 'every frame must hold a msgpack map');
    this.idleDeadline.restart();
    if (extension !== null) {
      const problem = `the frame holds ${extension}: tq speaks plain msgpack only (nil, booleans, numbers, strings, bin, arrays, maps)`;
      if (this.peer.hello !== null && message.t === 'req' && typeof message.id === 'number') {
        this.peer.send({ t: 'res', id: message.id, ok: false, error: { code: 'INVALID_ARGUMENT', message: problem } });
        return;
      }
      return this.fail('MALFORMED', `${problem}; closing this connection`);
    }
    if (this.peer.hello === null) {
      if (message.t !== 'hello') return this.fail('MALFORMED', 'the first frame must be a hello');
      return this.hello(message as Hello & Record<string, unknown>);
    }
    if (message.t === 'req') this.request(message as { id?: unknown; op?: unknown; args?: unknown });
    else if (message.t === 'credit' && this.worker) this.deps.dispatcher.grant(this.worker, (message as { n: number }).n);
    else this.fail('MALFORMED', typeof message.t === 'string' ? `unexpected frame ${JSON.stringify(message.t).slice(0, 80)}: send req (or credit, as a worker)` : 'a frame must be a map with a t field: send req (or credit, as a worker)');
  }

  private hello(hello: Hello & Record<string, unknown>): void {
    const { config, log, dispatcher } = this.deps;
    this.helloDeadline.stop();
    const problem = helloProblem(hello);
    if (problem) return this.fail(problem.code, problem.message);
    if (config.apiKeys.length > 0 && !config.apiKeys.includes(String(hello.apiKey ?? ''))) {
      return this.fail('UNAUTHORIZED', 'this broker needs an API key: pass --api-key or set TQ_API_KEY');
    }
    if (!this.deps.accepting()) return this.fail('SHUTTING_DOWN', 'the broker is shutting down');
    this.peer.hello = hello;
    this.decoder.maxFrameBytes = config.maxFrameBytes;
    this.onHello();
    if (hello.role === 'worker') {
      const w = hello.worker!;
      this.worker = dispatcher.attach(this.peer, w);
      log.info('worker connected', { worker: w.id, name: hello.name, host: hello.host, queues: w.queues.join(','), concurrency: w.concurrency });
    }
    const welcome: Welcome = {
      t: 'welcome',
      version: PROTOCOL_VERSION,
      broker: this.deps.brokerId,
      time: this.deps.context.pipeline.now(),
      limits: { maxFrameBytes: config.maxFrameBytes, maxPayloadBytes: config.maxPayloadBytes, leaseMs: config.lease },
    };
    this.peer.send(welcome);
  }

  private request(message: { id?: unknown; op?: unknown; args?: unknown }): void {
    if (typeof message.id !== 'number') return this.fail('MALFORMED', 'a request needs a numeric id');
    const id = message.id;
    this.inFlight++;
    handle({ ...this.deps.context, worker: this.worker }, message.op, message.args)
      .then(
        (value) => this.peer.send({ t: 'res', id, ok: true, value }),
        (error: unknown) => {
          const wire = toWireError(error);
          if (wire.code === 'INTERNAL') this.deps.log.error('request failed', { op: message.op, error: (error as Error)?.stack ?? String(error) });
          this.peer.send({ t: 'res', id, ok: false, error: wire });
        },
      )
      .finally(() => {
        this.inFlight--;
        if (!this.peer.open) return;
        // Quiet is counted from the last answer too: a long wait is not idleness.
        this.idleDeadline.restart();
        if (this.paused) this.pump();
      });
  }

  /** Nothing received for idleTimeout: close, unless a request is still being answered. */
  private onIdle(): void {
    if (this.inFlight > 0) return this.idleDeadline.restart();
    this.fail('TIMEOUT', `nothing received for ${this.deps.config.idleTimeout} ms and no request in progress (idleTimeout); closing this connection`);
  }

  /** Sends a connection-level error and closes, dropping whatever the peer had sent. */
  private fail(code: string, message: string): void {
    this.stopTimers();
    this.decoder.clear();
    this.socket.pause();
    this.peer.fail(code, message);
  }

  private stopTimers(): void {
    this.helloDeadline.stop();
    this.idleDeadline.stop();
    this.frameDeadline.stop();
  }
}
