/**
 * `tq dev`: a broker and worker processes from one command; a submitted echo task finishes; SIGTERM
 * stops the workers and then the broker, exit 0, no worker left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, RUN, tempDir } from '../helpers/broker.ts';
import { ok, okJson, tqAt } from './helpers.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('tq dev runs a broker and workers; a task finishes; SIGTERM stops it all with exit 0', async () => {
  const dir = tempDir();
  const dev = spawn(process.execPath, [RUN, 'dev', '--data-dir', join(dir, 'data'), '--port', '0', '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
  try {
    const port = await eventually(() => /"msg":"broker listening".*?"port":(\d+)/.exec(output)?.[1], 20_000, 'tq dev to start its broker');
    const broker = `127.0.0.1:${port}`;
    const hint = new RegExp(`submit --type echo --payload '\\{"hello":"world"\\}' --wait --broker ${broker}`);
    await eventually(() => (hint.test(output) ? true : undefined), 20_000, 'tq dev to say how to submit a task');

    const result = JSON.parse(ok(await tqAt(broker, ['submit', '--type', 'echo', '--payload', '{"hello":"world"}', '--wait'])));
    assert.deepEqual(result, { hello: 'world' });
    // Its broker is on loopback: tq dev says exec is on, and its workers run shell commands.
    assert.match(output, new RegExp(`^exec is on: the workers run the shell command of any exec task, since only this machine can reach ${broker}\\.$`, 'm'));
    assert.equal(JSON.parse(ok(await tqAt(broker, ['submit', '--type', 'exec', '--payload', '{"command":"echo from-dev"}', '--wait']))), 'from-dev\n');

    const workers = await eventually(async () => {
      const list = okJson(await tqAt(broker, ['workers', '-o', 'json'])).workers as { name: string; pid: number }[];
      return list.length === 2 ? list : undefined;
    }, 20_000, 'both dev workers to connect');
    assert.deepEqual(workers.map((worker) => worker.name).sort(), ['dev-worker-1', 'dev-worker-2']);

    dev.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    for (const worker of workers) assert.equal(alive(worker.pid), false, `worker ${worker.pid} is gone`);
    assert.match(output, /"msg":"broker stopped"/);
  } finally {
    // On a failure, let tq dev stop its workers itself before it is killed.
    if (dev.exitCode === null && dev.signalCode === null) {
      dev.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      dev.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
