/**
 * Raw protocol peers for tests: a socket that speaks tq's frames (docs/protocol.md) with no client
 * library in between, so a test sees exactly what the broker sends, and when.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '../../src/protocol/frame.ts';
import { PROTOCOL_VERSION, type WireTask, type WorkerHello } from '../../src/protocol/messages.ts';

export type Message = Record<string, unknown>;

export interface RawPeer {
  socket: Socket;
  /** Messages received and not yet taken by next(). */
  messages: Message[];
  closed: Promise<void>;
  /** The next message, waiting for it; rejects once the connection closed with none left. */
  next: () => Promise<Message>;
  send: (message: unknown) => void;
}

/** A raw connection; `localAddress` (another loopback address, 127.0.0.2...) makes it come from elsewhere. */
export function rawPeer(port: number, localAddress?: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const decoder = new FrameDecoder();
    const messages: Message[] = [];
    let wake: (() => void) | null = null;
    socket.on('data', (chunk) => {
      messages.push(...(decoder.push(chunk) as Message[]));
      wake?.();
    });
    const closed = new Promise<void>((done) =>
      socket.on('close', () => {
        done();
        wake?.();
      }),
    );
    socket.on('error', () => undefined);
    const next = async () => {
      while (messages.length === 0) {
        if (socket.destroyed) throw new Error('connection closed with no message');
        await new Promise<void>((done) => (wake = done));
      }
      return messages.shift()!;
    };
    const send = (message: unknown) => void socket.write(encodeFrame(message));
    socket.once('connect', () => resolve({ socket, messages, closed, next, send }));
    socket.once('error', reject);
  });
}

export function hello(role: 'client' | 'worker', worker?: WorkerHello, version = PROTOCOL_VERSION): Message {
  return { t: 'hello', version, name: 'raw-test', role, host: 'here', pid: process.pid, worker };
}

/** The broker's answer to a request: its value, or its error as a thrown {code, message}. */
export class RequestFailed extends Error {
  readonly code: string;
  /** The argument an INVALID_ARGUMENT names, when it names one. */
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(`${code}: ${message}`);
    this.code = code;
    this.field = field;
  }
}

/**
 * A raw client or worker after its handshake: requests matched to responses by id, tasks the broker
 * pushed collected in order, everything else kept for the test to look at.
 */
export interface RawSession {
  peer: RawPeer;
  /** Every task pushed to this connection so far, in order. */
  pushed: WireTask[];
  /** Frames other than responses and task pushes (cancel signals, errors). */
  other: Message[];
  closed: Promise<void>;
  /** Sends a request now; resolves with its value or rejects with RequestFailed. */
  request: <T = unknown>(op: string, args?: unknown) => Promise<T>;
  /** Sends many requests in one write (they pipeline); each promise as request() gives. */
  requestMany: <T = unknown>(requests: { op: string; args?: unknown }[]) => Promise<T>[];
  /** Calls `listener` with the tasks of each push from now on. */
  onPush: (listener: (tasks: WireTask[]) => void) => void;
  /** Resolves once `count` tasks in all have been pushed; rejects after `timeoutMs` (default 20 s) or a close. */
  pushedAtLeast: (count: number, timeoutMs?: number) => Promise<WireTask[]>;
  credit: (n: number) => void;
  /**
   * A write answered after a durable batch (a cancel of no task, which fails in the engine): a claim
   * the broker began before it saw this request is pushed before the answer, so once this resolves,
   * `pushed` holds every task the broker meant for this worker so far. (Not a heartbeat: those are
   * answered from a read, without waiting for any batch.)
   */
  settle: () => Promise<void>;
  close: () => void;
}

async function session(port: number, greeting: Message): Promise<RawSession> {
  const peer = await rawPeer(port);
  peer.send(greeting);
  const welcome = await peer.next();
  if (welcome.t !== 'welcome') throw new Error(`expected a welcome, got ${JSON.stringify(welcome)}`);
  const pushed: WireTask[] = [];
  const other: Message[] = [];
  const answers = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const pushWaiters = new Set<{ count: number; resolve: () => void }>();
  const pushListeners: ((tasks: WireTask[]) => void)[] = [];
  let nextId = 1;
  const onMessage = (message: Message) => {
    if (message.t === 'res') {
      const answer = answers.get(message.id as number);
      answers.delete(message.id as number);
      if (message.ok) answer?.resolve(message.value);
      else {
        const error = message.error as { code: string; message: string; field?: string };
        answer?.reject(new RequestFailed(error.code, error.message, error.field));
      }
    } else if (message.t === 'tasks') {
      pushed.push(...(message.tasks as WireTask[]));
      for (const listener of pushListeners) listener(message.tasks as WireTask[]);
      for (const waiter of pushWaiters) if (pushed.length >= waiter.count) waiter.resolve();
    } else other.push(message);
  };
  // Take everything that arrives, as it arrives.
  peer.socket.on('data', () => {
    while (peer.messages.length > 0) onMessage(peer.messages.shift()!);
  });
  while (peer.messages.length > 0) onMessage(peer.messages.shift()!);
  void peer.closed.then(() => {
    for (const { reject } of answers.values()) reject(new Error('the connection closed before the answer'));
    answers.clear();
  });
  const requestMany = <T>(requests: { op: string; args?: unknown }[]): Promise<T>[] => {
    const frames: Buffer[] = [];
    const promises = requests.map(({ op, args }) => {
      const id = nextId++;
      frames.push(encodeFrame({ t: 'req', id, op, args: args ?? {} }));
      return new Promise<T>((resolve, reject) => answers.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    });
    peer.socket.write(Buffer.concat(frames));
    return promises;
  };
  const request = <T>(op: string, args?: unknown) => requestMany<T>([{ op, args }])[0]!;
  return {
    peer,
    pushed,
    other,
    closed: peer.closed,
    request,
    requestMany,
    onPush: (listener) => void pushListeners.push(listener),
    pushedAtLeast: (count, timeoutMs = 20_000) => {
      if (pushed.length >= count) return Promise.resolve(pushed);
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          pushWaiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`${why} after ${pushed.length} of ${count} pushed tasks`));
        };
        const timer = setTimeout(() => fail(`no push within ${timeoutMs} ms`), timeoutMs);
        const waiter = {
          count,
          resolve: () => {
            pushWaiters.delete(waiter);
            clearTimeout(timer);
            resolve(pushed);
          },
        };
        pushWaiters.add(waiter);
        void peer.closed.then(() => fail('the connection closed'));
      });
    },
    credit: (n) => peer.send({ t: 'credit', n }),
    settle: async () => {
      await request('cancel', { id: 'settle-no-such-task' }).then(
        () => Promise.reject(new Error('a cancel of no task succeeded')),
        (error: Error) => {
          if (!/not found/.test(error.message)) throw error;
        },
      );
    },
    close: () => peer.socket.destroy(),
  };
}

/** A raw client connection, after its hello. */
export function rawClient(port: number): Promise<RawSession> {
  return session(port, hello('client'));
}

/** A raw worker connection, after its hello; it grants no credit until the test does. */
export function rawWorker(port: number, worker: WorkerHello): Promise<RawSession> {
  return session(port, hello('worker', worker));
}

/** Acknowledges a pushed task with its lease's token. */
export function ack(worker: RawSession, task: WireTask, result: unknown = null): Promise<{ state: string }> {
  return worker.request('ack', { id: task.id, token: task.lease!.token, result });
}

/** The error frame a connection was closed with, once it has closed (undefined if it sent none). */
export async function closedWith(peer: RawPeer): Promise<Message | undefined> {
  await peer.closed;
  return peer.messages.find((message) => message.t === 'error');
}

/** Resident memory of a process, in bytes (VmRSS in /proc/PID/status). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every 10 ms until stop(), which gives the highest seen. */
export function watchRss(pid: number): { stop: () => number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}
