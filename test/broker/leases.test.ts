/**
 * Leases without a write per heartbeat (src/broker/leases.ts): a real broker in this process, a
 * real worker over TCP. A heartbeat is answered from a read; a lease about to lapse is renewed to
 * when its worker was last heard, so a long task keeps its lease and its first attempt.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Broker } from '../../src/broker/broker.ts';
import { loadBrokerConfig } from '../../src/broker/config.ts';
import { TqClient } from '../../src/client/client.ts';
import { createLogger } from '../../src/log/logger.ts';
import { TqWorker } from '../../src/worker/index.ts';
import { eventually, removeDir, tempDir } from '../helpers/broker.ts';

const quiet = createLogger('test', 'error');

async function startInProcess(lease: string): Promise<{ broker: Broker; address: string; dir: string }> {
  const dir = tempDir();
  const config = loadBrokerConfig({ env: {}, flags: { dataDir: dir, port: 0, http: false, lease, tick: '50ms' } });
  const broker = await Broker.start(config, quiet);
  return { broker, address: `127.0.0.1:${broker.address!.port}`, dir };
}

/** A worker whose one handler holds its task until `release()`. */
function heldWorker(address: string, queue: string): { worker: TqWorker; started: Promise<string>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: (id: string) => void;
  const startedP = new Promise<string>((resolve) => (started = resolve));
  const worker = new TqWorker({
    broker: address,
    queues: [queue],
    concurrency: 1,
    log: quiet,
    handlers: {
      hold: async (_task, ctx) => {
        started(ctx.taskId);
        await gate;
        return 'held';
      },
    },
  });
  return { worker, started: startedP, release };
}

describe('leases', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('a heartbeat writes nothing while the lease has time left', async () => {
    // A 6 s lease: beats every 2 s, and no renewal is due until about 5.9 s after the claim.
    const { broker, address, dir } = await startInProcess('6s');
    cleanup.push(() => removeDir(dir), () => broker.stop());
    const client = await TqClient.connect({ broker: address });
    cleanup.push(() => client.close());
    const { worker, started, release } = heldWorker(address, 'beat');
    await worker.start();
    cleanup.push(() => worker.stop());
    const submitted = await client.submit({ type: 'hold', queue: 'beat' });
    const id = await started;
    const claimedAt = broker.engine.get(id).startedAt!;
    const session = () => broker.dispatcher.list().find((info) => info.id === worker.id)!;
    const position = broker.engine.appliedPosition;
    // A heartbeat answered after the claim, listing its lease (the worker beats every 2 s).
    await eventually(() => ((session().lastHeartbeatAt ?? 0) > claimedAt && session().running === 1) || undefined, 10_000, 'a heartbeat after the claim');
    const lease = broker.engine.get(id).lease!;
    assert.ok(session().lastHeartbeatAt! - claimedAt < 5_800, 'the premise: the beat came before any renewal was due');
    assert.equal(broker.engine.appliedPosition, position, 'no batch was written for the heartbeats');
    assert.equal(lease.expiresAt, claimedAt + 6_000, 'the stored lease is still the one the claim wrote');
    const beat = session().lastHeartbeatAt!;
    const shown = (await client.get(id)).lease!;
    // (A beat may land between the two reads: then it is the newer one.)
    assert.ok([beat, session().lastHeartbeatAt!].map((at) => at + 6_000).includes(shown.expiresAt), 'readers see the lease as the last heartbeat keeps it');
    release();
    assert.equal((await client.wait(submitted.id, { timeoutMs: 20_000 })).state, 'succeeded');
  });

  it('a task that runs for several lease periods keeps its lease and its first attempt: renewals extend it', async () => {
    const { broker, address, dir } = await startInProcess('600ms');
    cleanup.push(() => removeDir(dir), () => broker.stop());
    const client = await TqClient.connect({ broker: address });
    cleanup.push(() => client.close());
    const { worker, started, release } = heldWorker(address, 'long');
    await worker.start();
    cleanup.push(() => worker.stop());
    const submitted = await client.submit({ type: 'hold', queue: 'long' });
    const id = await started;
    const first = broker.engine.get(id).lease!;
    // Renewed at least three times past the expiry the claim wrote, by the same token.
    await eventually(() => (broker.engine.get(id).lease!.expiresAt > first.expiresAt + 3 * 600) || undefined, 20_000, 'three renewals');
    const renewed = broker.engine.get(id);
    assert.equal(renewed.state, 'running');
    assert.equal(renewed.lease!.token, first.token);
    assert.ok(renewed.lease!.expiresAt <= broker.pipeline.now() + 600, 'never past the last beat heard plus one lease');
    release();
    const done = await client.wait(submitted.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 1);
    assert.equal(broker.dispatcher.leases.size, 0, 'an ended task is forgotten');
  });
});
