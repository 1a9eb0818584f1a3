/**
 * The broker's configuration: apiKeys guard the TCP port only (HTTP checks no key until the
 * security issue lands), so a broker with keys refuses to serve HTTP beyond loopback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBrokerConfig } from '../../src/broker/config.ts';
import { failsWithOneLine, runTq } from '../cli/helpers.ts';
import { makeTempDir, removeDir } from '../engine/helpers.ts';

const env = {};

test('apiKeys with HTTP on a non-loopback address is refused; loopback or --no-http is fine', () => {
  for (const httpHost of ['0.0.0.0', '192.0.2.7', '::', 'example.com']) {
    assert.throws(() => loadBrokerConfig({ env, flags: { apiKeys: ['secret'], httpHost } }), /apiKeys guard the TCP port only.*loopback/, httpHost);
  }
  for (const httpHost of ['127.0.0.1', '127.3.2.1', '::1', 'localhost']) {
    assert.equal(loadBrokerConfig({ env, flags: { apiKeys: ['secret'], httpHost } }).httpHost, httpHost);
  }
  assert.equal(loadBrokerConfig({ env, flags: { apiKeys: ['secret'], httpHost: '0.0.0.0', http: false } }).http, false);
  assert.equal(loadBrokerConfig({ env, flags: { httpHost: '0.0.0.0' } }).httpHost, '0.0.0.0', 'without keys nothing is promised');
});

test('tq broker start says so in one line and exits non-zero', async () => {
  const dir = makeTempDir();
  try {
    const result = await runTq(['broker', 'start', '--data-dir', dir, '--port', '0', '--http-host', '0.0.0.0', '--http-port', '0'], { env: { TQ_API_KEYS: 'secret' } });
    failsWithOneLine(result, /apiKeys guard the TCP port only/);
  } finally {
    removeDir(dir);
  }
});
