/**
 * One connection to a broker: the hello handshake, pipelined requests matched to responses by id,
 * pushed messages, and reconnection with a backoff growing from 50 ms to half a second.
 */
import { hostname } from 'node:os';
import { connect, type Socket } from 'node:net';
import { encodeFrame, extensionIn, FRAME_HEADER_BYTES, FrameDecoder } from '../protocol/frame.ts';
import { RemoteError } from '../protocol/errors.ts';
import {
  PROTOCOL_VERSION,
  type BrokerMessage,
  type Hello,
  type Op,
  type Ops,
  type Role,
  type Welcome,
  type WorkerHello,
} from '../protocol/messages.ts';
import { type Address, formatAddress } from './address.ts';

const MAX_PENDING_REQUESTS = 100_000;
/**
 * Reconnection attempts: 50 ms after a loss, then 1.5 times longer each, up to 500 ms apart. A
 * worker waiting for a restarting broker (which listens about 0.35 s after it starts) reaches it
 * within half a second of its coming back, however long it has been away; an attempt on a
 * refused port costs next to nothing.
 */
const RECONNECT_FIRST_MS = 50;
const RECONNECT_GROWTH = 1.5;
const RECONNECT_CAP_MS = 500;

export interface ConnectionOptions {
  address: Address;
  name: string;
  role: Role;
  worker?: WorkerHello;
  apiKey?: string | null;
  /** Keep trying to (re)connect; when false the first failure to connect is final. */
  reconnect: boolean;
  connectTimeoutMs?: number;
  onWelcome?: (welcome: Welcome) => void;
  onPush?: (message: BrokerMessage) => void;
  onDisconnect?: (error: Error) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
}

export class Connection {
  private readonly options: ConnectionOptions;
  private socket: Socket | null = null;
  private ready = false;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Frames written while not connected wait here and go out on (re)connection. */
  private backlog: Buffer[] = [];
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private retryMs = RECONNECT_FIRST_MS;
  private corked = false;
  welcome: Welcome | null = null;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.open();
  }

  get connected(): boolean {
    return this.ready;
  }

  /** Resolves once the handshake is done; rejects if the connection cannot be made and won't be retried. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  request<O extends Op>(op: O, args: Ops[O]['args'], timeoutMs?: number): Promise<Ops[O]['result']> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.pending.size >= MAX_PENDING_REQUESTS) {
      return Promise.reject(new RemoteError('UNAVAILABLE', `more than ${MAX_PENDING_REQUESTS} requests are waiting for the broker`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? null : setTimeout(() => {
        this.pending.delete(id);
        reject(new RemoteError('TIMEOUT', `the broker did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      let frame: Buffer;
      try {
        frame = encodeFrame({ t: 'req', id, op, args });
      } catch (error) {
        if (timer) clearTimeout(timer);
        reject(new RemoteError('ENCODE_FAILED', `cannot encode ${op}: ${(error as Error).message}`));
        return;
      }
      // The broker refuses extension values (the protocol is plain msgpack): say so before sending.
      const extension = extensionIn(frame.subarray(FRAME_HEADER_BYTES));
      if (extension !== null) {
        if (timer) clearTimeout(timer);
        reject(new RemoteError('ENCODE_FAILED', `cannot send ${op}: it holds ${extension}; tq carries plain msgpack only, so send a Date as an ISO-8601 string or epoch milliseconds`));
        return;
      }
      // The broker would close the whole connection over a frame past its limit: refuse it here.
      const max = this.welcome?.limits?.maxFrameBytes;
      if (typeof max === 'number' && frame.length - FRAME_HEADER_BYTES > max) {
        if (timer) clearTimeout(timer);
        reject(new RemoteError('TOO_LARGE', `the ${op} request is ${frame.length - FRAME_HEADER_BYTES} bytes, over the broker's frame limit of ${max}`));
        return;
      }
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.write(frame);
    });
  }

  /** A message with no response (credit). Sent now, or on reconnection. */
  send(message: object): void {
    if (!this.closed) this.write(encodeFrame(message));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.end();
    this.socket?.destroy();
    this.failAll(this.closedError());
  }

  private closedError(): RemoteError {
    return new RemoteError('UNAVAILABLE', 'the connection to the broker is closed');
  }

  private write(frame: Buffer): void {
    if (!this.ready || !this.socket) {
      this.backlog.push(frame);
      return;
    }
    // Frames written in one turn of the event loop leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      const socket = this.socket;
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  private open(): void {
    const { address } = this.options;
    const socket = connect({ host: address.host, port: address.port, noDelay: true });
    this.socket = socket;
    const decoder = new FrameDecoder();
    let failure: Error | null = null;
    const connectTimer = setTimeout(() => {
      failure = new RemoteError('UNAVAILABLE', `cannot reach the tq broker at ${formatAddress(address)}: no answer within ${this.options.connectTimeoutMs ?? 5_000} ms`);
      socket.destroy();
    }, this.options.connectTimeoutMs ?? 5_000);
    socket.on('connect', () => {
      const hello: Hello = {
        t: 'hello',
        version: PROTOCOL_VERSION,
        name: this.options.name,
        role: this.options.role,
        host: hostname(),
        pid: process.pid,
        apiKey: this.options.apiKey ?? null,
        worker: this.options.worker,
      };
      socket.write(encodeFrame(hello));
    });
    socket.on('data', (chunk) => {
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        failure = new RemoteError('MALFORMED', `the broker at ${formatAddress(address)} sent a bad frame: ${(error as Error).message}`);
        socket.destroy();
        return;
      }
      for (const message of messages) this.receive(message as BrokerMessage, socket, (error) => (failure = error));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= new RemoteError(
        'UNAVAILABLE',
        error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EHOSTUNREACH'
          ? `cannot reach the tq broker at ${formatAddress(address)} (${error.code}): start one with \`tq broker start\` or pass --broker host:port`
          : `connection to the tq broker at ${formatAddress(address)} failed: ${error.message}`,
      );
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      const wasReady = this.ready;
      this.ready = false;
      this.socket = null;
      const error = failure ?? new RemoteError('UNAVAILABLE', `the connection to the tq broker at ${formatAddress(address)} was lost`);
      // In-flight requests may or may not have been applied: their callers decide what to do.
      for (const [id, pending] of this.pending) {
        if (pending.timer) clearTimeout(pending.timer);
        pending.reject(error);
        this.pending.delete(id);
      }
      if (this.closed) return;
      if (wasReady) this.options.onDisconnect?.(error);
      const permanent = error instanceof RemoteError && (error.code === 'UNSUPPORTED_VERSION' || error.code === 'UNAUTHORIZED');
      if (!this.options.reconnect || permanent) {
        this.closed = true;
        this.failAll(error);
        return;
      }
      setTimeout(() => this.open(), wasReady ? RECONNECT_FIRST_MS : this.retryMs);
      this.retryMs = Math.min(RECONNECT_CAP_MS, Math.round(this.retryMs * RECONNECT_GROWTH));
    });
    socket.once('connect', () => clearTimeout(connectTimer));
  }

  private receive(message: BrokerMessage, socket: Socket, fail: (error: Error) => void): void {
    switch (message?.t) {
      case 'welcome':
        this.welcome = message;
        this.ready = true;
        this.retryMs = RECONNECT_FIRST_MS;
        this.options.onWelcome?.(message);
        for (const frame of this.backlog.splice(0)) this.write(frame);
        for (const waiter of this.waiters.splice(0)) waiter.resolve();
        return;
      case 'res': {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (pending.timer) clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new RemoteError(message.error.code, message.error.message));
        return;
      }
      case 'error':
        fail(new RemoteError(message.code, message.message));
        socket.destroy();
        return;
      default:
        this.options.onPush?.(message);
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    for (const [id, pending] of this.pending) {
      if (pending.timer) clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
    this.backlog = [];
  }
}
