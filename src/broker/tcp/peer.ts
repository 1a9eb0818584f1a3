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
    if (!this.open) return;
    this.socket.end(encodeFrame({ t: 'error', code, message }));
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }
}
