/** Listeners hear every change of a task, in commit order, once its batch is durable. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchInfo } from '../../src/engine/index.ts';
import { T0, withEngine } from './helpers.ts';

test('onCommitted reports each change with the task before and after it, after the batch is durable', () =>
  withEngine(async (engine) => {
    const batches: BatchInfo[] = [];
    const stop = engine.onCommitted((info) => batches.push(info));
    const submitted = engine.execute({ kind: 'submit', time: T0, tasks: [{ id: 'a', type: 'job' }, { id: 'b', type: 'job', runAt: T0 + 1_000 }] });
    assert.equal(batches.length, 0, 'nothing is told before the batch is written');
    await submitted;
    const [claimed] = await engine.execute({ kind: 'claim', time: T0 + 1, workerId: 'w', queues: ['default'], max: 1, leaseMs: 1_000 });
    await engine.applyBatch([
      { kind: 'ack', time: T0 + 2, id: 'a', token: claimed!.lease!.token },
      { kind: 'cancel', time: T0 + 2, id: 'nope' },
      { kind: 'drainQueue', time: T0 + 3, queue: 'default', limit: 10 },
    ]);
    const seen = batches.flatMap((batch) => batch.changes.map(({ before, after }) => `${(before ?? after)!.id}:${before?.state ?? '-'}>${after?.state ?? '-'}`));
    assert.deepEqual(seen, ['a:->pending', 'b:->scheduled', 'a:pending>running', 'a:running>succeeded']);
    assert.deepEqual(batches.map((batch) => batch.commands), [1, 1, 3]);
    stop();
    await engine.execute({ kind: 'cancel', time: T0 + 4, id: 'b' });
    assert.equal(batches.length, 3, 'a removed listener hears nothing');
  }));
