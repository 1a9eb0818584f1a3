/**
 * Connection caps on a real broker: per remote address and in all, for connections that have not
 * said hello and for every connection. Peers come from other loopback addresses (127.0.0.2...) so
 * the per-address caps can be told from the totals. Over a cap: one UNAVAILABLE error frame, a close.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TqClient } from '../../../src/client/client.ts';
import { type BrokerProcess, eventually, startBroker } from '../../helpers/broker.ts';
import { closedWith, hello, type RawPeer, rawPeer } from '../../helpers/protocol.ts';

async function refused(port: number, from: string, cap: RegExp): Promise<void> {
  const peer = await rawPeer(port, from);
  const error = await closedWith(peer);
  assert.equal(error?.code, 'UNAVAILABLE');
  assert.match(String(error?.message), /^too many connections: /);
  assert.match(String(error?.message), cap);
  assert.deepEqual(peer.messages.map((m) => m.t), ['error'], 'one error frame and nothing else');
}

async function welcomed(peer: RawPeer): Promise<RawPeer> {
  peer.send(hello('client'));
  assert.equal((await peer.next()).t, 'welcome');
  return peer;
}

async function stillServes(client: TqClient, payload: string): Promise<void> {
  const task = await client.submit({ type: 'echo', payload });
  assert.equal((await client.get(task.id)).payload, payload);
}

describe('tcp: connection caps', () => {
  const brokers: BrokerProcess[] = [];
  const peers: RawPeer[] = [];
  after(async () => {
    for (const peer of peers) peer.socket.destroy();
    for (const broker of brokers) assert.equal(await broker.stop(), 0);
  });
  /** A connection welcomed once the broker has seen a close that freed a place. */
  const welcomedOnceFreed = (port: number, from: string) =>
    eventually(async () => {
      const peer = await open(port, from);
      peer.send(hello('client'));
      const first = await peer.next().catch(() => undefined);
      return first?.t === 'welcome' ? true : undefined;
    }, 10_000, 'a place freed by a close');
  const open = async (port: number, from: string) => {
    const peer = await rawPeer(port, from);
    peers.push(peer);
    return peer;
  };

  it('caps connections that have not said hello, per address and in all; a hello frees the place', async () => {
    const broker = await startBroker({ args: ['--no-http', '--max-unauthenticated-connections', '4', '--max-unauthenticated-connections-per-address', '2'] });
    brokers.push(broker);
    const client = await TqClient.connect({ broker: broker.address, reconnect: false });
    try {
      const [a1] = [await open(broker.port, '127.0.0.2'), await open(broker.port, '127.0.0.2')];
      await refused(broker.port, '127.0.0.2', /127\.0\.0\.2 has 2 connections that have not said hello yet.*maxUnauthenticatedConnectionsPerAddress 2/);
      const [b1] = [await open(broker.port, '127.0.0.3'), await open(broker.port, '127.0.0.3')];
      await refused(broker.port, '127.0.0.4', /4 connections have not said hello yet.*maxUnauthenticatedConnections 4/);
      await stillServes(client, 'unauthenticated caps');
      // Said hello: no longer unauthenticated, so one more may come from that address (and say hello).
      await welcomed(a1!);
      await welcomed(await open(broker.port, '127.0.0.2'));
      // Closed: its place is free again once the broker has seen the close.
      b1!.socket.destroy();
      await welcomedOnceFreed(broker.port, '127.0.0.4');
      await stillServes(client, 'after the caps');
    } finally {
      client.close();
    }
  });

  it('caps connections per address and in all, authenticated or not', async () => {
    const broker = await startBroker({ args: ['--no-http', '--max-connections', '5', '--max-connections-per-address', '3'] });
    brokers.push(broker);
    const client = await TqClient.connect({ broker: broker.address, reconnect: false });
    try {
      const fromTwo = [await welcomed(await open(broker.port, '127.0.0.2')), await welcomed(await open(broker.port, '127.0.0.2')), await welcomed(await open(broker.port, '127.0.0.2'))];
      await refused(broker.port, '127.0.0.2', /127\.0\.0\.2 has 3 connections, the limit per address \(maxConnectionsPerAddress 3\)/);
      await open(broker.port, '127.0.0.3');
      // 1 client + 3 + 1 = 5.
      await refused(broker.port, '127.0.0.4', /the broker has 5 connections, its limit \(maxConnections 5\)/);
      await stillServes(client, 'connection caps');
      fromTwo[0]!.socket.destroy();
      await welcomedOnceFreed(broker.port, '127.0.0.2');
    } finally {
      client.close();
    }
  });
});
