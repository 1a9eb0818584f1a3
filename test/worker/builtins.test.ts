/** The built-in handlers on a real worker process: fail and retries, a missing handler, exec. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../src/client/client.ts';
import { type BrokerProcess, eventually, removeDir, tempDir } from '../helpers/broker.ts';
import { startTestBroker, startWorker, type WorkerProcess, removeBrokerDirs } from './helpers.ts';

/** True when no process `pid` is alive (a zombie nobody reaped counts as gone). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('worker: built-in handlers', () => {
  let broker: BrokerProcess;
  let worker: WorkerProcess;
  let client: TqClient;
  const dir = tempDir();

  before(async () => {
    broker = await startTestBroker();
    worker = await startWorker(broker.address, ['--concurrency', '4', '--allow-exec']);
    client = await TqClient.connect({ broker: broker.address });
  });
  after(async () => {
    client?.close();
    await worker?.stop();
    await broker?.stop();
    removeBrokerDirs(broker);
    removeDir(dir);
  });

  it('fail with maxRetries 2: three attempts, then dead', async () => {
    const task = await client.submit({ type: 'fail', payload: { message: 'always broken' }, maxRetries: 2 });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'dead');
    assert.equal(done.attempts, 3);
    assert.equal(done.lastError, 'always broken');
    assert.deepEqual(done.history.map((attempt) => attempt.error), ['always broken', 'always broken', 'always broken']);
  });

  it('fail with succeedOnAttempt: fails until that attempt, then succeeds', async () => {
    const task = await client.submit({ type: 'fail', payload: { succeedOnAttempt: 2 }, maxRetries: 3 });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 2);
    assert.deepEqual(done.result, { attempt: 2 });
  });

  it('a type with no handler fails its attempt with a clear error', async () => {
    const task = await client.submit({ type: 'no-such-type', maxRetries: 0 });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'dead');
    assert.match(done.lastError!, /^no handler for type no-such-type on this worker/);
  });

  it('sleep and echo return what they say', async () => {
    const [slept, echoed] = await Promise.all([
      client.submit({ type: 'sleep', payload: { ms: 10 } }).then((task) => client.wait(task.id, { timeoutMs: 20_000 })),
      client.submit({ type: 'echo', payload: ['a', 1, { b: null }] }).then((task) => client.wait(task.id, { timeoutMs: 20_000 })),
    ]);
    assert.deepEqual(slept.result, { sleptMs: 10 });
    assert.deepEqual(echoed.result, ['a', 1, { b: null }]);
  });

  it('exec: the payload arrives on stdin and stdout is the result', async () => {
    const task = await client.submit({ type: 'exec', payload: { command: 'tr a-z A-Z', word: 'hello' } });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(JSON.parse(done.result as string), { COMMAND: 'TR A-Z A-Z', WORD: 'HELLO' });
    const argv = await client.submit({ type: 'exec', payload: { command: ['sh', '-c', 'printf "%s" "$TQ_TASK_ATTEMPT:$1"', 'sh', 'x'] } });
    assert.equal((await client.wait(argv.id, { timeoutMs: 20_000 })).result, '1:x');
  });

  it('exec: a non-zero exit fails the attempt with stderr', async () => {
    const task = await client.submit({ type: 'exec', payload: { command: 'echo "disk on fire" >&2; exit 3' }, maxRetries: 0 });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'dead');
    assert.equal(done.lastError, 'command failed with exit code 3: disk on fire');
  });

  it('exec: output over 1 MiB is cut and says so', async () => {
    const task = await client.submit({ type: 'exec', payload: { command: 'head -c 1100000 /dev/zero | tr "\\0" x' } });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'succeeded');
    const result = done.result as string;
    assert.ok(result.startsWith('x'.repeat(1024 * 1024)));
    assert.match(result, /\[tq: output cut at 1048576 bytes; 51424 more bytes dropped\]$/);
  });

  it('exec: a timeout kills the command\'s whole process group', async () => {
    const pids = join(dir, 'pids');
    // The shell starts a grandchild in the background and waits for it.
    const command = `sleep 300 & echo $! > ${pids}; echo $$ >> ${pids}; wait`;
    const task = await client.submit({ type: 'exec', payload: { command }, timeoutMs: 1_000, maxRetries: 0 });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'dead');
    assert.match(done.lastError!, /^timed out after/);
    const [grandchild, shell] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    assert.ok(grandchild! > 0 && shell! > 0);
    await eventually(() => (gone(grandchild!) && gone(shell!) ? true : undefined), 10_000, 'the process group to die');
  });
});
