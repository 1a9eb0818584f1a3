/**
 * `tq queue config` against a real broker: settings set from the CLI reach the tasks submitted
 * after them, `default` resets, bad flags end in one line; and the broker's YAML `queues:` seeds
 * the settings on the first start only, so a restart keeps what the CLI set.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrokerProcess, startBroker, tempDir } from '../helpers/broker.ts';
import { failsWithOneLine, ok, okJson, okYaml, tqAt } from './helpers.ts';

const DEFAULT_SETTINGS = { maxRetries: 3, timeoutMs: 1_800_000, backoffBaseMs: 1_000, backoffCapMs: 3_600_000 };

function settingsOf(task: Record<string, unknown>) {
  const { maxRetries, timeoutMs, backoffBaseMs, backoffCapMs } = task;
  return { maxRetries, timeoutMs, backoffBaseMs, backoffCapMs };
}

describe('tq queue config', () => {
  let broker: BrokerProcess;
  const tq = (...args: string[]) => tqAt(broker.address, args);
  const submitted = async (...args: string[]) => settingsOf(okJson(await tq('submit', '--type', 'echo', '-o', 'json', ...args)));

  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker.stop();
    rmSync(dirname(broker.dataDir), { recursive: true, force: true });
  });

  test('without flags it prints the settings, each marked as a default', async () => {
    assert.deepEqual(okJson(await tq('queue', 'config', 'q-fresh', '-o', 'json')), { name: 'q-fresh', paused: false, overrides: [], ...DEFAULT_SETTINGS });
    const table = ok(await tq('queue', 'config', 'q-fresh'));
    assert.match(table, /^max retries\s+3 \(default\)$/m);
    assert.match(table, /^timeout\s+30m0s \(default\)$/m);
  });

  test('set from the CLI, the settings reach the tasks submitted after; a task\'s own flags win', async () => {
    const before = await submitted('--queue', 'q-cli');
    assert.deepEqual(before, DEFAULT_SETTINGS);
    const set = okJson(await tq('queue', 'config', 'q-cli', '--max-retries', '5', '--timeout', '2m', '--backoff', '2s..10m', '-o', 'json'));
    const expected = { maxRetries: 5, timeoutMs: 120_000, backoffBaseMs: 2_000, backoffCapMs: 600_000 };
    assert.deepEqual(set, { name: 'q-cli', paused: false, overrides: ['maxRetries', 'timeoutMs', 'backoffBaseMs', 'backoffCapMs'], ...expected });
    assert.deepEqual(await submitted('--queue', 'q-cli'), expected);
    assert.deepEqual(await submitted('--queue', 'q-cli', '--max-retries', '0', '--timeout', '5s'), { ...expected, maxRetries: 0, timeoutMs: 5_000 });
    assert.deepEqual(await submitted('--queue', 'q-other'), DEFAULT_SETTINGS, 'other queues keep the defaults');
    const table = ok(await tq('queue', 'config', 'q-cli'));
    assert.match(table, /^max retries\s+5$/m);
    assert.match(table, /^backoff cap\s+10m0s$/m);
    const listed = okYaml(await tq('queue', 'config', 'q-cli', '-o', 'yaml'));
    assert.deepEqual(listed, set, 'yaml prints the same settings');
  });

  test('a flag changes only its setting; "default" resets it; half a --backoff sets one side', async () => {
    await tq('queue', 'config', 'q-reset', '--max-retries', '7', '--timeout', '1m');
    const changed = okJson(await tq('queue', 'config', 'q-reset', '--timeout', 'default', '--backoff', '..5m', '-o', 'json'));
    assert.deepEqual(changed, { name: 'q-reset', paused: false, overrides: ['maxRetries', 'backoffCapMs'], ...DEFAULT_SETTINGS, maxRetries: 7, backoffCapMs: 300_000 });
    assert.deepEqual(await submitted('--queue', 'q-reset'), { ...DEFAULT_SETTINGS, maxRetries: 7, backoffCapMs: 300_000 });
    const reset = okJson(await tq('queue', 'config', 'q-reset', '--max-retries', 'default', '--backoff', 'default', '-o', 'json'));
    assert.deepEqual(reset.overrides, []);
    assert.deepEqual(await submitted('--queue', 'q-reset'), DEFAULT_SETTINGS);
  });

  test('bad values end in one line and change nothing', async () => {
    await tq('queue', 'config', 'q-bad', '--max-retries', '4');
    failsWithOneLine(await tq('queue', 'config', 'q-bad', '--timeout', '0'), /--timeout "0" is out of range: use 1ms to 7d/);
    failsWithOneLine(await tq('queue', 'config', 'q-bad', '--max-retries', '1001'), /--max-retries "1001" is out of range: use 0 to 1000/);
    failsWithOneLine(await tq('queue', 'config', 'q-bad', '--max-retries', 'many'), /--max-retries "many" is invalid: use a whole number/);
    failsWithOneLine(await tq('queue', 'config', 'q-bad', '--timeout', 'soon'), /--timeout "soon" is invalid: use a number with a unit/);
    failsWithOneLine(await tq('queue', 'config', 'q-bad', '--backoff', '1s'), /--backoff "1s" is invalid: use BASE\.\.CAP/);
    failsWithOneLine(await tq('queue', 'config', 'q-bad', '--max-retries', '1', '--backoff', '1s..31d'), /--backoff "31d" is out of range: use 0ms to 30d/);
    failsWithOneLine(await tq('queue', 'config', 'bad name', '--max-retries', '1'), /queue name "bad name" is invalid/);
    assert.equal(okJson(await tq('queue', 'config', 'q-bad', '-o', 'json')).maxRetries, 4);
  });
});

describe("the broker's YAML queues: seed the settings on the first start only", () => {
  const dir = tempDir('tq-queue-seed-');
  const dataDir = join(dir, 'data');
  const config = join(dir, 'broker.yaml');
  let broker: BrokerProcess | undefined;
  const tq = (...args: string[]) => tqAt(broker!.address, args);

  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first start seeds, tq queue config changes it, a restart with the same YAML keeps the change', async () => {
    writeFileSync(config, 'queues:\n  seeded:\n    maxRetries: 7\n    timeout: 90s\n  plain: {}\n');
    broker = await startBroker({ dataDir, args: ['--config', config] });
    const seeded = okJson(await tq('queue', 'config', 'seeded', '-o', 'json'));
    assert.deepEqual([seeded.maxRetries, seeded.timeoutMs, seeded.overrides], [7, 90_000, ['maxRetries', 'timeoutMs']]);
    assert.equal(settingsOf(okJson(await tq('submit', '--type', 'echo', '--queue', 'seeded', '-o', 'json'))).maxRetries, 7);
    ok(await tq('queue', 'config', 'seeded', '--max-retries', '2'));
    await broker.stop();

    // The YAML now says something else, and names a new queue: neither is applied again.
    writeFileSync(config, 'queues:\n  seeded:\n    maxRetries: 9\n  later:\n    maxRetries: 9\n');
    broker = await startBroker({ dataDir, args: ['--config', config] });
    assert.match(broker.output(), /queues in the config file left aside/);
    const kept = okJson(await tq('queue', 'config', 'seeded', '-o', 'json'));
    assert.deepEqual([kept.maxRetries, kept.timeoutMs], [2, 90_000]);
    assert.equal(settingsOf(okJson(await tq('submit', '--type', 'echo', '--queue', 'seeded', '-o', 'json'))).maxRetries, 2);
    assert.equal(okJson(await tq('queue', 'config', 'later', '-o', 'json')).maxRetries, 3);
  });

  test('a bad queue setting in the YAML stops the broker with one clear line', async () => {
    const badConfig = join(dir, 'bad.yaml');
    const cases: [string, RegExp][] = [
      ['queues:\n  q:\n    timeout: 0\n', /tq: queues\.q\.timeout must be an integer from 1 to 604800000 \(got 0\)\n/],
      ['queues:\n  q:\n    retries: 2\n', /tq: unknown setting queues\.q\.retries: use maxRetries, timeout, backoffBase, backoffCap\n/],
      ['queues:\n  q: 5\n', /tq: queues\.q must map settings to values/],
    ];
    for (const [yaml, message] of cases) {
      writeFileSync(badConfig, yaml);
      await assert.rejects(startBroker({ dataDir: join(dir, 'bad-data'), args: ['--config', badConfig] }), (error: Error) => {
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /^\s+at /m, 'no stack trace');
        return true;
      });
    }
  });
});
