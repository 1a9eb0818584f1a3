/**
 * The dispatcher's credit accounting, seen from raw worker connections on a real broker: a worker
 * is pushed at most the credit it granted, can take credit back, never holds more than its
 * concurrency, is woken by a later submit after a short claim, and shares a queue with another
 * worker without any task pushed twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import type { TaskState } from '../../src/model/task.ts';
import { type BrokerProcess, eventually, removeDir, startBroker } from '../helpers/broker.ts';
import { ack, type RawSession, rawWorker } from '../helpers/protocol.ts';

describe('dispatch: credit', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  const sessions: RawSession[] = [];

  before(async () => {
    broker = await startBroker({ args: ['--no-http'] });
    client = await TqClient.connect({ broker: broker.address, reconnect: false });
  });
  after(async () => {
    for (const session of sessions) session.close();
    client?.close();
    assert.equal(await broker?.stop(), 0);
    if (broker) removeDir(broker.dataDir.replace(/\/data$/, ''));
  });

  async function worker(queue: string, concurrency: number, id = `${queue}-worker`): Promise<RawSession> {
    const session = await rawWorker(broker.port, { id, queues: [queue], concurrency });
    sessions.push(session);
    return session;
  }

  async function states(queue: string): Promise<Partial<Record<TaskState, number>>> {
    const found = (await client.stats()).queues.find((stats) => stats.name === queue);
    assert.ok(found, `no stats for queue ${queue}`);
    return Object.fromEntries(Object.entries(found.states).filter(([, count]) => count > 0));
  }

  function submit(queue: string, count: number) {
    return client.submitMany(Array.from({ length: count }, (_, i) => ({ type: 'echo', queue, payload: i })));
  }

  it('a worker that grants n is pushed n tasks, and no more until it grants again', async () => {
    const w = await worker('credit-n', 10);
    const submitted = await submit('credit-n', 5);
    w.credit(2);
    await w.pushedAtLeast(2);
    // More work arrives, but the worker has no credit for it.
    await submit('credit-n', 1);
    await w.settle();
    assert.equal(w.pushed.length, 2);
    assert.deepEqual(await states('credit-n'), { pending: 4, running: 2 });
    w.credit(1);
    await w.pushedAtLeast(3);
    await w.settle();
    assert.equal(w.pushed.length, 3);
    // An ack frees a slot in the worker, but only the worker's own credit lets the broker fill it.
    assert.deepEqual(await ack(w, w.pushed[0]!), { state: 'succeeded' });
    await submit('credit-n', 1);
    await w.settle();
    assert.equal(w.pushed.length, 3);
    assert.deepEqual(await states('credit-n'), { pending: 4, running: 2, succeeded: 1 });
    // Credit that arrives while a claim is being written adds up; it is not claimed twice.
    for (let i = 0; i < 3; i++) w.credit(1);
    await w.pushedAtLeast(6);
    await w.settle();
    assert.equal(w.pushed.length, 6);
    assert.deepEqual(await states('credit-n'), { pending: 1, running: 5, succeeded: 1 });
    // What was pushed is distinct, leased to this worker, on its first attempt, oldest first.
    assert.equal(new Set(w.pushed.map((task) => task.id)).size, 6);
    assert.deepEqual(w.pushed.slice(0, 5).map((task) => task.id), submitted.map((task) => task.id));
    for (const task of w.pushed) {
      assert.equal(task.lease?.workerId, 'credit-n-worker');
      assert.equal(task.attempts, 1);
    }
  });

  it('a negative credit takes credit back', async () => {
    const w = await worker('credit-back', 10);
    w.credit(3);
    w.credit(-2);
    await w.settle();
    await submit('credit-back', 5);
    await w.pushedAtLeast(1);
    await w.settle();
    assert.equal(w.pushed.length, 1, 'one slot of credit was left');
    assert.deepEqual(await states('credit-back'), { pending: 4, running: 1 });
  });

  it('credit is capped at the worker’s concurrency', async () => {
    const w = await worker('credit-cap', 2);
    w.credit(5);
    await w.settle();
    await submit('credit-cap', 6);
    await w.pushedAtLeast(2);
    await w.settle();
    assert.equal(w.pushed.length, 2);
    w.credit(1);
    await w.pushedAtLeast(3);
    // Again more than the concurrency: it counts as 2.
    w.credit(5);
    await w.pushedAtLeast(5);
    await w.settle();
    assert.equal(w.pushed.length, 5);
    assert.deepEqual(await states('credit-cap'), { pending: 1, running: 5 });
  });

  it('a worker whose claim came back short is pushed a task submitted later, in the submit’s own transaction', async () => {
    const w = await worker('starved', 3);
    w.credit(3);
    await w.settle(); // the claim for that credit found nothing
    assert.equal(w.pushed.length, 0);
    for (let i = 1; i <= 3; i++) {
      const task = await client.submit({ type: 'echo', queue: 'starved', payload: i });
      // No poll in between: the claim went into the submit's transaction, so the task is already leased.
      const stored = await client.get(task.id);
      assert.equal(stored.state, 'running');
      assert.equal(stored.lease?.workerId, 'starved-worker');
      const pushed = await w.pushedAtLeast(i);
      assert.equal(pushed[i - 1]!.id, task.id);
    }
    await w.settle();
    assert.equal(w.pushed.length, 3);
  });

  it('two workers share a queue: every task is pushed once, to one of them', async () => {
    const workers = [await worker('shared', 4, 'shared-a'), await worker('shared', 4, 'shared-b')];
    for (const w of workers) {
      w.credit(4);
      await w.settle();
      // Like a real worker: each outcome reported frees a slot, granted back at once.
      w.onPush((tasks) => {
        for (const task of tasks) void ack(w, task, task.payload).then(() => w.credit(1));
      });
    }
    const submitted = await submit('shared', 40);
    await eventually(async () => ((await states('shared')).succeeded === 40 ? true : undefined), 20_000, '40 succeeded tasks');
    const [a, b] = workers.map((w) => w.pushed.map((task) => task.id)) as [string[], string[]];
    assert.equal(a.length + b.length, 40, 'pushed exactly as many as were submitted');
    assert.deepEqual([...a, ...b].sort(), submitted.map((task) => task.id).sort(), 'each task once');
    // Both were starved when the 40 arrived, so both were pushed their full credit at once.
    assert.ok(a.length >= 4 && b.length >= 4, `a got ${a.length}, b got ${b.length}`);
    for (const task of submitted) {
      const done = await client.get(task.id);
      assert.equal(done.attempts, 1);
      assert.equal(done.history.length, 1);
    }
  });
});
