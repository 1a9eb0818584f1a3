// @ts-check
/**
 * The overview: totals, depth per queue and throughput over the last 15 minutes, and the queues
 * with their depth per priority and state, paused and resumed from here.
 * @import { QueueStats, TaskState } from './types.js'
 * @import { Series } from './chart.js'
 * @import { View } from './router.js'
 */
import { setQueuePaused } from './api.js';
import { colorOf, drawChart } from './chart.js';
import { append, clear, h, targetOf } from './dom.js';
import { clock, duration, num, rate, stateLabel } from './format.js';
import { scope, store } from './live.js';
import { priorityText } from './rules.js';
import { act } from './ui.js';

/** @type {Array<{ key: string, label: string, states: TaskState[] }>} */
const DEPTH_MODES = [
  { key: 'active', label: 'All waiting + running', states: ['pending', 'scheduled', 'running', 'failed'] },
  { key: 'pending', label: 'Pending', states: ['pending'] },
  { key: 'running', label: 'Running', states: ['running'] },
  { key: 'scheduled', label: 'Scheduled', states: ['scheduled'] },
  { key: 'failed', label: 'Retrying', states: ['failed'] },
];

/** The queue table's count columns, in the order shown. @type {TaskState[]} */
const COLUMNS = ['pending', 'running', 'scheduled', 'failed', 'dead', 'succeeded', 'cancelled'];
/** The states shown per priority. @type {TaskState[]} */
const PRIORITY_STATES = ['pending', 'running', 'scheduled', 'failed'];

/**
 * @param {string} label
 * @param {string} value
 * @param {string | null} sub
 * @param {TaskState} [state]
 */
function card(label, value, sub, state) {
  return h('div', { class: 'card', 'data-state': state }, h('div', { class: 'label', text: label }), h('div', { class: 'value', text: value }), sub ? h('div', { class: 'sub', text: sub }) : null);
}

/** @param {QueueStats} queue */
function priorityChips(queue) {
  const keys = Object.keys(queue.priorities).map(Number).sort((a, b) => b - a);
  return keys.map((p) => {
    const states = queue.priorities[p];
    const parts = PRIORITY_STATES.filter((st) => states[st]).map((st) => `${num(states[st])} ${stateLabel(st).toLowerCase()}`);
    if (!parts.length) return null;
    return h('span', { class: 'chip', title: `priority ${priorityText(p)}` }, `${priorityText(p)}: ${parts.join(', ')}`);
  });
}

/**
 * @typedef {{ name: string, tr: HTMLTableRowElement, cells: Map<TaskState, HTMLTableCellElement>, status: HTMLSpanElement, priorities: HTMLTableCellElement, oldest: HTMLTableCellElement, button: HTMLButtonElement }} QueueRow
 */

/**
 * @param {QueueRow} row
 * @param {boolean} paused
 */
function setPaused(row, paused) {
  row.status.setAttribute('data-state', paused ? 'paused' : 'active');
  row.status.textContent = paused ? 'Paused' : 'Active';
  row.button.setAttribute('data-paused', String(paused));
  row.button.textContent = paused ? 'Resume' : 'Pause';
  row.button.className = `button small${paused ? ' primary' : ''}`;
  row.button.setAttribute('aria-label', `${paused ? 'Resume' : 'Pause'} queue ${row.name}`);
}

/** @param {string} name @returns {QueueRow} */
function queueRow(name) {
  /** @type {QueueRow} */
  const row = {
    name,
    tr: h('tr', { 'data-queue': name }),
    cells: new Map(COLUMNS.map((st) => [st, h('td', { class: 'num' })])),
    status: h('span', { class: 'badge' }),
    priorities: h('td'),
    oldest: h('td', { class: 'num' }),
    button: h('button', {
      type: 'button',
      class: 'button small',
      onclick: (e) => {
        const paused = targetOf(e).getAttribute('data-paused') === 'true';
        void act(targetOf(e), () => setQueuePaused(name, !paused), (q) => {
          setPaused(row, q.paused);
          return `Queue ${q.name}${q.paused ? ' paused: workers get none of its tasks' : ' resumed'}`;
        });
      },
    }),
  };
  append(row.tr, [
    h('td', null, h('a', { href: `#/tasks?queue=${encodeURIComponent(name)}`, text: name })),
    h('td', null, row.status),
    [...row.cells.values()],
    row.oldest,
    row.priorities,
    h('td', null, h('div', { class: 'actions' }, row.button)),
  ]);
  return row;
}

/** @type {View} */
export function overviewView(main) {
  const sub = scope();
  let mode = DEPTH_MODES[0];
  const cards = h('div', { class: 'cards', 'aria-label': 'Totals' });
  const sampled = h('span', { class: 'muted', id: 'sampled' });
  const depthChart = h('div', { class: 'chart-box' });
  const depthLegend = h('div', { class: 'legend' });
  const rateChart = h('div', { class: 'chart-box' });
  const rateLegend = h('div', { class: 'legend' });
  const queuesBox = h('div', { class: 'table-wrap' });
  const modeButtons = DEPTH_MODES.map((m) =>
    h('button', {
      type: 'button',
      'aria-pressed': m === mode ? 'true' : 'false',
      text: m.label,
      onclick: () => {
        mode = m;
        modeButtons.forEach((b, i) => b.setAttribute('aria-pressed', DEPTH_MODES[i] === mode ? 'true' : 'false'));
        renderCharts();
      },
    }),
  );
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Overview' }), h('span', { class: 'spacer' }), sampled),
    cards,
    h('div', { class: 'grid2' },
      h('section', { class: 'panel', 'aria-labelledby': 'depth-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'depth-title', text: 'Queue depth, last 15 minutes' }), h('span', { class: 'spacer' }),
          h('div', { class: 'segmented', role: 'group', 'aria-label': 'Which tasks to count' }, modeButtons)),
        depthChart, depthLegend),
      h('section', { class: 'panel', 'aria-labelledby': 'rate-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'rate-title', text: 'Throughput (tasks/s)' })),
        rateChart, rateLegend)),
    h('section', { class: 'panel', 'aria-labelledby': 'queues-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'queues-title', text: 'Queues' }), h('span', { class: 'spacer' }), h('span', { class: 'muted', text: 'depth by priority and state' })),
      queuesBox),
  ]);

  function renderCards() {
    const stats = store.stats;
    if (!stats) return;
    const last = store.samples[store.samples.length - 1];
    const rates = last ? last.rates : { submitted: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0 };
    const workers = last ? last.workers : { connected: 0, slots: 0, busy: 0 };
    const t = stats.totals;
    append(clear(cards), [
      card('Pending', num(t.pending), 'ready to run', 'pending'),
      card('Running', num(t.running), null, 'running'),
      card('Scheduled', num(t.scheduled), 'run later', 'scheduled'),
      card('Retrying', num(t.failed), 'waiting for backoff', 'failed'),
      card('Dead', num(t.dead), 'dead-letter queue', 'dead'),
      card('Succeeded', num(t.succeeded), 'kept for retention', 'succeeded'),
      card('Throughput', `${rate(rates.succeeded + rates.failed + rates.dead + rates.cancelled)}/s`, `submitted ${rate(rates.submitted)}/s`),
      card('Workers', num(workers.connected), `${workers.busy} of ${workers.slots} slots busy`),
    ]);
    if (last) sampled.textContent = `updated ${clock(Date.parse(last.sampledAt))}`;
  }

  /**
   * @param {HTMLElement} legend
   * @param {Series[]} series
   * @param {(v: number) => string} format
   */
  function renderLegend(legend, series, format) {
    clear(legend);
    for (const ser of series) {
      const lastPoint = ser.points[ser.points.length - 1];
      const swatch = h('i', { 'aria-hidden': 'true' });
      // The CSP allows no inline style attributes, only styles set from script.
      swatch.style.background = ser.color;
      legend.appendChild(h('span', null, swatch, ser.name, ' ', h('b', { text: format(lastPoint ? lastPoint[1] : 0) })));
    }
  }

  function renderCharts() {
    /** @type {Set<string>} */
    const names = new Set();
    for (const sample of store.samples) for (const n of Object.keys(sample.depth)) names.add(n);
    const queueList = [...names].sort();
    /** @type {Series[]} */
    const series = queueList.map((name) => ({
      name,
      color: colorOf(name, queueList),
      points: store.samples.map((sample) => {
        const d = sample.depth[name] || {};
        return [Date.parse(sample.sampledAt), mode.states.reduce((sum, st) => sum + (d[st] || 0), 0)];
      }),
    }));
    drawChart(depthChart, series, { stacked: true, label: `Tasks per queue (${mode.label}) over the last 15 minutes` });
    renderLegend(depthLegend, series, num);
    if (!series.length) depthLegend.appendChild(h('span', { class: 'muted', text: 'No queues yet: a queue appears with its first task.' }));
    /** @type {Array<{ label: string, color: string, pick: (r: import('./types.js').Rates) => number }>} */
    const rateDefs = [
      { label: 'Submitted', color: '#2563eb', pick: (r) => r.submitted },
      { label: 'Succeeded', color: '#18794e', pick: (r) => r.succeeded },
      { label: 'Failed + dead', color: '#c4262e', pick: (r) => r.failed + r.dead },
    ];
    /** @type {Series[]} */
    const rateSeries = rateDefs.map((def) => ({
      name: def.label,
      color: def.color,
      points: store.samples.map((sample) => [Date.parse(sample.sampledAt), def.pick(sample.rates)]),
    }));
    drawChart(rateChart, rateSeries, { stacked: false, label: 'Tasks per second over the last 15 minutes', format: rate });
    renderLegend(rateLegend, rateSeries, (v) => `${rate(v)}/s`);
  }

  /** @type {Map<string, QueueRow>} */
  const queueRows = new Map();
  /** @type {HTMLTableSectionElement | null} */
  let table = null;
  function renderQueues() {
    const stats = store.stats;
    if (!stats) return;
    if (!stats.queues.length) {
      table = null;
      queueRows.clear();
      clear(queuesBox).appendChild(h('p', { class: 'empty', text: 'No queues yet. Submit a task: POST /api/v1/tasks or tq submit.' }));
      return;
    }
    if (!table) {
      table = h('tbody');
      clear(queuesBox).appendChild(h('table', null,
        h('caption', { class: 'sr-only', text: 'Queues with their tasks per state' }),
        h('thead', null, h('tr', null,
          ['Queue', 'Status'].map((t) => h('th', { scope: 'col', text: t })),
          ['Pending', 'Running', 'Scheduled', 'Retrying', 'Dead', 'Succeeded', 'Cancelled', 'Oldest pending'].map((t) => h('th', { scope: 'col', class: 'num', text: t })),
          h('th', { scope: 'col', text: 'By priority' }), h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: 'Actions' })))),
        table));
    }
    const tbody = table;
    /** @type {Set<string>} */
    const seen = new Set();
    stats.queues.slice().sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((q, index) => {
      seen.add(q.name);
      let row = queueRows.get(q.name);
      if (!row) {
        row = queueRow(q.name);
        queueRows.set(q.name, row);
      }
      if (tbody.children[index] !== row.tr) tbody.insertBefore(row.tr, tbody.children[index] || null);
      for (const [st, cell] of row.cells) cell.textContent = num(q.states[st]);
      row.oldest.textContent = q.oldestPendingAgeMs === null ? '-' : duration(q.oldestPendingAgeMs);
      append(clear(row.priorities), priorityChips(q));
      if (!row.button.disabled) setPaused(row, q.paused);
    });
    for (const [name, row] of queueRows) {
      if (!seen.has(name)) {
        row.tr.remove();
        queueRows.delete(name);
      }
    }
  }

  function renderAll() {
    renderCards();
    renderCharts();
    renderQueues();
  }
  sub.on('stats', renderAll);
  sub.on('resync', renderAll);
  const onResize = () => renderCharts();
  window.addEventListener('resize', onResize);
  renderAll();
  return {
    title: 'Overview',
    unmount() {
      sub.off();
      window.removeEventListener('resize', onResize);
    },
  };
}
