/** A connected peer as the broker sees it: frames out (corked per event-loop turn), close with an error. */
import type { Socket } from 'node:net';
import { encodeFrame } from '../../protocol/frame.ts';
import type { BrokerMessage, Hello } from '../../protocol/messages.ts';

export class Peer {
  readonly socket: Socket;
  readonly id: number;
  hello: Hello | null = null;
  private corked = false;

  constructor(socket: Socket, id: number) {
    this.socket = socket;
    this.id = id;
  }

  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  send(message: BrokerMessage): void {
    if (!this.open) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeFrame(message));
  }

  /** Sends a connection-level error, then closes. */
  fail(code: string, message: string): void {
    if (this.open) endSoon(this.socket, encodeFrame({ t: 'error', code, message }));
  }
}

/**
 * Ends a socket (after `last`, if given) and destroys it a second later if the peer has not closed
 * its side. The timer keeps the process alive: a socket no longer read would not, and a stopping
 * broker waits for its connections to close.
 */
export function endSoon(socket: Socket, last?: Buffer): void {
  if (last) socket.end(last);
  else socket.end();
  const timer = setTimeout(() => socket.destroy(), 1_000);
  socket.once('close', () => clearTimeout(timer));
}
