/**
 * The exec handler is opt-in: a worker started without --allow-exec fails an exec task with a
 * message saying how to allow it and runs nothing; with --allow-exec, TQ_ALLOW_EXEC or
 * `allowExec: true` in its config it runs the command. Real broker and worker processes.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { BUILTIN_HANDLERS, TqWorker } from '../../src/index.ts';
import { type BrokerProcess, removeDir, tempDir } from '../helpers/broker.ts';
import { removeBrokerDirs, startTestBroker, startWorker } from './helpers.ts';

const REFUSED = /^exec is off on this worker: it runs no shell commands from tasks unless started with --allow-exec \(TQ_ALLOW_EXEC=true, or allowExec: true in its config\)$/;

describe('worker: exec only when allowed', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  const dir = tempDir();

  before(async () => {
    broker = await startTestBroker();
    client = await TqClient.connect({ broker: broker.address });
  });
  after(async () => {
    client?.close();
    await broker?.stop();
    removeBrokerDirs(broker);
    removeDir(dir);
  });

  /** Runs one exec task that would create `marker` on a worker started with `args` and `env`. */
  async function execOn(marker: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    const worker = await startWorker(broker.address, args, { env });
    try {
      const task = await client.submit({ type: 'exec', payload: { command: ['touch', join(dir, marker)] }, maxRetries: 0 });
      return await client.wait(task.id, { timeoutMs: 20_000 });
    } finally {
      await worker.stop();
    }
  }

  it('without --allow-exec: the attempt fails saying how to allow it, and the command does not run', async () => {
    const done = await execOn('refused', [], { TQ_ALLOW_EXEC: '' });
    assert.equal(done.state, 'dead');
    assert.equal(done.attempts, 1);
    assert.match(done.lastError!, REFUSED);
    assert.equal(existsSync(join(dir, 'refused')), false, 'the command ran on a worker that does not allow exec');
  });

  it('TQ_ALLOW_EXEC=false keeps it off', async () => {
    const done = await execOn('env-off', [], { TQ_ALLOW_EXEC: 'false' });
    assert.match(done.lastError!, REFUSED);
    assert.equal(existsSync(join(dir, 'env-off')), false);
  });

  it('with --allow-exec, TQ_ALLOW_EXEC=true or allowExec: true in the config file, the command runs', async () => {
    const config = join(dir, 'worker.yaml');
    writeFileSync(config, 'allowExec: true\n');
    const ways: [string, string[], NodeJS.ProcessEnv][] = [
      ['flag', ['--allow-exec'], {}],
      ['env', [], { TQ_ALLOW_EXEC: 'true' }],
      ['yaml', ['--config', config], {}],
    ];
    for (const [way, args, env] of ways) {
      const done = await execOn(way, args, env);
      assert.equal(done.state, 'succeeded', `${way}: ${done.lastError}`);
      assert.equal(existsSync(join(dir, way)), true, `${way}: the command did not run`);
    }
  });
});

describe('library: TqWorker loads exec only when asked', () => {
  it('the default worker has no exec; allowExec or an explicit BUILTIN_HANDLERS.exec adds it', () => {
    assert.deepEqual(new TqWorker().types, ['echo', 'fail', 'sleep']);
    assert.deepEqual(new TqWorker({ allowExec: true }).types, ['echo', 'exec', 'fail', 'sleep']);
    assert.deepEqual(new TqWorker({ builtins: false, handlers: { exec: BUILTIN_HANDLERS.exec! } }).types, ['exec']);
    assert.deepEqual(new TqWorker({ builtins: false, allowExec: true }).types, ['exec']);
  });
});
