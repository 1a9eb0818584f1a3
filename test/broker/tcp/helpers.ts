/** A broker process (no HTTP) and a TqClient on it for one describe block, stopped after it. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { TqClient } from '../../../src/client/client.ts';
import { type BrokerProcess, startBroker } from '../../helpers/broker.ts';

export function brokerWithClient(args: string[] = []): { broker: () => BrokerProcess; client: () => TqClient } {
  let broker: BrokerProcess;
  let client: TqClient;
  before(async () => {
    broker = await startBroker({ args: ['--no-http', ...args] });
    client = await TqClient.connect({ broker: broker.address, reconnect: false });
  });
  after(async () => {
    client?.close();
    const code = await broker?.stop();
    assert.equal(code, 0, broker?.output());
  });
  return { broker: () => broker, client: () => client };
}
