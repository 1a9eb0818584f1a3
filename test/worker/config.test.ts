/** The worker's settings: defaults < YAML file < TQ_* environment < flags. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { loadWorkerConfig } from '../../src/worker/config.ts';
import { type BrokerProcess, removeDir, tempDir } from '../helpers/broker.ts';
import { removeBrokerDirs, startTestBroker, startWorker, type WorkerProcess } from './helpers.ts';

describe('worker: configuration', () => {
  const dir = tempDir();
  let broker: BrokerProcess | undefined;
  let worker: WorkerProcess | undefined;
  after(async () => {
    await worker?.stop();
    await broker?.stop();
    removeBrokerDirs(broker);
    removeDir(dir);
  });

  it('has defaults', () => {
    assert.deepEqual(loadWorkerConfig({ env: {} }), {
      broker: '127.0.0.1:7070',
      queues: ['default'],
      concurrency: 10,
      handlers: '',
      grace: 30_000,
      name: '',
      logLevel: 'info',
      allowExec: false,
      apiKey: '',
    });
  });

  it('layers the file, the environment and flags, in that order', () => {
    const file = join(dir, 'worker.yaml');
    writeFileSync(file, 'broker: 10.0.0.1:7070\nqueues: [a, b]\nconcurrency: 3\ngrace: 5s\nname: from-file\nlogLevel: warn\n');
    const config = loadWorkerConfig({
      configFile: file,
      env: { TQ_CONCURRENCY: '4', TQ_GRACE: '2m', TQ_QUEUES: 'c,d' },
      flags: { concurrency: 5, name: undefined },
    });
    assert.deepEqual(config.queues, ['c', 'd']);
    assert.equal(config.concurrency, 5);
    assert.equal(config.grace, 120_000);
    assert.equal(config.name, 'from-file');
    assert.equal(config.broker, '10.0.0.1:7070');
    assert.equal(config.logLevel, 'warn');
  });

  it('reads a handlers path in the file relative to the file', () => {
    const sub = join(dir, 'conf');
    mkdirSync(sub, { recursive: true });
    const file = join(sub, 'worker.yaml');
    writeFileSync(file, 'handlers: ./jobs.ts\n');
    assert.equal(loadWorkerConfig({ configFile: file, env: {} }).handlers, join(sub, 'jobs.ts'));
    assert.equal(loadWorkerConfig({ configFile: file, env: {}, flags: { handlers: './x.ts' } }).handlers, './x.ts');
  });

  it('refuses unknown settings and bad values with a clear error', () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'concurency: 3\n');
    assert.throws(() => loadWorkerConfig({ configFile: file, env: {} }), /unknown setting "concurency" in the config file/);
    assert.throws(() => loadWorkerConfig({ env: { TQ_GRACE: 'soon' } }), /grace \(from TQ_GRACE\) .*invalid/);
    assert.throws(() => loadWorkerConfig({ env: { TQ_LOG_LEVEL: 'loud' } }), /logLevel "loud" is invalid/);
  });

  it('tq worker start --config: the file\'s broker and queues are used (the --broker default does not hide them)', async () => {
    broker = await startTestBroker();
    const file = join(dir, 'cli.yaml');
    writeFileSync(file, `broker: ${broker.address}\nqueues: [from-yaml]\nconcurrency: 2\n`);
    worker = await startWorker(null, ['--config', file], { env: { TQ_BROKER: undefined } });
    const client = await TqClient.connect({ broker: broker.address });
    try {
      const task = await client.submit({ type: 'echo', queue: 'from-yaml', payload: 'yaml' });
      assert.equal((await client.wait(task.id, { timeoutMs: 20_000 })).result, 'yaml');
      const [info] = (await client.workers()).filter((w) => w.connected);
      assert.deepEqual(info!.queues, ['from-yaml']);
      assert.equal(info!.concurrency, 2);
    } finally {
      client.close();
    }
  });
});
