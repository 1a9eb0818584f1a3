/**
 * The parts of `tq top` that need no terminal and no broker: rates from successive stats, bars
 * and sparklines, what keys do, and a screen that fits every terminal size exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueStats, Stats } from '../../src/model/stats.ts';
import { TASK_STATES, type TaskState } from '../../src/model/task.ts';
import type { WireTask, WorkerInfo } from '../../src/protocol/messages.ts';
import { screenLines } from '../../src/top/app.ts';
import { plain } from '../../src/top/components/segs.ts';
import { INITIAL_UI, onKey, type UiState } from '../../src/top/keys.ts';
import type { TopData } from '../../src/top/model.ts';
import { RATE_WINDOW_MS, RateTracker } from '../../src/top/rates.ts';
import { bar, cellWidth, compactNumber, formatRate, sparkline, stackCells } from '../../src/top/text.ts';

function queue(name: string, states: Partial<Record<TaskState, number>>, paused = false): QueueStats {
  const all = Object.fromEntries(TASK_STATES.map((state) => [state, states[state] ?? 0])) as Record<TaskState, number>;
  return { name, paused, states: all, priorities: { '100': states }, oldestPendingAgeMs: all.pending > 0 ? 65_000 : null };
}

function stats(...queues: QueueStats[]): Stats {
  const totals = Object.fromEntries(TASK_STATES.map((state) => [state, queues.reduce((sum, q) => sum + q.states[state], 0)])) as Record<TaskState, number>;
  return { totals, queues };
}

test('rates: growth per second between snapshots, never negative, a new queue counted from zero, a minute kept', () => {
  const tracker = new RateTracker();
  tracker.add(stats(queue('a', { pending: 10, succeeded: 100, failed: 1, dead: 1 })), 0);
  assert.equal(tracker.rates('a').current, null, 'no rate from one snapshot');
  tracker.add(stats(queue('a', { pending: 30, succeeded: 110, failed: 1, dead: 3 }), queue('b', { pending: 4 })), 2_000);
  // a: 20 + 10 + 2 more tasks in 2 s; 10 succeeded; 2 more failed or dead.
  assert.deepEqual(tracker.rates('a').current, { submitted: 16, completed: 5, failed: 1 });
  assert.deepEqual(tracker.rates('b').current, { submitted: 2, completed: 0, failed: 0 });
  // Retention purged 100 succeeded tasks: the counts fell, the rates stop at zero.
  tracker.add(stats(queue('a', { pending: 30, succeeded: 10, failed: 0, dead: 3 }), queue('b', { pending: 4 })), 3_000);
  assert.deepEqual(tracker.rates('a').current, { submitted: 0, completed: 0, failed: 0 });
  assert.deepEqual(tracker.total(['a', 'b']), { submitted: 0, completed: 0, failed: 0 });
  for (let at = 4_000; at <= 4_000 + RATE_WINDOW_MS; at += 1_000) tracker.add(stats(queue('a', { pending: 30 })), at);
  const history = tracker.rates('a').history;
  assert.ok(history.length <= RATE_WINDOW_MS / 1_000, `a minute of samples at most, got ${history.length}`);
  assert.ok(history[0]!.at > 4_000, 'older samples dropped');
});

test('bars, stacked bars and sparklines', () => {
  assert.equal(bar(0, 10, 10), '');
  assert.equal(bar(10, 10, 10), '██████████');
  assert.equal(bar(1, 1_000_000, 10), '▏', 'a value above zero is never invisible');
  assert.equal(cellWidth(bar(5, 10, 7)), 4);
  const cells = stackCells([1, 1_000, 0, 3], 1_004, 20);
  assert.equal(cells.reduce((sum, n) => sum + n, 0), 20);
  assert.ok(cells[0]! >= 1 && cells[3]! >= 1 && cells[2] === 0, String(cells));
  assert.equal(sparkline([0, 0, 0], 10), '▁▁▁');
  assert.equal(sparkline([0, 1, 8], 10), '▁▂█');
  assert.equal(sparkline(Array.from({ length: 60 }, (_, i) => i), 20).length, 20, 'a minute squeezed into the width');
  assert.equal(compactNumber(12_345), '12.3k');
  assert.equal(formatRate(null), '-');
  assert.equal(formatRate(0.4), '0.4');
  assert.equal(formatRate(1234.4), '1234');
});

test('keys: select, pause, confirm a replay, type a filter, quit; several keys in one string act one by one', () => {
  const queues = [queue('billing', { dead: 2 }), queue('emails', { pending: 3 }, true), queue('reports', {})];
  const press = (ui: UiState, input: string, key = {}) => onKey(ui, input, key, queues);
  let { ui, effect } = press(INITIAL_UI, '', { downArrow: true });
  assert.equal(ui.selected, 'emails');
  ({ ui, effect } = press(ui, 'p'));
  assert.deepEqual(effect, { kind: 'resume', queue: 'emails' }, 'p on a paused queue resumes it');
  ({ ui, effect } = press(ui, '', { upArrow: true }));
  ({ ui, effect } = press(ui, 'r'));
  assert.deepEqual(ui.mode, { kind: 'confirm', queue: 'billing', dead: 2 });
  assert.equal(effect, undefined, 'nothing happens before y');
  ({ ui, effect } = press(ui, 'y'));
  assert.deepEqual(effect, { kind: 'replay', queue: 'billing' });
  ({ ui } = press(ui, '/'));
  ({ ui } = press(ui, 'rep q!'));
  assert.deepEqual(ui.mode, { kind: 'filter', draft: 'repq' }, 'q types into the filter; characters no name has are dropped');
  ({ ui } = press(ui, '', { backspace: true }));
  ({ ui } = press(ui, '', { return: true }));
  assert.equal(ui.filter, 'rep');
  assert.equal(ui.selected, 'reports', 'the queue highlighted while typing stays selected');
  assert.deepEqual(press(ui, 'q').effect, { kind: 'quit' });
  assert.deepEqual(press({ ...ui, mode: { kind: 'filter', draft: '' } }, 'c', { ctrl: true }).effect, { kind: 'quit' });
});

function fakeData(queues: number, workers: number, failures: number): TopData {
  const names = Array.from({ length: queues }, (_, i) => `queue-${String(i).padStart(2, '0')}-with-a-longish-name`);
  const worker = (i: number): WorkerInfo => ({
    id: `w${i}`, name: `worker-${i}`, host: 'host.example.com', pid: 100 + i, queues: ['a', 'b'], concurrency: 8, running: i % 9,
    connected: i % 5 !== 4, connectedAt: 0, lastHeartbeatAt: 1_000, cpu: 0.42, memoryBytes: 123_456_789,
  });
  const failure = (i: number) => ({
    id: `t${i}`, queue: names[i % queues] ?? 'q', type: 'send-mail', state: i % 2 ? 'dead' : 'failed', attempts: 2, maxRetries: 3,
    updatedAt: 1_000 - i, finishedAt: null, lastError: `Error: connect ECONNREFUSED 10.0.0.${i}:25\n    at TCPConnectWrap.afterConnect`,
  }) as unknown as WireTask;
  return {
    connection: 'reconnecting', since: 0, error: 'the connection to the tq broker at 127.0.0.1:7070 was lost', updatedAt: 500,
    stats: stats(...names.map((name, i) => queue(name, { pending: i * 1_234, running: i, scheduled: 7, failed: i % 3, dead: i % 4, succeeded: 99_999 }, i % 3 === 1))),
    workers: Array.from({ length: workers }, (_, i) => worker(i)),
    failures: Array.from({ length: failures }, (_, i) => failure(i)),
    rates: new Map(names.map((name) => [name, { current: { submitted: 12.5, completed: 3, failed: 0.2 }, history: Array.from({ length: 60 }, (_, i) => ({ at: i, submitted: i, completed: 1, failed: 0 })) }])),
    totalRates: { submitted: 100, completed: 90, failed: 1 },
  };
}

test('the screen is exactly the terminal\'s size, from 20×5 to 250×70, in every mode', () => {
  const modes: UiState[] = [INITIAL_UI, { ...INITIAL_UI, mode: { kind: 'help' } }, { ...INITIAL_UI, mode: { kind: 'filter', draft: '1' } }, { ...INITIAL_UI, mode: { kind: 'confirm', queue: 'x', dead: 3 } }];
  for (const [queues, workers, failures] of [[0, 0, 0], [1, 1, 1], [3, 2, 40], [30, 25, 100]] as const) {
    const data = fakeData(queues, workers, failures);
    for (const ui of modes) {
      for (const [columns, rows] of [[20, 5], [40, 10], [80, 24], [100, 30], [120, 40], [160, 45], [200, 50], [250, 70]] as const) {
        const lines = screenLines(data, ui, { broker: '127.0.0.1:7070', columns, rows, now: 2_000 }).map(plain);
        const where = `${columns}×${rows}, ${queues} queues, ${ui.mode.kind}`;
        assert.equal(lines.length, rows, where);
        // Ink cuts a longer line at the edge; from 80 columns on, only the banner's free text may need it.
        if (columns >= 80) {
          for (const line of lines.filter((text) => !text.startsWith('⚠'))) assert.ok(cellWidth(line) <= columns, `${where}: ${line}`);
        }
      }
    }
  }
  const screen = screenLines(fakeData(3, 2, 40), INITIAL_UI, { broker: '127.0.0.1:7070', columns: 80, rows: 24, now: 2_000 }).map(plain);
  assert.match(screen[0]!, /○ reconnecting/);
  assert.match(screen[1]!, /⚠ showing data from 1\.5s ago · the connection to the tq broker at 127\.0\.0\.1:7070 was lost/);
  assert.ok(screen.some((line) => /WORKER/.test(line)) && screen.some((line) => /FAILED/.test(line)), screen.join('\n'));
  const confirm = screenLines(fakeData(3, 2, 40), { ...INITIAL_UI, mode: { kind: 'confirm', queue: 'queue-01', dead: 3 } }, { broker: 'b', columns: 80, rows: 24, now: 2_000 }).map(plain);
  assert.match(confirm.at(-1)!, /^Replay 3 dead tasks of queue-01\? \[y\/n\]/);
});
