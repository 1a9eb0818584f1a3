/**
 * The web dashboard in a real browser (Debian's chromium, driven by playwright-core) against a
 * real broker and worker: a task submitted over the API appears without a reload, a task is
 * cancelled, a dead task replayed and a queue paused from the page (by keyboard), the cancel and
 * retry buttons follow the rules the broker serves, and a screenshot is saved.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CANCELLABLE_STATES, RETRYABLE_STATES, TASK_STATES } from '../../../src/model/task.ts';
import { eventually, removeDir, tempDir } from '../../helpers/broker.ts';
import { startWorker, type WorkerProcess } from '../../worker/helpers.ts';
import { call, type HttpBroker, startHttpBroker, stopHttpBroker } from './helpers.ts';

const CHROMIUM = process.env.TQ_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the screenshots go: TQ_TEST_ARTIFACTS, else a directory under the system's temp dir. */
const ARTIFACTS = process.env.TQ_TEST_ARTIFACTS ?? join(tmpdir(), 'tq-test-artifacts');

/** What the tests read of an element in the page (the tests are compiled without the DOM types). */
interface Shown {
  getAttribute(name: string): string | null;
  querySelector(selector: string): Shown | null;
  querySelectorAll(selector: string): ArrayLike<Shown>;
  textContent: string | null;
}

describe('web dashboard', { skip: existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install chromium); CI installs it` }, () => {
  let broker: HttpBroker;
  let worker: WorkerProcess;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];

  before(async () => {
    broker = await startHttpBroker();
    worker = await startWorker(broker.address, ['--queues', 'work', '--concurrency', '2', '--name', 'dash-worker']);
    await call(broker, 'POST', '/api/v1/tasks', [
      { type: 'echo', queue: 'work', payload: { n: 1 } },
      { type: 'echo', queue: 'work', payload: { n: 2 } },
      { type: 'fail', queue: 'work', maxRetries: 0, payload: { message: 'disk full' } },
      { type: 'sleep', queue: 'work', payload: { ms: 120_000 } },
      { type: 'report', queue: 'nightly', priority: 'urgent', delayMs: 3_600_000 },
      { type: 'report', queue: 'nightly', delayMs: 3_600_000 },
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = tempDir('tq-chromium-');
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
  });

  after(async () => {
    await context?.close();
    await worker?.kill(); // its sleep task would hold a graceful stop for its whole grace period
    await stopHttpBroker(broker);
    if (profile) removeDir(profile);
  });

  it('shows a task submitted over the API without a reload, and cancels it from the page', async () => {
    await page.goto(`${broker.base}/#/tasks`);
    await page.locator('#live.on').waitFor();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));

    const submitted = await call(broker, 'POST', '/api/v1/tasks', { type: 'ui-echo', queue: 'ui', payload: { from: 'the test' } });
    const id: string = submitted.body.task.id;
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.badge').textContent(), 'Pending');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');

    await page.getByRole('button', { name: `Cancel task ${id}` }).click();
    await page.locator('dialog#confirm[open]').waitFor();
    await page.locator('#confirm-yes').click();
    await row.locator('.badge', { hasText: 'Cancelled' }).waitFor();
    assert.equal((await call(broker, 'GET', `/api/v1/tasks/${id}`)).body.state, 'cancelled');

    // Search by id opens the task in detail: payload, timeline, state.
    await page.locator('#task-search').fill(id);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Payload' }).waitFor();
    await page.locator('h1 .badge', { hasText: 'Cancelled' }).waitFor();
    assert.match((await page.locator('pre.block').first().textContent())!, /"from": "the test"/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-task.png'), fullPage: true });
  });

  it('replays a dead task from the dead-letter queue page', async () => {
    const dead = await eventually(async () => {
      const dlq = (await call(broker, 'GET', '/api/v1/dlq?queue=work')).body;
      return dlq.tasks[0] as { id: string } | undefined;
    }, 20_000, 'the failing task to be dead');
    await page.getByRole('link', { name: /Dead letters/ }).click();
    await page.getByRole('heading', { name: 'Dead-letter queue' }).waitFor();
    await page.getByRole('button', { name: `Replay task ${dead.id}` }).click();
    // maxRetries 0: the worker runs it once more and it is dead again, with a second attempt kept.
    await eventually(async () => {
      const task = (await call(broker, 'GET', `/api/v1/tasks/${dead.id}`)).body;
      return task.state === 'dead' && task.history.length === 2 ? true : undefined;
    }, 20_000, 'the replayed task to run again');
    await page.locator(`tr[data-id="${dead.id}"]`).waitFor();
  });

  it('shows cancel and retry exactly where the rules the broker serves allow them', async () => {
    await call(broker, 'POST', '/api/v1/tasks', { type: 'waits', queue: 'ui' }); // no worker serves ui: pending
    const model = (await call(broker, 'GET', '/api/v1/model')).body;
    assert.deepEqual(model.cancellableStates, [...CANCELLABLE_STATES]);
    assert.deepEqual(model.retryableStates, [...RETRYABLE_STATES]);
    /** Every row of the task list, read in one go (rows change live): its state and its buttons. */
    const readRows = async () => {
      await page.goto(`${broker.base}/#/tasks`);
      await page.reload(); // a new hash alone would not load the page (and its rules) again
      await page.locator('tr[data-id] .badge[data-state="pending"]').first().waitFor();
      return page.locator('tr[data-id]').evaluateAll((rows) =>
        (rows as unknown as Shown[]).map((row) => ({
          state: row.querySelector('.badge')!.getAttribute('data-state')!,
          buttons: Array.from(row.querySelectorAll('button'), (button) => button.textContent!).sort(),
        })),
      );
    };
    const expected = (state: string, cancellable: readonly string[], retryable: readonly string[]) =>
      [...(cancellable.includes(state) ? ['Cancel'] : []), ...(retryable.includes(state) ? ['Retry'] : [])];

    const rows = await readRows();
    const seen = new Set(rows.map((row) => row.state));
    for (const state of ['pending', 'scheduled', 'running', 'succeeded', 'dead', 'cancelled']) assert.ok(seen.has(state), `a ${state} task is listed`);
    for (const row of rows) assert.deepEqual(row.buttons, expected(row.state, CANCELLABLE_STATES, RETRYABLE_STATES), `buttons of a ${row.state} task`);
    assert.deepEqual(await page.locator('#filter-state option').evaluateAll((options) => (options as unknown as Shown[]).map((o) => o.getAttribute('value'))), ['', ...TASK_STATES]);

    // Rules the page cannot have a copy of: it follows what /api/v1/model says, not what it knows.
    const odd = { ...model, cancellableStates: ['succeeded'], retryableStates: ['pending', 'scheduled'], namePattern: '^[a-z]{1,3}$' };
    await page.route('**/api/v1/model', (route) => route.fulfill({ json: odd }));
    try {
      for (const row of await readRows()) assert.deepEqual(row.buttons, expected(row.state, odd.cancellableStates, odd.retryableStates), `buttons of a ${row.state} task under odd rules`);
      await page.locator('#task-search').fill('echo');
      await page.keyboard.press('Enter');
      await page.locator('#toasts .toast.error', { hasText: 'Search for a task id, or a type name' }).waitFor();
    } finally {
      await page.unroute('**/api/v1/model');
    }
  });

  it('pauses and resumes a queue from the keyboard, and saves a screenshot', async (t) => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Queues' }).waitFor();
    const pause = page.getByRole('button', { name: 'Pause queue work' });
    await pause.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume queue work' }).waitFor();
    const queues = (await call(broker, 'GET', '/api/v1/queues')).body.queues;
    assert.equal(queues.find((queue: { name: string }) => queue.name === 'work').paused, true);
    await page.getByRole('button', { name: 'Resume queue work' }).press('Enter');
    await page.getByRole('button', { name: 'Pause queue work' }).waitFor();

    // Let the chart get a few samples and the worker finish its quick tasks, then take the picture.
    await eventually(async () => {
      const history = (await call(broker, 'GET', '/api/v1/stats/history')).body;
      return history.samples.length >= 3 ? true : undefined;
    }, 20_000, 'three stats samples');
    await page.locator('#live.on').waitFor();
    await page.locator('#toasts .toast').first().waitFor({ state: 'detached' });
    const path = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path, fullPage: true });
    t.diagnostic(`dashboard screenshot: ${path}`);
    assert.deepEqual(problems, [], 'no script errors on the page');
  });
});
