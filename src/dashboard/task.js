// @ts-check
/**
 * One task in detail: its fields, payload and result, a timeline and the attempts with their
 * errors, reloaded when an event says it changed.
 * @import { Task, TaskState, Worker } from './types.js'
 * @import { Child } from './types.js'
 * @import { View } from './router.js'
 */
import { ApiError, getTask, listWorkers } from './api.js';
import { append, clear, h } from './dom.js';
import { badge, dateTime, duration, ms, pretty, refreshTimes, timeCell } from './format.js';
import { scope } from './live.js';
import { isFinished, priorityText } from './rules.js';
import { taskActions } from './ui.js';

/**
 * @param {Map<string, Worker>} workers
 * @param {string} id
 */
function workerLabel(workers, id) {
  const w = workers.get(id);
  return w ? w.name + (w.host ? ` on ${w.host}` : '') + (w.pid ? ` (pid ${w.pid})` : '') : id;
}

/**
 * The task's story: submitted, scheduled, each attempt, backoff, cancel, death.
 * @param {Task} task
 * @param {Map<string, Worker>} workers
 */
function timeline(task, workers) {
  /** @type {HTMLLIElement[]} */
  const items = [];
  /**
   * @param {TaskState} state
   * @param {string} text
   * @param {string | null} when
   * @param {string | null} [why]
   */
  function item(state, text, when, why) {
    items.push(h('li', { 'data-state': state }, h('span', { text }), when ? h('span', { class: 'when' }, timeCell(when), ` · ${dateTime(when)}`) : null, why ? h('span', { class: 'why', text: why }) : null));
  }
  item('pending', `Submitted to ${task.queue}`, task.createdAt);
  if (task.runAt && ms(task.runAt) > ms(task.createdAt) && task.history.length === 0 && task.state === 'scheduled') item('scheduled', 'Scheduled to run', task.runAt);
  const earlier = task.attempts - task.history.length;
  if (earlier > 0 && task.history.length) item('waiting', `${earlier} earlier attempt${earlier === 1 ? '' : 's'} not kept`, null);
  task.history.forEach((a, i) => {
    item('running', `Attempt ${a.attempt} started on ${workerLabel(workers, a.workerId)}`, a.startedAt);
    if (!a.endedAt) return;
    const took = duration(ms(a.endedAt) - ms(a.startedAt));
    const lastOne = i === task.history.length - 1;
    if (a.error) item(lastOne && task.state === 'dead' ? 'dead' : 'failed', `Attempt ${a.attempt} failed after ${took}`, a.endedAt, a.error);
    else if (lastOne && task.state === 'cancelled') item('cancelled', `Attempt ${a.attempt} stopped (cancelled) after ${took}`, a.endedAt);
    else item('succeeded', `Attempt ${a.attempt} succeeded after ${took}`, a.endedAt);
  });
  const lastAttempt = task.history[task.history.length - 1];
  if (task.state === 'failed' && task.runAt) item('failed', 'Next attempt after backoff', task.runAt);
  if (task.cancelRequested && task.state === 'running') item('cancelled', 'Cancel requested: waiting for the worker to report', task.updatedAt);
  if (task.state === 'dead') item('dead', 'Moved to the dead-letter queue', task.finishedAt);
  if (task.state === 'cancelled' && !(lastAttempt && lastAttempt.endedAt === task.finishedAt)) item('cancelled', 'Cancelled', task.finishedAt);
  if (task.state === 'pending' && task.history.length === 0) item('pending', 'Waiting for a worker', null);
  return h('ol', { class: 'timeline' }, items);
}

/**
 * @param {string} label
 * @param {Child} value
 */
function fact(label, value) {
  return h('div', null, h('dt', { text: label }), h('dd', null, value === undefined || value === null || value === '' ? '-' : value));
}

/** What the result panel says when there is no result. @param {Task} task */
function noResult(task) {
  if (task.state === 'succeeded') return 'null';
  return isFinished(task.state) ? '(none)' : '(none yet)';
}

/**
 * @param {Task} task
 * @param {Map<string, Worker>} workers
 */
function details(task, workers) {
  const lease = task.lease
    ? [workerLabel(workers, task.lease.workerId), h('br'), h('span', { class: 'muted', text: `token ${task.lease.token} · expires ` }), timeCell(task.lease.expiresAt)]
    : null;
  /** @type {HTMLSpanElement | null} */
  let bar = null;
  if (task.progress) {
    bar = h('span');
    // The CSP allows no inline style attributes, only styles set from script.
    bar.style.width = `${Math.round(task.progress.fraction * 100)}%`;
  }
  const progress = task.progress ? [h('span', { class: 'progress' }, bar), `${Math.round(task.progress.fraction * 100)}%`, task.progress.message ? ` ${task.progress.message}` : ''] : null;
  const attemptRows = task.history.slice().reverse().map((a) =>
    h('tr', null,
      h('td', { class: 'num', text: a.attempt }),
      h('td', { text: workerLabel(workers, a.workerId) }),
      h('td', null, timeCell(a.startedAt)),
      h('td', { text: a.endedAt ? duration(ms(a.endedAt) - ms(a.startedAt)) : 'running' }),
      h('td', { class: 'error' }, a.error ? h('span', { title: a.error, text: a.error }) : h('span', { class: 'muted', text: a.endedAt ? 'ok' : '' }))));
  return [
    h('section', { class: 'panel', 'aria-label': 'Fields' }, h('dl', { class: 'facts' },
      fact('Queue', h('a', { href: `#/tasks?queue=${encodeURIComponent(task.queue)}`, text: task.queue })),
      fact('Priority', priorityText(task.priority)),
      fact('Attempts', `${task.attempts} of ${task.maxRetries + 1} allowed`),
      fact('Timeout', duration(task.timeoutMs)),
      fact('Created', dateTime(task.createdAt)),
      fact('Run at', task.runAt ? dateTime(task.runAt) : null),
      fact('Started', task.startedAt ? dateTime(task.startedAt) : null),
      fact('Finished', task.finishedAt ? dateTime(task.finishedAt) : null),
      fact('Updated', timeCell(task.updatedAt)),
      fact('Lease holder', lease),
      fact('Progress', progress),
      fact('Idempotency key', task.idempotencyKey),
      fact('Tags', task.tags.length ? task.tags.map((t) => h('span', { class: 'chip', text: t })) : null),
      fact('Backoff', `${duration(task.backoffBaseMs)} doubling, at most ${duration(task.backoffCapMs)}`),
      task.cancelRequested && task.state === 'running' ? fact('Cancel requested', 'yes: the worker is told to stop') : null)),
    task.lastError ? h('section', { class: 'panel', 'aria-labelledby': 'error-title' }, h('div', { class: 'panel-head' }, h('h2', { id: 'error-title', text: 'Last error' })), h('pre', { class: 'block error', text: task.lastError })) : null,
    h('div', { class: 'grid2' },
      h('section', { class: 'panel', 'aria-labelledby': 'payload-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'payload-title', text: 'Payload' })),
        h('pre', { class: 'block', tabindex: '0', text: task.payload === null || task.payload === undefined ? 'null' : pretty(task.payload) }),
        h('div', { class: 'panel-head' }, h('h2', { id: 'result-title', text: 'Result' })),
        h('pre', { class: 'block', tabindex: '0', 'aria-labelledby': 'result-title', text: task.result !== null && task.result !== undefined ? pretty(task.result) : noResult(task) })),
      h('section', { class: 'panel', 'aria-labelledby': 'timeline-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'timeline-title', text: 'Timeline' })),
        timeline(task, workers))),
    h('section', { class: 'panel', 'aria-labelledby': 'attempts-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'attempts-title', text: 'Attempts' })),
      attemptRows.length
        ? h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, h('tr', null,
            h('th', { scope: 'col', class: 'num', text: '#' }), h('th', { scope: 'col', text: 'Worker' }), h('th', { scope: 'col', text: 'Started' }),
            h('th', { scope: 'col', text: 'Ran for' }), h('th', { scope: 'col', text: 'Error' }))), h('tbody', null, attemptRows)))
        : h('p', { class: 'empty', text: isFinished(task.state) ? 'It never ran.' : 'Not run yet.' })),
  ];
}

/** @type {View} */
export function taskView(main, route) {
  const sub = scope();
  const id = route.id;
  /** @type {Map<string, Worker>} */
  const workers = new Map();
  const body = h('div', null, h('p', { class: 'muted', text: 'Loading…' }));
  const heading = h('h1', null, 'Task');
  const actionsBox = h('div', { class: 'actions' });
  append(main, [
    h('p', null, h('a', { href: '#/tasks', text: '← All tasks' })),
    h('div', { class: 'view-head' }, heading, h('span', { class: 'spacer' }), actionsBox),
    body,
  ]);
  /** @param {Task} task */
  function render(task) {
    append(clear(heading), [`${task.type} `, h('span', { class: 'muted mono', text: task.id }), ' ', badge(task.state)]);
    const focused = actionsBox.contains(document.activeElement);
    clear(actionsBox).appendChild(taskActions(task));
    if (focused) actionsBox.querySelector('button')?.focus();
    append(clear(body), details(task, workers));
  }
  /** @param {string} text */
  function gone(text) {
    clear(actionsBox);
    clear(body).appendChild(h('p', { class: 'notice', text }));
  }
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  async function load() {
    try {
      render(await getTask(id));
    } catch (error) {
      gone(error instanceof ApiError && error.status === 404 ? `No task ${id}: the id is wrong, or retention deleted the task.` : /** @type {Error} */ (error).message);
    }
  }
  function loadSoon() {
    if (!timer) timer = setTimeout(() => { timer = null; void load(); }, 150);
  }
  listWorkers().then((list) => { for (const w of list.workers) workers.set(w.id, w); }, () => {}).then(load);
  sub.on('task', (batch) => {
    for (const ev of batch) {
      if (ev.task.id !== id) continue;
      if (ev.change === 'deleted') gone('This task was deleted (retention, a purge or a drain).');
      else loadSoon();
    }
  });
  sub.on('stats', () => refreshTimes(main));
  sub.on('resync', () => void load());
  return {
    title: `Task ${id}`,
    unmount() {
      sub.off();
      if (timer) clearTimeout(timer);
    },
  };
}
