/**
 * Connection caps: in all and per remote address, and for connections that have not yet said
 * hello (unauthenticated), in all and per address. Over a cap a new connection is turned away.
 */
import type { BrokerConfig } from '../config.ts';

type Caps = Pick<BrokerConfig, 'maxConnections' | 'maxConnectionsPerAddress' | 'maxUnauthenticatedConnections' | 'maxUnauthenticatedConnectionsPerAddress'>;

interface Count {
  all: number;
  unauthenticated: number;
}

export class ConnectionLimits {
  private readonly caps: Caps;
  private readonly byAddress = new Map<string, Count>();
  private all = 0;
  private unauthenticated = 0;

  constructor(caps: Caps) {
    this.caps = caps;
  }

  /** Counts a new connection as unauthenticated, or says which cap it would pass (and counts nothing). */
  admit(address: string): string | null {
    const count = this.byAddress.get(address) ?? { all: 0, unauthenticated: 0 };
    const { maxConnections, maxConnectionsPerAddress, maxUnauthenticatedConnections, maxUnauthenticatedConnectionsPerAddress } = this.caps;
    if (this.all >= maxConnections) return `the broker has ${this.all} connections, its limit (maxConnections ${maxConnections})`;
    if (count.all >= maxConnectionsPerAddress) return `${address} has ${count.all} connections, the limit per address (maxConnectionsPerAddress ${maxConnectionsPerAddress})`;
    if (this.unauthenticated >= maxUnauthenticatedConnections) {
      return `${this.unauthenticated} connections have not said hello yet, the limit (maxUnauthenticatedConnections ${maxUnauthenticatedConnections})`;
    }
    if (count.unauthenticated >= maxUnauthenticatedConnectionsPerAddress) {
      return `${address} has ${count.unauthenticated} connections that have not said hello yet, the limit per address (maxUnauthenticatedConnectionsPerAddress ${maxUnauthenticatedConnectionsPerAddress})`;
    }
    count.all++;
    count.unauthenticated++;
    this.all++;
    this.unauthenticated++;
    this.byAddress.set(address, count);
    return null;
  }

  /** The connection's hello was accepted. */
  authenticated(address: string): void {
    this.byAddress.get(address)!.unauthenticated--;
    this.unauthenticated--;
  }

  /** An admitted connection closed. */
  release(address: string, authenticated: boolean): void {
    const count = this.byAddress.get(address)!;
    count.all--;
    this.all--;
    if (!authenticated) {
      count.unauthenticated--;
      this.unauthenticated--;
    }
    if (count.all === 0) this.byAddress.delete(address);
  }
}
