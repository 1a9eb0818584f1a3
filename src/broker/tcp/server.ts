/**
 * The protocol server: accepts connections within the caps (src/broker/tcp/limits.ts) and serves
 * each (connection.ts). A bad peer (garbage, an oversize frame, a wrong version) gets an error
 * frame and loses its own connection; nothing it sends can take the broker or another connection down.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeFrame } from '../../protocol/frame.ts';
import { Connection, type ConnectionDeps } from './connection.ts';
import { ConnectionLimits } from './limits.ts';
import { endSoon } from './peer.ts';

export type ServerDeps = ConnectionDeps;

/** Between TCP keepalive probes of a quiet connection, so a peer that vanished is noticed. */
const KEEPALIVE_MS = 60_000;
/** At most one warning this often about connections turned away, however many are. */
const TURNED_AWAY_WARNING_MS = 10_000;

export class ProtocolServer {
  private readonly deps: ServerDeps;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly limits: ConnectionLimits;
  private nextPeer = 1;
  private turnedAway = 0;
  private warnedAt = 0;

  constructor(deps: ServerDeps) {
    this.deps = deps;
    this.limits = new ConnectionLimits(deps.config);
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
    for (const socket of this.sockets) endSoon(socket);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    const address = socket.remoteAddress ?? 'unknown';
    const refused = this.limits.admit(address);
    if (refused !== null) return this.turnAway(socket, refused);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    this.sockets.add(socket);
    let authenticated = false;
    const connection = new Connection(socket, this.nextPeer++, this.deps, () => {
      authenticated = true;
      this.limits.authenticated(address);
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.limits.release(address, authenticated);
      connection.closed();
    });
  }

  /** One error frame, then the close; the socket is never read. */
  private turnAway(socket: Socket, reason: string): void {
    this.turnedAway++;
    const now = Date.now();
    if (now - this.warnedAt >= TURNED_AWAY_WARNING_MS) {
      this.deps.log.warn('turning connections away', { reason, count: this.turnedAway });
      this.warnedAt = now;
      this.turnedAway = 0;
    }
    endSoon(socket, encodeFrame({ t: 'error', code: 'UNAVAILABLE', message: `too many connections: ${reason}; try again later` }));
  }
}
