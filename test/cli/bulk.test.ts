/**
 * Changes of many tasks from the CLI: `tq cancel` and `tq retry` with a filter or --all, and
 * `tq dlq purge --all`, each refused without --yes (there is no prompt) and without a scope.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { type BrokerProcess, startBroker } from '../helpers/broker.ts';
import { failsWithOneLine, ok, tqAt } from './helpers.ts';

let broker: BrokerProcess;
let client: TqClient;
const tq = (...args: string[]) => tqAt(broker.address, args);

async function states(queue: string): Promise<string[]> {
  return (await client.list({ queue })).tasks.map((task) => task.state).sort();
}

before(async () => {
  broker = await startBroker();
  client = await TqClient.connect({ broker: broker.address, reconnect: false });
  await client.submitMany([{ type: 't', queue: 'bulk-a' }, { type: 't', queue: 'bulk-a' }, { type: 't', queue: 'bulk-b' }]);
});

after(async () => {
  client.close();
  await broker.stop();
  rmSync(dirname(broker.dataDir), { recursive: true, force: true });
});

test('without a scope or without --yes nothing changes, with one line each', async () => {
  const [none, noYes, both, idAndAll, purge] = await Promise.all([
    tq('cancel'),
    tq('cancel', '--all'),
    tq('cancel', '--all', '--queue', 'bulk-a', '--yes'),
    tq('retry', '0193b3c2-0000-7000-8000-000000000000', '--all'),
    tq('dlq', 'purge', '--yes'),
  ]);
  failsWithOneLine(none, /name the task to cancel by id, or many with --queue\/--state\/--type, or every task with --all/, 2);
  failsWithOneLine(noYes, /this would cancel every task: add --yes to confirm/, 2);
  failsWithOneLine(both, /--all means every task/, 2);
  failsWithOneLine(idAndAll, /name one task id, or many tasks .* not both/, 2);
  failsWithOneLine(purge, /--queue Q for one queue, or --all for every queue/, 2);
  assert.deepEqual(await states('bulk-a'), ['pending', 'pending']);
});

test('cancel --queue --yes, retry of what it cancelled, then cancel --all --yes and dlq purge --all --yes', async () => {
  assert.match(ok(await tq('cancel', '--queue', 'bulk-a', '--yes')), /^cancelled 2 tasks$/m);
  assert.deepEqual(await states('bulk-a'), ['cancelled', 'cancelled']);
  assert.deepEqual(await states('bulk-b'), ['pending'], 'another queue is left alone');
  assert.match(ok(await tq('retry', '--queue', 'bulk-a', '--state', 'cancelled', '--yes')), /^retried 2 tasks$/m);
  assert.deepEqual(await states('bulk-a'), ['pending', 'pending']);
  assert.match(ok(await tq('cancel', '--all', '--yes')), /^cancelled 3 tasks$/m);
  assert.deepEqual([...(await states('bulk-a')), ...(await states('bulk-b'))], ['cancelled', 'cancelled', 'cancelled']);
  assert.match(ok(await tq('dlq', 'purge', '--all', '--yes')), /^purged 0 tasks$/m);
});
