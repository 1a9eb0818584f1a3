// @ts-check
/**
 * The dead-letter queue: dead tasks, newest first, replayed one by one, as a selection, or all.
 * @import { View } from './router.js'
 * @import { Column } from './table.js'
 */
import { listDead, query, replayDead } from './api.js';
import { append, h, targetOf } from './dom.js';
import { refreshTimes, timeCell } from './format.js';
import { fillQueues, scope } from './live.js';
import { COLUMNS, liveTaskTable, matches, pager } from './table.js';
import { act, confirmAction } from './ui.js';

/** Replay all asks the broker at most this many times (each call replays one batch). */
const MAX_REPLAY_ROUNDS = 100;

/** @param {number} n */
const replayed = (n) => `Replayed ${n} task${n === 1 ? '' : 's'}`;

/** @type {View} */
export function dlqView(main, route) {
  const sub = scope();
  const queue = route.params.queue || '';
  const filter = { state: /** @type {const} */ ('dead'), queue };
  /** @type {Set<string>} */
  const selected = new Set();
  const replaySelected = h('button', {
    type: 'button',
    class: 'button',
    disabled: true,
    onclick: (e) => {
      void act(targetOf(e), () => replayDead({ ids: [...selected] }), (r) => {
        selected.clear();
        return replayed(r.count);
      }).then(updateSelection);
    },
  });
  const replayAll = h('button', {
    type: 'button',
    class: 'button primary',
    text: queue ? `Replay all in ${queue}` : 'Replay all',
    onclick: async (e) => {
      const button = targetOf(e);
      const yes = await confirmAction('Replay dead tasks?', `Every dead task${queue ? ` of queue ${queue}` : ''} goes back to its queue with its attempts reset.`, 'Replay all');
      if (!yes) return;
      await act(button, async () => {
        let total = 0;
        for (let round = 0; round <= MAX_REPLAY_ROUNDS; round++) {
          const r = await replayDead(queue ? { queue } : {});
          total += r.count;
          if (!r.more || r.count === 0) break;
        }
        return total;
      }, replayed);
    },
  });
  function updateSelection() {
    const n = selected.size;
    replaySelected.disabled = n === 0;
    replaySelected.textContent = n ? `Replay ${n} selected` : 'Replay selected';
  }
  updateSelection();
  /** @type {Column[]} */
  const columns = [
    {
      label: 'Select',
      render: (t) => h('input', {
        type: 'checkbox',
        checked: selected.has(t.id),
        'aria-label': `Select task ${t.id}`,
        onchange: (e) => {
          if (/** @type {HTMLInputElement} */ (e.currentTarget).checked) selected.add(t.id);
          else selected.delete(t.id);
          updateSelection();
        },
      }),
    },
    COLUMNS.id,
    COLUMNS.type,
    COLUMNS.queue,
    { title: 'Attempts', num: true, render: (t) => String(t.attempts) },
    { title: 'Died', render: (t) => timeCell(t.finishedAt) },
    COLUMNS.lastError,
    {
      label: 'Actions',
      render: (t) => h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button small', text: 'Replay', 'aria-label': `Replay task ${t.id}`, onclick: (e) => void act(targetOf(e), () => replayDead({ ids: [t.id] }), `Replayed ${t.id}`) })),
    },
  ];
  const table = liveTaskTable({ columns, caption: 'Dead tasks, most recent first', emptyText: 'The dead-letter queue is empty.' });
  const { more, load } = pager(table, (cursor) => listDead({ queue, limit: 100, cursor }));
  const queueSelect = h('select', { id: 'dlq-queue', onchange: () => { location.hash = `#/dlq${query({ queue: queueSelect.value })}`; } }, h('option', { value: '', text: 'all queues' }));
  fillQueues(queueSelect, queue);
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Dead-letter queue' }), h('span', { class: 'spacer' }), h('span', { class: 'muted', text: 'tasks that used up their retries' })),
    h('section', { class: 'panel' }, h('div', { class: 'filters' }, h('label', null, 'Queue', queueSelect), h('span', { class: 'spacer' }), replaySelected, replayAll)),
    h('section', { class: 'panel', 'aria-label': 'Dead tasks' }, table.element, h('div', { class: 'actions' }, more)),
  ]);
  sub.on('task', (batch) => {
    for (const ev of batch) {
      const wanted = matches(filter, ev.task);
      if (!wanted && selected.delete(ev.task.id)) updateSelection();
      table.apply(ev, wanted);
    }
  });
  sub.on('stats', () => {
    fillQueues(queueSelect, queue);
    refreshTimes(main);
  });
  sub.on('resync', () => void load(false));
  void load(false);
  return { title: 'Dead-letter queue', unmount: sub.off };
}
