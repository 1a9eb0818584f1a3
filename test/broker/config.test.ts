/**
 * The broker's configuration: HTTP checks no key until the security issue lands, so the broker
 * serves HTTP on loopback only, whether or not apiKeys guard the TCP port.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBrokerConfig } from '../../src/broker/config.ts';
import { failsWithOneLine, runTq } from '../cli/helpers.ts';
import { makeTempDir, removeDir } from '../engine/helpers.ts';

const env = {};
const REFUSED = /^HTTP has no authentication yet, so it listens on loopback only: keep httpHost on 127\.0\.0\.1, ::1 or localhost .*or pass --no-http \(got "[^"]+"\)$/;

test('HTTP on a non-loopback address is refused, with or without apiKeys; loopback or --no-http is fine', () => {
  for (const httpHost of ['0.0.0.0', '192.0.2.7', '::', '::ffff:192.0.2.7', 'example.com', '128.0.0.1']) {
    assert.throws(() => loadBrokerConfig({ env, flags: { httpHost } }), { message: REFUSED }, httpHost);
    assert.throws(() => loadBrokerConfig({ env, flags: { apiKeys: ['secret'], httpHost } }), { message: REFUSED }, `${httpHost} with keys`);
  }
  for (const httpHost of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1', 'localhost']) {
    assert.equal(loadBrokerConfig({ env, flags: { httpHost } }).httpHost, httpHost);
    assert.equal(loadBrokerConfig({ env, flags: { apiKeys: ['secret'], httpHost } }).httpHost, httpHost);
  }
  assert.equal(loadBrokerConfig({ env, flags: { httpHost: '0.0.0.0', http: false } }).http, false);
  assert.equal(loadBrokerConfig({ env: { TQ_HTTP: 'false', TQ_HTTP_HOST: '0.0.0.0' } }).http, false);
  assert.throws(() => loadBrokerConfig({ env: { TQ_HTTP_HOST: '0.0.0.0' } }), { message: REFUSED });
});

test('tq broker start says so in one line and exits non-zero, with or without keys', async () => {
  const dir = makeTempDir();
  try {
    const args = ['broker', 'start', '--data-dir', dir, '--port', '0', '--http-host', '0.0.0.0', '--http-port', '0'];
    failsWithOneLine(await runTq(args), /^tq: HTTP has no authentication yet.*\(got "0\.0\.0\.0"\)$/);
    failsWithOneLine(await runTq(args, { env: { TQ_API_KEYS: 'secret' } }), /^tq: HTTP has no authentication yet/);
  } finally {
    removeDir(dir);
  }
});
