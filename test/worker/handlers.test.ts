/**
 * Handlers from a user's TypeScript file, cancellation of running tasks, and the one-line errors of
 * a bad --handlers.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TqClient } from '../../src/client/client.ts';
import { handlersFromModule } from '../../src/worker/handlers.ts';
import { type BrokerProcess, eventually, removeDir, runTq, tempDir } from '../helpers/broker.ts';
import { startTestBroker, startWorker, waitForState, type WorkerProcess, removeBrokerDirs } from './helpers.ts';

const HANDLERS_TS = fileURLToPath(new URL('./fixtures/handlers.ts', import.meta.url));

describe('worker: handlers and cancellation', () => {
  let broker: BrokerProcess;
  let worker: WorkerProcess;
  let client: TqClient;
  const dir = tempDir();

  before(async () => {
    broker = await startTestBroker();
    worker = await startWorker(broker.address, ['--handlers', HANDLERS_TS, '--concurrency', '4']);
    client = await TqClient.connect({ broker: broker.address });
  });
  after(async () => {
    client?.close();
    await worker?.stop();
    await broker?.stop();
    removeBrokerDirs(broker);
    removeDir(dir);
  });

  it('loads a .ts handlers file: a default map and named exports, replacing built-ins by name', async () => {
    const shout = await client.submit({ type: 'shout', payload: { text: 'typed' } });
    assert.equal((await client.wait(shout.id, { timeoutMs: 20_000 })).result, 'TYPED');
    const echo = await client.submit({ type: 'echo', payload: 7 });
    assert.deepEqual((await client.wait(echo.id, { timeoutMs: 20_000 })).result, { echoed: 7 });
    // Built-ins the file does not replace are still there.
    const sleep = await client.submit({ type: 'sleep', payload: { ms: 1 } });
    assert.equal((await client.wait(sleep.id, { timeoutMs: 20_000 })).state, 'succeeded');
  });

  it('cancelling a running task fires its handler\'s signal and ends it cancelled', async () => {
    const marker = join(dir, 'watch-cancelled');
    const task = await client.submit({ type: 'watch', payload: { marker } });
    // The handler reports progress once it runs.
    const running = await waitForState(client, task.id, 'running', (t) => t.progress !== null);
    assert.deepEqual(running.progress, { fraction: 0.5, message: 'half way' });
    const cancelling = await client.cancel(task.id);
    assert.equal(cancelling.cancelRequested, true);
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'cancelled');
    assert.equal(done.attempts, 1);
    await eventually(() => (existsSync(marker) ? true : undefined), 10_000, 'the handler to see its signal');
    assert.equal(readFileSync(marker, 'utf8'), 'cancelled');
  });

  it('cancelling a running built-in sleep ends it cancelled', async () => {
    const task = await client.submit({ type: 'sleep', payload: { ms: 600_000 } });
    await waitForState(client, task.id, 'running');
    await client.cancel(task.id);
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.equal(done.state, 'cancelled');
    assert.equal(done.history[0]!.error, 'cancelled on request');
  });

  it('a missing handlers file: one line, non-zero exit', async () => {
    const result = await runTq(['worker', 'start', '--broker', broker.address, '--handlers', join(dir, 'nope.ts')]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^tq: handlers file .*nope\.ts not found/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('a module that exports no handlers: one line, non-zero exit', async () => {
    const empty = join(dir, 'empty.ts');
    writeFileSync(empty, 'export const answer: number = 42;\n');
    const result = await runTq(['worker', 'start', '--broker', broker.address, '--handlers', empty]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^tq: handlers file .*empty\.ts exports no handlers/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('a module that does not load: one line, non-zero exit', async () => {
    const broken = join(dir, 'broken.js');
    writeFileSync(broken, 'export default { oops: (task => 1 };\n');
    const result = await runTq(['worker', 'start', '--broker', broker.address, '--handlers', broken]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^tq: cannot load handlers from .*broken\.js: /);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  it('reads handlers from default, a handlers export or named functions, and refuses non-functions', () => {
    const fn = async () => 1;
    assert.deepEqual(Object.keys(handlersFromModule({ default: { a: fn } }, 'm')), ['a']);
    assert.deepEqual(Object.keys(handlersFromModule({ handlers: { b: fn } }, 'm')), ['b']);
    assert.deepEqual(Object.keys(handlersFromModule({ c: fn, VERSION: 3 }, 'm')).sort(), ['c']);
    // CommonJS: module.exports arrives as default.
    assert.deepEqual(Object.keys(handlersFromModule({ default: { handlers: { d: fn } } }, 'm')), ['d']);
    assert.throws(() => handlersFromModule({ default: { a: 1 } }, 'm'), /default\.a in m is not a function/);
    assert.throws(() => handlersFromModule({ default: fn }, 'm'), /default export of m is a function/);
    assert.throws(() => handlersFromModule({ default: { 'bad name': fn } }, 'm'), /not a valid task type/);
    assert.throws(() => handlersFromModule({}, 'm'), /exports no handlers/);
  });
});
