/**
 * One fuzz connection: sends a stream's bytes, collects what comes back (decoding frames leniently,
 * as far as they go) and tells when the broker answered, closed, or neither.
 */
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../../src/protocol/frame.ts';

export interface Exchange {
  socket: Socket;
  /** Frames received, decoded. */
  frames: Record<string, unknown>[];
  closed: boolean;
  /** Resolves once `done()` holds, the connection closed, or `ms` passed; returns whether `done()` held or it closed. */
  until: (done: () => boolean, ms: number) => Promise<boolean>;
  end: () => void;
}

export function exchange(port: number, bytes: Buffer): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder(64 * 1024 * 1024);
    const state: Exchange = {
      socket,
      frames: [],
      closed: false,
      until: (done, ms) =>
        new Promise((settle) => {
          const check = () => {
            if (done() || state.closed) {
              finish();
              settle(true);
            }
          };
          const finish = () => {
            clearTimeout(timer);
            socket.off('data', check);
            socket.off('close', check);
          };
          const timer = setTimeout(() => {
            finish();
            settle(done() || state.closed);
          }, ms);
          socket.on('data', check);
          socket.on('close', check);
          // Data handlers run in order: ours below decodes before `check` looks.
          check();
        }),
      end: () => socket.destroy(),
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        state.frames.push(...(decoder.push(chunk) as Record<string, unknown>[]));
      } catch (error) {
        state.frames.push({ t: 'undecodable', message: (error as Error).message });
      }
    });
    socket.on('close', () => (state.closed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(bytes);
      resolve(state);
    });
    socket.once('error', reject);
  });
}

/**
 * Memory an unauthenticated peer can make the broker hold: `connections` sockets at once, each
 * sending `bytes` of one frame with no hello before it, then closing.
 */
export async function preHelloFlood(port: number, connections: number, bytes: number): Promise<void> {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bytes + 2, 0);
  const body = Buffer.concat([head, Buffer.alloc(bytes, 0x41)]);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const ex = await exchange(port, body);
      await new Promise<void>((resolve) => ex.socket.write('', () => resolve()));
      await ex.until(() => false, 300);
      ex.end();
    }),
  );
}

/** `count` pipelined requests in one write, none of whose answers are read, then a close. */
export async function pipelineFlood(port: number, hello: Buffer, requests: Buffer): Promise<void> {
  const ex = await exchange(port, hello);
  ex.socket.pause();
  await new Promise<void>((resolve) => ex.socket.write(requests, () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 500));
  ex.end();
}
