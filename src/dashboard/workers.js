// @ts-check
/**
 * The workers: connected and gone, their queues, busy slots, heartbeat, CPU and memory.
 * @import { Worker } from './types.js'
 * @import { View } from './router.js'
 */
import { listWorkers } from './api.js';
import { append, clear, h } from './dom.js';
import { bytes, timeCell } from './format.js';
import { scope } from './live.js';
import { toast } from './ui.js';

/** At most this many slot marks are drawn per worker. */
const MAX_SLOT_MARKS = 32;

/** @param {Worker} w */
function slots(w) {
  const el = h('span', { class: 'slots', 'aria-hidden': 'true' });
  for (let i = 0; i < Math.min(w.concurrency, MAX_SLOT_MARKS); i++) el.appendChild(h('i', { class: i < w.running ? 'busy' : null }));
  return [el, `${w.running} / ${w.concurrency}`];
}

/** @param {Worker} w */
function workerRow(w) {
  return h('tr', null,
    h('td', { text: w.name }),
    h('td', null, h('span', { class: 'badge', 'data-state': w.connected ? 'succeeded' : 'cancelled', text: w.connected ? 'Connected' : 'Gone' })),
    h('td', { text: (w.host || '-') + (w.pid ? ` (pid ${w.pid})` : '') }),
    h('td', null, w.queues.map((q) => h('span', { class: 'chip', text: q }))),
    h('td', null, slots(w)),
    h('td', null, timeCell(w.connectedAt)),
    h('td', null, timeCell(w.lastHeartbeatAt)),
    h('td', { class: 'num', text: w.cpu === null ? '-' : `${Math.round(w.cpu * 100)}%` }),
    h('td', { class: 'num', text: bytes(w.memoryBytes) }),
    h('td', { class: 'mono muted', text: w.id }));
}

/** @type {View} */
export function workersView(main) {
  const sub = scope();
  const summary = h('span', { class: 'muted' });
  const box = h('div', { class: 'table-wrap' }, h('p', { class: 'muted', text: 'Loading…' }));
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Workers' }), h('span', { class: 'spacer' }), summary),
    h('section', { class: 'panel', 'aria-label': 'Workers' }, box),
  ]);
  /** @param {Worker[]} list */
  function render(list) {
    const workers = list.slice().sort((a, b) => Number(b.connected) - Number(a.connected) || (a.name < b.name ? -1 : 1));
    const connected = workers.filter((w) => w.connected);
    const busy = connected.reduce((n, w) => n + Math.min(w.running, w.concurrency), 0);
    const total = connected.reduce((n, w) => n + w.concurrency, 0);
    summary.textContent = `${connected.length} connected · ${busy} of ${total} slots busy`;
    clear(box);
    if (!workers.length) {
      box.appendChild(h('p', { class: 'empty', text: 'No workers connected. Start one: tq worker start --broker HOST:PORT' }));
      return;
    }
    box.appendChild(h('table', null,
      h('caption', { class: 'sr-only', text: 'Workers' }),
      h('thead', null, h('tr', null, ['Name', 'Status', 'Host', 'Queues', 'Slots', 'Connected', 'Last heartbeat', 'CPU', 'Memory', 'Id'].map((t) =>
        h('th', { scope: 'col', class: t === 'CPU' || t === 'Memory' ? 'num' : null, text: t })))),
      h('tbody', null, workers.map(workerRow))));
  }
  function load() {
    listWorkers().then((list) => render(list.workers), (err) => toast(err.message, 'error'));
  }
  sub.on('stats', load);
  sub.on('resync', load);
  load();
  return { title: 'Workers', unmount: sub.off };
}
