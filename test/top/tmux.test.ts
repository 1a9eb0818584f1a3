/**
 * The real `tq top` in a real terminal: tmux runs `bin/run.js top` against a broker with a
 * backlog; keys go in with send-keys, the screen comes out with capture-pane. Select, pause
 * (checked at the broker too), a resize that re-lays the screen out, and q, which ends it.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { TqClient } from '../../src/client/client.ts';
import { type BrokerProcess, eventually, startBroker, RUN } from '../helpers/broker.ts';
import { removeBrokerDirs, TEST_LEASE } from '../worker/helpers.ts';
import { queueRow, submitBacklog } from './helpers.ts';

const run = promisify(execFile);

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Skipped without tmux on a developer's machine; CI installs it (.ci/run), so there it must run.
const skip = hasTmux() || process.env.CI ? false : 'tmux is not installed (apt-get install -y tmux)';

/** A tmux server of this test's own (-L), without the user's configuration. */
const SOCKET = `tq-top-test-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args]);
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

let broker: BrokerProcess;
let client: TqClient;

before(async () => {
  if (skip) return;
  // No fast-retry config file: its queues: would seed a `default` queue onto the screen.
  broker = await startBroker({ args: ['--lease', TEST_LEASE] });
  client = await TqClient.connect({ broker: broker.address, reconnect: false });
  await submitBacklog(client);
});

after(async () => {
  await tmux('kill-server').catch(() => undefined);
  client?.close();
  await broker?.stop();
  removeBrokerDirs(broker);
});

test('tq top in tmux: the backlog on screen, down selects, p pauses, a resize re-lays out, q quits', { skip }, async () => {
  // The project's Node runs bin/run.js, as a user's shell would run `tq top`.
  const command = [process.execPath, RUN, 'top', '--broker', broker.address, '--interval', '200ms'].map(quote).join(' ');
  await tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', command);
  let screen = '';
  const capture = async () => {
    screen = (await tmux('capture-pane', '-p', '-t', 'top')).stdout;
    return screen;
  };
  const shows = async (patterns: RegExp[], what: string) => {
    try {
      return await eventually(async () => {
        await capture();
        return patterns.every((pattern) => pattern.test(screen)) ? screen : undefined;
      }, 15_000, what);
    } catch (error) {
      throw new Error(`${(error as Error).message}; the screen was:\n${screen}`);
    }
  };

  await shows([/● live/, /^› billing/m, /^ {2}emails/m, /^ {2}reports/m, /OLDEST/], 'the backlog');
  assert.match(queueRow(screen, 'emails')!, /█+\s+10\s/);
  assert.match(queueRow(screen, 'reports')!, /█+\s+4\s/);
  assert.match(screen, /↑↓ select · p pause\/resume/);

  await tmux('send-keys', '-t', 'top', 'Down');
  await shows([/^› emails/m, /▌emails/, /prio 200 urgent\s+█+\s+3/], 'emails selected');

  await tmux('send-keys', '-t', 'top', 'p');
  await shows([/^› emails \(paused\)/m, /‖ PAUSED/], 'emails paused');
  assert.equal((await client.queues()).find((queue) => queue.name === 'emails')?.paused, true);

  // A smaller window: the screen is drawn again to fit it, dropping the columns that do not fit;
  // the footer (still saying what p did) stays on the last row.
  await tmux('resize-window', '-t', 'top', '-x', '80', '-y', '24');
  await shows([/^› emails \(paused\)/m, /^tq top/], 'the screen at 80×24');
  await eventually(async () => {
    await capture();
    const lines = screen.replace(/\n+$/, '').split('\n');
    return !/OLDEST/.test(screen) && lines.every((line) => line.length <= 80) && /^paused emails/.test(lines.at(-1) ?? '') ? true : undefined;
  }, 15_000, 'the 80-column layout').catch((error: Error) => {
    throw new Error(`${error.message}; the screen was:\n${screen}`);
  });

  await tmux('send-keys', '-t', 'top', 'q');
  await eventually(async () => ((await tmux('has-session', '-t', 'top').then(() => true, () => false)) ? undefined : true), 15_000, 'tq top to quit on q');
});
