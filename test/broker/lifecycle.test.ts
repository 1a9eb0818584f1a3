/** A broker's life: one per data directory, a clean stop, and no acknowledged submit lost to SIGKILL. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { eventually, removeDir, runTq, startBroker, tempDir } from '../helpers/broker.ts';
import { startWorker } from '../worker/helpers.ts';

describe('broker lifecycle', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  it('refuses a second broker on the same data directory with one clear line', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const broker = await startBroker({ dataDir: dir });
    const second = await runTq(['broker', 'start', '--data-dir', dir, '--port', '0']);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /^tq: .* is in use by another tq broker \(pid \d+\)/);
    assert.equal(second.stderr.trim().split('\n').length, 1);
    assert.equal(await broker.stop(), 0);
  });

  it('runs with small V8 semi-spaces and two malloc arenas (same pid), unless the user set their own', async () => {
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const broker = await startBroker();
    dirs.push(dirname(broker.dataDir));
    const args = cmdline(broker.proc.pid!);
    assert.ok(args.includes('--max-semi-space-size=8'), args.join(' '));
    assert.ok(environ(broker.proc.pid!).includes('MALLOC_ARENA_MAX=2'));
    assert.equal(await broker.stop(), 0);
    const own = await startBroker({ env: { NODE_OPTIONS: '--max-semi-space-size=32', MALLOC_ARENA_MAX: '4' } });
    dirs.push(dirname(own.dataDir));
    assert.ok(!cmdline(own.proc.pid!).some((arg) => arg.startsWith('--max-semi-space-size')));
    assert.ok(environ(own.proc.pid!).includes('MALLOC_ARENA_MAX=4'));
    assert.equal(await own.stop(), 0);
  });

  it('stops cleanly on SIGTERM and starts again on the same directory with its tasks', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await startBroker({ dataDir: dir });
    const client = await TqClient.connect({ broker: first.address, reconnect: false });
    const task = await client.submit({ type: 'echo', payload: { keep: true } });
    client.close();
    assert.equal(await first.stop(), 0);
    const again = await startBroker({ dataDir: dir });
    const reader = await TqClient.connect({ broker: again.address, reconnect: false });
    assert.deepEqual((await reader.get(task.id)).payload, { keep: true });
    reader.close();
    assert.equal(await again.stop(), 0);
  });

  it('keeps every acknowledged submit when killed with SIGKILL during a submit storm, and runs each once after', async () => {
    const dir = tempDir();
    dirs.push(dir);
    for (let round = 0; round < 3; round++) {
      const broker = await startBroker({ dataDir: dir });
      const client = await TqClient.connect({ broker: broker.address, reconnect: false });
      const acknowledged: string[] = [];
      let stop = false;
      const storm = async () => {
        while (!stop) {
          const batch = Array.from({ length: 50 }, (_, i) => client.submit({ type: 'echo', payload: i }).then(
            (task) => acknowledged.push(task.id),
            () => (stop = true),
          ));
          await Promise.all(batch);
        }
      };
      const storms = [storm(), storm(), storm()];
      while (acknowledged.length < 500 * (round + 1)) await new Promise((resolve) => setTimeout(resolve, 5));
      await broker.kill();
      stop = true;
      await Promise.all(storms);
      client.close();
      const restarted = await startBroker({ dataDir: dir });
      const reader = await TqClient.connect({ broker: restarted.address, reconnect: false });
      const missing: string[] = [];
      for (const id of acknowledged) await reader.get(id).catch(() => missing.push(id));
      assert.deepEqual(missing, [], `round ${round}: ${missing.length} of ${acknowledged.length} acknowledged tasks lost`);
      if (round === 2) {
        // Every task, acknowledged or not, now runs to the end, each exactly once.
        const worker = await startWorker(restarted.address, ['--concurrency', '50']);
        await eventually(async () => ((await reader.stats()).totals.succeeded === total(await reader.stats()) ? true : undefined), 60_000, 'every task to succeed');
        await worker.stop();
        for (const id of acknowledged) {
          const task = await reader.get(id);
          assert.deepEqual([task.state, task.attempts], ['succeeded', 1], `task ${id}`);
        }
      }
      reader.close();
      assert.equal(await restarted.stop(), 0);
    }
  });
});

function total(stats: { totals: Record<string, number> }): number {
  return Object.values(stats.totals).reduce((sum, n) => sum + n, 0);
}
