/**
 * `--api-key` (TQ_API_KEY) on every command that talks to a broker and on `tq worker start`,
 * against real brokers started with apiKeys (YAML `apiKeys`, TQ_API_KEYS): without the key a
 * command prints the UNAUTHORIZED line and exits 1; with it, the command works.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { COMMANDS } from '../../src/commands/index.ts';
import { type BrokerProcess, removeDir, startBroker, tempDir } from '../helpers/broker.ts';
import { removeBrokerDirs, startWorker } from '../worker/helpers.ts';
import { failsWithOneLine, ok, okJson, tqAt } from './helpers.ts';

// Nothing here may inherit a key from whoever runs the tests.
delete process.env.TQ_API_KEY;

const UNAUTHORIZED = /^tq: this broker needs an API key: pass --api-key or set TQ_API_KEY$/;

it('every command that takes --broker takes --api-key, also from TQ_API_KEY', () => {
  const withBroker = Object.entries(COMMANDS).filter(([, command]) => command.flags && 'broker' in command.flags);
  assert.ok(withBroker.length >= 15, `commands with --broker: ${withBroker.map(([id]) => id).join(', ')}`);
  for (const [id, command] of withBroker) {
    const flag = (command.flags as Record<string, { env?: string; type: string }>)['api-key'];
    assert.equal(flag?.type, 'option', `tq ${id.replaceAll(':', ' ')} has --api-key`);
    assert.equal(flag.env, 'TQ_API_KEY', `tq ${id.replaceAll(':', ' ')} reads TQ_API_KEY`);
  }
});

describe('commands against a broker with apiKeys in its YAML', () => {
  let broker: BrokerProcess;
  const dir = tempDir();

  before(async () => {
    const config = join(dir, 'broker.yaml');
    writeFileSync(config, 'apiKeys: [key-one, key-two]\n');
    broker = await startBroker({ args: ['--config', config] });
  });
  after(async () => {
    await broker?.stop();
    removeBrokerDirs(broker);
    removeDir(dir);
  });

  it('without a key or with a wrong one: the UNAUTHORIZED line, exit 1', async () => {
    const runs = [['stats'], ['submit', '--type', 'echo'], ['status', 'no-such-task'], ['top', '-o', 'json'], ['queue', 'pause', 'default'], ['workers', '--api-key', 'not-a-key']];
    const results = await Promise.all(runs.map((args) => tqAt(broker.address, args)));
    for (const result of results) {
      failsWithOneLine(result, UNAUTHORIZED, 1);
      assert.equal(result.stdout, '');
    }
  });

  it('with --api-key or TQ_API_KEY: the commands work', async () => {
    const submitted = okJson(await tqAt(broker.address, ['submit', '--type', 'echo', '--payload', '{"n":1}', '-o', 'json', '--api-key', 'key-two']));
    assert.equal(submitted.type, 'echo');
    const status = okJson(await tqAt(broker.address, ['status', submitted.id, '-o', 'json'], { env: { TQ_API_KEY: 'key-one' } }));
    assert.equal(status.id, submitted.id);
    assert.equal(status.state, 'pending');
    const stats = okJson(await tqAt(broker.address, ['stats', '-o', 'json', '--api-key', 'key-one']));
    assert.equal(stats.queues.length, 1);
    // The flag wins over the environment, as every flag does.
    ok(await tqAt(broker.address, ['list', '--api-key', 'key-two'], { env: { TQ_API_KEY: 'not-a-key' } }));
    failsWithOneLine(await tqAt(broker.address, ['list', '--api-key', 'not-a-key'], { env: { TQ_API_KEY: 'key-two' } }), UNAUTHORIZED, 1);
  });
});

describe('tq worker start against a broker with TQ_API_KEYS', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  const dir = tempDir();

  before(async () => {
    broker = await startBroker({ env: { TQ_API_KEYS: 'worker-key' } });
    client = await TqClient.connect({ broker: broker.address, apiKey: 'worker-key' });
  });
  after(async () => {
    client?.close();
    await broker?.stop();
    removeBrokerDirs(broker);
    removeDir(dir);
  });

  it('without the key the worker is refused: it says so and exits non-zero', async () => {
    const worker = await startWorker(broker.address, [], { connected: false });
    const code = await worker.exited;
    assert.notEqual(code, 0, worker.output());
    assert.match(worker.output(), /^tq: this broker needs an API key: pass --api-key or set TQ_API_KEY$/m);
    assert.doesNotMatch(worker.output(), /"msg":"connected to the broker"/);
  });

  it('with --api-key, TQ_API_KEY or apiKey in its config file it connects and runs tasks', async () => {
    const config = join(dir, 'worker.yaml');
    writeFileSync(config, 'apiKey: worker-key\n');
    const ways: [string, string[], NodeJS.ProcessEnv][] = [
      ['flag', ['--api-key', 'worker-key'], {}],
      ['env', [], { TQ_API_KEY: 'worker-key' }],
      ['yaml', ['--config', config], {}],
    ];
    for (const [way, args, env] of ways) {
      const worker = await startWorker(broker.address, args, { env });
      try {
        const task = await client.submit({ type: 'echo', payload: { way } });
        const done = await client.wait(task.id, { timeoutMs: 20_000 });
        assert.equal(done.state, 'succeeded', way);
        assert.deepEqual(done.result, { way });
      } finally {
        await worker.stop();
      }
    }
  });
});
