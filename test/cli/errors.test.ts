/**
 * Every error a user can cause ends in one line on stderr starting "tq: ", a non-zero exit (2 for
 * usage errors) and no stack trace: no broker, bad JSON, unknown flags and ids, missing files and
 * arguments, bad --output, oclif's own parse errors.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, tempDir, type BrokerProcess } from '../helpers/broker.ts';
import { failsWithOneLine, runTq, tqAt } from './helpers.ts';

let broker: BrokerProcess;
let dir: string;

before(async () => {
  broker = await startBroker();
  dir = tempDir();
});

after(async () => {
  await broker.stop();
  rmSync(dirname(broker.dataDir), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on: bound once by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('no broker at the address', async () => {
  const nowhere = `127.0.0.1:${await closedPort()}`;
  const results = await Promise.all([
    tqAt(nowhere, ['submit', '--type', 'echo']),
    tqAt(nowhere, ['list']),
    tqAt(nowhere, ['workers']),
    runTq(['stats'], { env: { TQ_BROKER: nowhere } }),
  ]);
  for (const result of results) failsWithOneLine(result, new RegExp(`cannot reach the tq broker at ${nowhere}`), 1);
  failsWithOneLine(await runTq(['list', '--broker', 'no-port-here']), /broker address "no-port-here" is invalid/);
});

test('bad input: JSON, files, flags, arguments, ids, output formats', async () => {
  const badLine = join(dir, 'bad.jsonl');
  writeFileSync(badLine, '{"type":"echo"}\n{"type": echo}\n');
  const at = broker.address;
  const cases: [string[], RegExp, number?][] = [
    [['submit', '--type', 'echo', '--payload', '{"a":1'], /^tq: --payload is not valid JSON/, 1],
    [['submit', '--type', 'echo', '--payload-file', join(dir, 'missing.json')], /cannot read --payload-file .*missing\.json: no such file/, 1],
    [['submit', '--batch-file', join(dir, 'missing.jsonl')], /cannot read --batch-file .*: no such file/, 1],
    [['submit', '--batch-file', badLine], /bad\.jsonl line 2 is not valid JSON/, 1],
    [['submit', '--type', 'echo', '--priority', 'whenever'], /--priority: priority "whenever" is invalid/, 1],
    [['submit', '--type', 'echo', '--delay', 'soon'], /--delay "soon" is invalid/, 1],
    [['submit', '--type', 'echo', '--at', 'tomorrow'], /--at "tomorrow" is not an ISO-8601 time/, 1],
    [['submit', '--type', 'no spaces'], /--type: type name "no spaces" is invalid/, 1],
    [['submit', '--type', 'echo', '--delay', '1s', '--at', '2030-01-01T00:00:00Z'], /--delay and --at cannot go together/, 2],
    [['submit', '--type', 'echo', '--wait-timeout', '1s'], /--wait-timeout needs --wait/, 2],
    [['submit', '--payload', '{}'], /--type is required/, 2],
    [['submit', '--type', 'echo', '--frobnicate'], /Nonexistent flag: --frobnicate/, 2],
    [['queue', 'frob'], /^tq: unknown command "queue frob"/, 2],
    [['list', '--output', 'xml'], /Expected --output=xml to be one of: table, json, yaml/, 2],
    [['list', '--limit', 'many'], /--limit: Expected an integer/, 2],
    [['list', '--state', 'sleeping'], /Expected --state=sleeping to be one of/, 2],
    [['list', '--cursor', 'abc'], /cursor "abc" is invalid/, 1],
    [['status'], /missing argument ID \(task id\)/, 2],
    [['status', '0193b3c2-0000-7000-8000-000000000000'], /task 0193b3c2-0000-7000-8000-000000000000 not found/, 1],
    [['cancel', 'nope'], /task nope not found/, 1],
    [['retry', 'nope'], /task nope not found/, 1],
    [['dlq', 'replay', 'nope'], /task nope not found/, 1],
    [['dlq', 'replay'], /name the dead tasks to replay by id, or pass --all/, 2],
    [['dlq', 'purge'], /name the dead tasks to purge: --queue Q for one queue, or --all for every queue/, 2],
    [['dlq', 'purge', '--all'], /this deletes every dead task for good: add --yes to confirm/, 2],
    [['queue', 'pause'], /missing argument QUEUE/, 2],
    [['queue', 'pause', 'bad name!'], /queue name "bad name!" is invalid/, 1],
    [['workers', '--data-dir', dir], /workers are live broker state/, 2],
    [['status', 'x', '--wait', '--data-dir', dir], /--wait needs a broker/, 2],
  ];
  const results = await Promise.all(cases.map(([args]) => tqAt(at, args)));
  results.forEach((result, i) => failsWithOneLine(result, cases[i]![1], cases[i]![2]));
});

test('no command, and commands that read a directory with no tq data', async () => {
  const empty = join(dir, 'empty');
  const results = await Promise.all([
    runTq(['frobnicate']),
    runTq(['data', 'info', '--data-dir', empty]),
    runTq(['list', '--data-dir', empty]),
    runTq(['data', 'backup', join(dir, 'copy'), '--data-dir', empty]),
  ]);
  failsWithOneLine(results[0]!, /^tq: unknown command "frobnicate": run `tq --help`/, 2);
  for (const result of results.slice(1)) failsWithOneLine(result, new RegExp(`no tq data in ${empty}`), 1);
  assert.equal(results[1]!.stdout, '');
});
