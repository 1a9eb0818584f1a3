/**
 * The engine is ready for a log: the same commands applied to engines in different batch splits
 * (one command per batch, random splits, all in one batch) give the same outcomes and the same
 * bytes in every database, but for the applied position, which counts batches. A seeded workload
 * of every kind of command; TQ_SEED=n replays one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from 'lmdb';
import { draws, Engine, type Command, type Outcome } from '../../src/engine/index.ts';
import { makeTempDir, packed, removeDir, T0 } from './helpers.ts';

const COMMANDS = 400;
const DATABASES = ['tasks', 'blobs', 'ready', 'due', 'leases', 'bystate', 'idem', 'counts', 'queues', 'meta'];

/**
 * Makes the workload one command at a time, each chosen from what the reference engine holds after
 * the commands before it (running tasks and their tokens, ids that exist), so most commands act.
 */
async function workload(reference: Engine, random: () => number): Promise<{ commands: Command[]; outcomes: Outcome[] }> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (n: number) => Math.floor(random() * n);
  const queues = ['a', 'b', 'c'];
  const commands: Command[] = [];
  const outcomes: Outcome[] = [];
  let time = T0;
  let ids = 0;
  for (let i = 0; i < COMMANDS; i++) {
    time += int(10) === 0 ? int(40_000) : int(500);
    const running = reference.list({ state: 'running', limit: 50 }).tasks;
    const known = reference.list({ limit: 50 }).tasks.map((task) => task.id);
    const held = running.length > 0 ? pick(running) : null;
    const lease = held ? { id: held.id, token: int(5) === 0 ? held.lease!.token + 1 : held.lease!.token } : { id: 'missing', token: 1 };
    const roll = int(20);
    let command: Command;
    if (roll < 5) {
      command = {
        kind: 'submit',
        time,
        tasks: Array.from({ length: 1 + int(3) }, () => ({
          id: `t${String(++ids).padStart(5, '0')}`,
          type: pick(['email', 'report']),
          queue: pick(queues),
          priority: int(256),
          maxRetries: int(3),
          backoffBaseMs: 100,
          backoffCapMs: 10_000,
          runAt: int(4) === 0 ? time + int(20_000) : null,
          idempotencyKey: int(5) === 0 ? `key-${int(10)}` : null,
          payload: int(3) === 0 ? packed({ n: i, blob: 'x'.repeat(int(600)) }) : null,
          tags: int(4) === 0 ? ['tagged'] : [],
        })),
      };
    } else if (roll < 8) command = { kind: 'claim', time, workerId: pick(['w0', 'w1', 'w2']), queues: [pick(queues), pick(queues)], max: 1 + int(3), leaseMs: 1_000 + int(20_000) };
    else if (roll < 11) command = { kind: 'ack', time, ...lease, result: int(2) === 0 ? packed({ ok: i }) : null };
    else if (roll === 11) command = { kind: 'nack', time, ...lease, error: `boom ${i}`, seed: int(2 ** 32) };
    else if (roll === 12) command = { kind: 'renewLeases', time, leases: held ? [{ ...lease, heardAt: time - int(3_000) }] : [] };
    else if (roll === 13) command = int(2) === 0 ? { kind: 'release', time, ...lease } : { kind: 'progress', time, ...lease, fraction: random(), message: 'half' };
    else if (roll === 14) command = { kind: 'cancel', time, id: known.length > 0 ? pick(known) : 'missing' };
    else if (roll === 15) command = int(2) === 0 ? { kind: 'retry', time, id: known.length > 0 ? pick(known) : 'missing' } : { kind: 'dlqReplay', time, queue: pick(queues), limit: 5 };
    else if (roll === 16) command = { kind: 'promoteDue', time, limit: 1 + int(10) };
    else if (roll === 17) command = { kind: 'expireLeases', time, limit: 1 + int(10), seed: int(2 ** 32) };
    else if (roll === 18) command = { kind: 'purge', time, limit: 10, retention: { succeededMs: 30_000, cancelledMs: 30_000, deadMs: 60_000 } };
    else command = pick<Command>([{ kind: 'pauseQueue', time, queue: pick(queues) }, { kind: 'resumeQueue', time, queue: pick(queues) }, { kind: 'cancelWhere', time, filter: { queue: pick(queues), state: 'failed' }, limit: 3 }]);
    commands.push(command);
    outcomes.push(...(await reference.applyBatch([command])));
  }
  return { commands, outcomes };
}

/** Every key and value of every database, as hex, but the applied position. */
async function contents(dir: string): Promise<Record<string, [string, string][]>> {
  const env = open({ path: dir, maxDbs: 16, readOnly: true });
  try {
    const out: Record<string, [string, string][]> = {};
    for (const name of DATABASES) {
      const db = env.openDB({ name, encoding: 'binary', keyEncoding: 'binary' });
      out[name] = [...db.getRange({})]
        .map(({ key, value }) => [Buffer.from(key as Buffer).toString('hex'), Buffer.from(value as Buffer).toString('hex')] as [string, string])
        .filter(([key]) => !(name === 'meta' && Buffer.from(key, 'hex').toString('latin1').includes('position')));
    }
    return out;
  } finally {
    await env.close();
  }
}

/** The outcomes as comparable text: values, or error codes and messages. */
function described(outcomes: Outcome[]): string[] {
  return outcomes.map((outcome) => (outcome.ok ? JSON.stringify(outcome.value) : `${outcome.error.code}: ${outcome.error.message}`));
}

test('the same commands in different batch splits give the same outcomes and byte-identical databases', async () => {
  const seed = Number(process.env.TQ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = draws(seed);
  const replay = `replay with TQ_SEED=${seed}`;
  const dirs = [makeTempDir(), makeTempDir(), makeTempDir()];
  try {
    const [one, split, whole] = dirs.map((dir) => Engine.open({ dir })) as [Engine, Engine, Engine];
    const { commands, outcomes } = await workload(one, random);
    const splitOutcomes: Outcome[] = [];
    const splits: number[] = [];
    for (let at = 0; at < commands.length; ) {
      const size = 1 + Math.floor(random() * 25);
      splits.push(size);
      splitOutcomes.push(...(await split.applyBatch(commands.slice(at, at + size))));
      at += size;
    }
    const wholeOutcomes = await whole.applyBatch(commands);
    const acted = outcomes.filter((outcome) => outcome.ok).length;
    assert.ok(acted > COMMANDS / 2, `most commands act (${acted} of ${COMMANDS}); ${replay}`);
    const acked = commands.filter((command, i) => command.kind === 'ack' && outcomes[i]!.ok).length;
    assert.ok(acked > 0, `some tasks succeeded; ${replay}`);
    assert.deepEqual([one.appliedPosition, split.appliedPosition, whole.appliedPosition], [COMMANDS, splits.length, 1], 'the position counts batches');
    assert.deepEqual(described(splitOutcomes), described(outcomes), `random splits: the same outcomes; ${replay}`);
    assert.deepEqual(described(wholeOutcomes), described(outcomes), `one batch: the same outcomes; ${replay}`);
    await Promise.all([one.close(), split.close(), whole.close()]);
    const [a, b, c] = await Promise.all(dirs.map(contents));
    assert.ok(a!.tasks!.length > 50, `the workload left tasks behind (${a!.tasks!.length}); ${replay}`);
    assert.deepEqual(b, a, `random splits: byte-identical databases; ${replay}`);
    assert.deepEqual(c, a, `one batch: byte-identical databases; ${replay}`);
  } finally {
    for (const dir of dirs) removeDir(dir);
  }
});

test('a batch that rolls back leaves no trace, counters and position included', async () => {
  const dir = makeTempDir();
  const engine = Engine.open({ dir });
  try {
    await engine.applyBatch([{ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }, { id: 'b', type: 'job' }] }]);
    const [first] = await engine.execute({ kind: 'claim', time: T0 + 1, workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 });
    const before = { position: engine.appliedPosition, time: engine.lastTime, a: engine.get('a'), b: engine.get('b') };
    for (const write of [(body: Parameters<Engine['writeHere']>[0]) => engine.writeHere(body), (body: Parameters<Engine['writeHere']>[0]) => engine.writeOnThread(body)]) {
      await assert.rejects(
        async () =>
          write((batch) => {
            assert.ok(batch.apply({ kind: 'claim', time: T0 + 50, workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 }).ok);
            assert.ok(batch.apply({ kind: 'submit', time: T0 + 50, tasks: [{ id: 'c', type: 'job' }] }).ok);
            throw new Error('the disk went away');
          }),
        /the disk went away/,
      );
      assert.deepEqual({ position: engine.appliedPosition, time: engine.lastTime, a: engine.get('a'), b: engine.get('b') }, before);
      assert.throws(() => engine.get('c'), /not found/);
    }
    const [second] = await engine.execute({ kind: 'claim', time: T0 + 2, workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 });
    assert.equal(second!.lease!.token, first!.lease!.token + 1, 'the rolled-back claims took no token');
    assert.equal(second!.stateSeq, engine.get('b').stateSeq);
    assert.equal(engine.appliedPosition, before.position + 1);
  } finally {
    await engine.close();
    removeDir(dir);
  }
});
