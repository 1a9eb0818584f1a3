/** The TCP listener's limits as broker settings: one name per layer, defaults, and checked ranges. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BROKER_DEFAULTS, loadBrokerConfig } from '../../../src/broker/config.ts';
import { failsWithOneLine, runTq } from '../../cli/helpers.ts';
import { makeTempDir, removeDir } from '../../engine/helpers.ts';

test('each limit is read from the YAML file, the environment and flags, in that order', () => {
  const dir = makeTempDir();
  try {
    const file = join(dir, 'tq.yaml');
    writeFileSync(file, 'maxConnections: 500\nidleTimeout: 2h\nmaxHelloFrameBytes: 4096\n');
    const config = loadBrokerConfig({
      configFile: file,
      env: { TQ_MAX_CONNECTIONS: '600', TQ_PARTIAL_FRAME_TIMEOUT: '30s', TQ_MAX_UNAUTHENTICATED_CONNECTIONS_PER_ADDRESS: '7' },
      flags: { maxConnections: 700, maxBufferedReplyBytes: 65_536 },
    });
    assert.deepEqual(
      [config.maxConnections, config.idleTimeout, config.maxHelloFrameBytes, config.partialFrameTimeout, config.maxUnauthenticatedConnectionsPerAddress, config.maxBufferedReplyBytes],
      [700, 7_200_000, 4096, 30_000, 7, 65_536],
    );
    assert.equal(config.maxInFlightRequests, BROKER_DEFAULTS.maxInFlightRequests);
  } finally {
    removeDir(dir);
  }
});

test('limits out of range are refused, naming the setting', () => {
  const env = {};
  assert.throws(() => loadBrokerConfig({ env, flags: { maxHelloFrameBytes: 100 } }), /maxHelloFrameBytes must be an integer from 1024 to 16777216/);
  assert.throws(() => loadBrokerConfig({ env, flags: { maxConnections: 0 } }), /maxConnections must be an integer from 1/);
  assert.throws(() => loadBrokerConfig({ env, flags: { maxBufferedReplyBytes: 10 } }), /maxBufferedReplyBytes must be an integer from 16384/);
  // A worker that only heartbeats (every lease/3) must never look idle.
  assert.throws(() => loadBrokerConfig({ env, flags: { lease: '1m', idleTimeout: '90s' } }), /idleTimeout must be 0 \(never\) or from twice the lease \(120000 ms\)/);
  assert.equal(loadBrokerConfig({ env, flags: { lease: '1m', idleTimeout: '0' } }).idleTimeout, 0);
  // Caps stand alone: lowering one needs no other changed.
  assert.equal(loadBrokerConfig({ env, flags: { maxConnectionsPerAddress: 3 } }).maxConnectionsPerAddress, 3);
});

test('tq broker start refuses a bad limit in one line', async () => {
  const dir = makeTempDir();
  try {
    failsWithOneLine(await runTq(['broker', 'start', '--data-dir', dir, '--port', '0', '--no-http', '--idle-timeout', '1s']), /idleTimeout must be 0 \(never\) or from twice the lease/);
  } finally {
    removeDir(dir);
  }
});
