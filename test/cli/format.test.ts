/** The CLI's pure pieces: wire values to JSON/YAML, JSON input, table fitting, batch lines, parse errors. */
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { test } from 'node:test';
import { oneLineParseError } from '../../src/cli/parse-errors.ts';
import { relativeTime } from '../../src/cli/format.ts';
import { fromJsonValue, toPlain } from '../../src/protocol/plain.ts';
import { toJson, toYaml } from '../../src/cli/output.ts';
import { chunkBatch, parseBatch } from '../../src/cli/submit.ts';
import { fitWidths, listTable } from '../../src/cli/table.ts';
import { CliError } from '../../src/cli/errors.ts';

const T = Date.UTC(2026, 10, 22, 6, 30, 0, 123);

test('toPlain: times as ISO-8601 (also nested), binary as $base64, user data left alone', () => {
  const wire = {
    createdAt: T,
    runAt: null,
    lease: { workerId: 'w', token: 3, expiresAt: T + 1_000 },
    history: [{ attempt: 1, startedAt: T, endedAt: null }],
    payload: { sentAt: 5, blob: Buffer.from([0, 1, 2, 255]) },
    result: new Uint8Array([104, 105]),
    timeoutMs: 30_000,
  };
  assert.deepEqual(toPlain(wire), {
    createdAt: '2026-11-22T06:30:00.123Z',
    runAt: null,
    lease: { workerId: 'w', token: 3, expiresAt: '2026-11-22T06:30:01.123Z' },
    history: [{ attempt: 1, startedAt: '2026-11-22T06:30:00.123Z', endedAt: null }],
    payload: { sentAt: 5, blob: { $base64: 'AAEC/w==' } },
    result: { $base64: 'aGk=' },
    timeoutMs: 30_000,
  });
  assert.deepEqual(JSON.parse(toJson(wire)), load(toYaml(wire)), 'json and yaml carry the same data');
  assert.equal(toPlain(10n), 10);
});

test('fromJsonValue: a lone $base64 key is binary, anything else stays', () => {
  const value = fromJsonValue({ a: { $base64: 'aGk=' }, b: { $base64: 'x', other: 1 }, c: [{ $base64: '' }] }) as Record<string, unknown>;
  assert.deepEqual(value.a, new Uint8Array([104, 105]));
  assert.deepEqual(value.b, { $base64: 'x', other: 1 });
  assert.deepEqual(value.c, [new Uint8Array([])]);
});

test('relativeTime', () => {
  assert.equal(relativeTime(T - 12_000, T), '12s ago');
  assert.equal(relativeTime(T + 120_000, T), 'in 2m0s');
  assert.equal(relativeTime(T, T), 'now');
  assert.equal(relativeTime(null, T), '-');
});

test('tables fit the width: the widest columns give way first', () => {
  assert.deepEqual(fitWidths([10, 50, 30], 60), [10, 23, 23]);
  assert.deepEqual(fitWidths([5, 5], 80), [5, 5], 'a narrow table keeps its widths');
  const text = listTable(['ID', 'ERROR'], [['abc', 'x'.repeat(200)]], 40);
  for (const line of text.split('\n')) assert.ok(line.length <= 40, line);
  assert.match(text, /…$/m);
  assert.deepEqual(fitWidths([36, 40, 30], 60, 2, [true, false, false]), [36, 10, 10], 'a fixed column (an id) never shrinks');
  const ids = listTable([['ID', { fixed: true }], 'TYPE', ['LAST ERROR', { optional: true }]], [['0193b3c2-0000-7000-8000-000000000000', 'echo', '']], 30);
  assert.match(ids, /^ID\s+TYPE$/m, 'an optional column with nothing in it is left out');
  assert.match(ids, /^0193b3c2-0000-7000-8000-000000000000\s+echo$/m);
});

test('parseBatch: fields, line numbers, nothing on a bad line', () => {
  const tasks = parseBatch('{"type":"echo","payload":{"n":1},"priority":"high","delay":"2s","tags":["a"]}\n\n{"type":"x","runAt":"2030-01-01T00:00:00Z","timeout":"1m","maxRetries":0}\n', 'F');
  assert.deepEqual(tasks, [
    { type: 'echo', payload: { n: 1 }, priority: 150, delayMs: 2_000, tags: ['a'] },
    { type: 'x', runAt: Date.UTC(2030, 0, 1), timeoutMs: 60_000, maxRetries: 0 },
  ]);
  const failure = (text: string) => {
    try {
      parseBatch(text, 'F');
    } catch (error) {
      assert.ok(error instanceof CliError);
      return error.message;
    }
    assert.fail('expected an error');
  };
  assert.match(failure('{"type":"echo"}\n[1]'), /^F line 2: expected a JSON object/);
  assert.match(failure('{"type":"echo"}\n\n{"type":"a b"}'), /^F line 3: type name "a b" is invalid/);
  assert.match(failure('{"type":"echo","delay":"1s","runAt":5}'), /^F line 1: give a delay or a run time, not both/);
  assert.match(failure('\n\n'), /^F holds no tasks/);
});

test('chunkBatch bounds every submit by count and bytes', () => {
  const tasks = Array.from({ length: 12 }, () => ({ type: 'echo', payload: 'x'.repeat(100) }));
  assert.deepEqual(chunkBatch(tasks, 5, 1_000_000).map((chunk) => chunk.length), [5, 5, 2]);
  assert.deepEqual(chunkBatch(tasks, 100, 350).map((chunk) => chunk.length), [3, 3, 3, 3]);
});

test("oclif's multi-line parse errors become one line", () => {
  assert.equal(oneLineParseError('Missing 1 required arg:\nid  task id\nSee more help with --help'), 'missing argument ID (task id)');
  assert.equal(
    oneLineParseError('The following error occurred:\n  --batch-file=x cannot also be provided when using --wait\nSee more help with --help'),
    '--batch-file=x cannot also be provided when using --wait',
  );
  assert.equal(oneLineParseError('Parsing --limit \n\tExpected an integer but received: x\nSee more help with --help'), '--limit: Expected an integer but received: x');
  assert.equal(oneLineParseError('Nonexistent flag: --x'), 'Nonexistent flag: --x');
});
