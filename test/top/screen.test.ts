/**
 * The `tq top` screen (the Ink app) fed by a real broker through a real TqClient, drawn by
 * ink-testing-library: queues with their counts and bars, the selected queue's detail, workers,
 * failures; keys for selecting, pausing (checked at the broker), filtering, help and replay; and
 * the broker going away and coming back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { render } from 'ink-testing-library';
import React from 'react';
import { TqClient } from '../../src/client/client.ts';
import { TopApp } from '../../src/top/app.ts';
import { TopModel } from '../../src/top/model.ts';
import { type BrokerProcess, eventually, startBroker } from '../helpers/broker.ts';
import { removeBrokerDirs, restartBroker, TEST_LEASE, startWorker, type WorkerProcess } from '../worker/helpers.ts';
import { queueRow, screenShows, submitBacklog } from './helpers.ts';

const h = React.createElement;
const DOWN = '\u001B[B';
const UP = '\u001B[A';
const ENTER = '\r';
const ESC = '\u001B';

let broker: BrokerProcess;
let worker: WorkerProcess;
let client: TqClient;

before(async () => {
  // No fast-retry config file: its queues: would seed a `default` queue onto the screen.
  broker = await startBroker({ args: ['--lease', TEST_LEASE] });
  client = await TqClient.connect({ broker: broker.address, reconnect: true });
  await submitBacklog(client);
  worker = await startWorker(broker.address, ['--queues', 'billing', '--concurrency', '2', '--name', 'top-test-worker']);
  await eventually(async () => ((await client.stats()).queues.find((queue) => queue.name === 'billing')?.states.dead === 2 ? true : undefined), 20_000, 'two dead billing tasks');
});

after(async () => {
  client?.close();
  await worker?.stop();
  await broker?.stop();
  removeBrokerDirs(broker);
});

/** The app on a real client, 120×40, polling every 100 ms. */
async function open(address = broker.address) {
  const own = await TqClient.connect({ broker: address, reconnect: true, requestTimeoutMs: 5_000 });
  const model = new TopModel(own, { intervalMs: 100 });
  model.start();
  const app = render(h(TopApp, { model, broker: address, color: false, columns: 120, rows: 40 }));
  const screen = () => app.lastFrame() ?? '';
  return {
    app,
    screen,
    keys: (...keys: string[]) => {
      for (const key of keys) app.stdin.write(key);
    },
    close: () => {
      app.unmount();
      model.stop();
      own.close();
    },
  };
}

test('shows every queue with its counts and depth bar, the selected queue in detail, the workers and the failures', async () => {
  const top = await open();
  try {
    const screen = await screenShows(top.screen, [/● live/, /^› billing/m, /^ {2}emails/m, /^ {2}reports/m, /top-test-worker/, /card declined/], 'the first full screen');
    // Queue table: emails has 10 pending; its bar is drawn with the pending glyph.
    const emails = queueRow(screen, 'emails')!;
    assert.match(emails, /█+/, emails);
    assert.match(emails, /\s10\s/, emails);
    assert.match(queueRow(screen, 'reports')!, /\s4\s/);
    assert.match(queueRow(screen, 'billing')!, /\s2\s/, 'billing: 2 dead');
    assert.match(screen, /QUEUE\s+DEPTH/);
    // The first queue (billing) is selected and shown in detail: 2 dead, r replays.
    assert.match(screen, /▌billing .*2 dead \(r replays\)/);
    assert.match(screen, /^dead\s+█+\s+2/m);
    // Workers: name, slots used of total, heartbeat, CPU, memory.
    assert.match(screen, /WORKER\s+HOST\s+SLOTS USED\s+HEARTBEAT\s+CPU\s+MEM/);
    assert.match(screen, /top-test-worker .*0\/2/);
    // Failures: newest first, with state and error.
    assert.match(screen, /FAILED\s+QUEUE\s+TYPE\s+STATE/);
    assert.match(screen, /billing\s+fail\s+× dead\s+1\/1 card declined/);
    // Exactly the screen's height, the keys on the last line.
    const lines = screen.split('\n');
    assert.equal(lines.length, 40, screen);
    assert.match(lines.at(-1)!, /↑↓ select · p pause\/resume/);
    assert.ok(lines.every((line) => line.length <= 120), 'no line wider than the screen');
  } finally {
    top.close();
  }
});

test('down selects the next queue: its depth by state and by priority as bars with numbers', async () => {
  const top = await open();
  try {
    await screenShows(top.screen, [/^› billing/m], 'billing selected first');
    top.keys(DOWN);
    const screen = await screenShows(top.screen, [/^› emails/m, /▌emails/], 'emails selected');
    assert.match(screen, /^pending\s+█+\s+10/m);
    assert.match(screen, /prio 200 urgent\s+█+\s+3/);
    assert.match(screen, /prio 100 normal\s+█+\s+5/);
    assert.match(screen, /prio 50 low\s+█+\s+2/);
    assert.match(screen, /submitted\s+\S+\/s/);
    top.keys(UP);
    await screenShows(top.screen, [/^› billing/m], 'up selects billing again');
  } finally {
    top.close();
  }
});

test('p pauses the selected queue at the broker and marks it; p again resumes it', async () => {
  const top = await open();
  try {
    await screenShows(top.screen, [/^› billing/m], 'the screen');
    top.keys(DOWN, DOWN);
    await screenShows(top.screen, [/^› reports/m], 'reports selected');
    top.keys('p');
    const paused = await screenShows(top.screen, [/^› reports \(paused\)/m, /‖ PAUSED/, /paused reports/], 'reports paused');
    assert.match(paused, /▌reports\s+‖ PAUSED \(p resumes\)/);
    assert.equal((await client.queues()).find((queue) => queue.name === 'reports')?.paused, true);
    top.keys('p');
    await screenShows(top.screen, [/resumed reports/], 'reports resumed');
    assert.equal((await client.queues()).find((queue) => queue.name === 'reports')?.paused, false);
    assert.doesNotMatch(queueRow(top.screen(), 'reports')!, /paused/);
  } finally {
    top.close();
  }
});

test('/ filters the queues by name; Enter keeps the filter, Esc clears it', async () => {
  const top = await open();
  try {
    await screenShows(top.screen, [/^ {2}reports/m], 'the screen');
    top.keys('/', 'rep');
    let screen = await screenShows(top.screen, [/^\/rep▏/m, /1 of 3 queues match/], 'the filter being typed');
    assert.equal(queueRow(screen, 'emails'), undefined, 'emails is filtered out');
    assert.match(screen, /^› reports/m);
    top.keys(ENTER);
    screen = await screenShows(top.screen, [/filter "rep": 1 of 3 queues/], 'the filter kept');
    assert.equal(queueRow(screen, 'billing'), undefined);
    assert.doesNotMatch(screen, /card declined/, 'failures of filtered-out queues are hidden too');
    top.keys(ESC);
    screen = await screenShows(top.screen, [/^ {2}emails/m, /^ {2}billing/m, /^› reports/m], 'every queue back, reports still selected');
    assert.doesNotMatch(screen, /filter "/);
  } finally {
    top.close();
  }
});

test('? shows the keys; any key closes the help', async () => {
  const top = await open();
  try {
    await screenShows(top.screen, [/● live/], 'the screen');
    top.keys('?');
    const help = await screenShows(top.screen, [/^KEYS/m, /pause the selected queue/, /filter queues by name/, /READING THE SCREEN/], 'the help');
    assert.match(help, /any key closes the help/);
    top.keys('x');
    await screenShows(top.screen, [/WORKER\s+HOST/], 'the help closed');
    assert.doesNotMatch(top.screen(), /^KEYS/m);
  } finally {
    top.close();
  }
});

test('r asks before replaying the selected queue\'s dead tasks; n cancels, y replays them', async () => {
  await worker.stop(); // the replayed tasks stay pending, so the replay can be seen in the counts
  const top = await open();
  try {
    await screenShows(top.screen, [/^› billing/m, /2 dead/], 'billing with 2 dead');
    top.keys('r');
    await screenShows(top.screen, [/Replay 2 dead tasks of billing\? .*\[y\/n\]/], 'the question');
    top.keys('n');
    await screenShows(top.screen, [/replay cancelled/], 'cancelled');
    assert.equal((await client.stats()).queues.find((queue) => queue.name === 'billing')!.states.dead, 2);
    top.keys('r', 'y');
    await screenShows(top.screen, [/replayed 2 dead tasks of billing: pending again/], 'replayed');
    const billing = (await client.stats()).queues.find((queue) => queue.name === 'billing')!;
    assert.equal(billing.states.dead, 0);
    assert.equal(billing.states.pending, 2);
    await screenShows(top.screen, [/^dead\s+0/m, /^pending\s+█+\s+2/m], 'the detail updated');
    // A queue without dead tasks has nothing to replay.
    top.keys(DOWN, 'r');
    await screenShows(top.screen, [/no dead tasks in emails/], 'nothing to replay');
  } finally {
    top.close();
  }
});

test('submissions show as a rate with a sparkline of the last minute', async () => {
  const top = await open();
  try {
    await screenShows(top.screen, [/^› billing/m], 'the screen');
    top.keys(DOWN);
    await screenShows(top.screen, [/^› emails/m, /submitted\s+0\/s ▁/m], 'emails with a flat sparkline');
    await client.submitMany(Array.from({ length: 50 }, () => ({ type: 'echo', queue: 'emails' })));
    // The rate is back to 0 one interval later; the sparkline keeps the minute.
    await screenShows(top.screen, [/submitted\s+\S+\/s ▁*[▂▃▄▅▆▇█]/m, /^pending\s+█+\s+60/m], 'the burst in the sparkline');
  } finally {
    top.close();
  }
});

test('when the broker goes away the screen says it is reconnecting, and carries on once it is back', async () => {
  const own = await startBroker({ args: ['--lease', TEST_LEASE] });
  let current = own;
  try {
    const seed = await TqClient.connect({ broker: own.address, reconnect: false });
    await seed.submit({ type: 'echo', queue: 'survivor' });
    seed.close();
    const top = await open(own.address);
    try {
      await screenShows(top.screen, [/● live/, /^› survivor/m], 'live');
      await own.kill();
      const away = await screenShows(top.screen, [/○ reconnecting…/, /⚠ showing data from/], 'reconnecting');
      assert.match(away, /^› survivor/m, 'the last data stays on screen');
      current = await restartBroker(own);
      await screenShows(top.screen, [/● live/], 'live again', 20_000);
      assert.doesNotMatch(top.screen(), /reconnecting/);
    } finally {
      top.close();
    }
  } finally {
    await current.stop();
    removeBrokerDirs(own);
  }
});
