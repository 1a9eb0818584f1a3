// @ts-check
/**
 * What every view shares: the latest stats, the last 15 minutes of samples, and the live events
 * stream, passed on to the views that listen (task events in batches, once per frame).
 * @import { Sample, Stats, StatsEvent, TaskEvent } from './types.js'
 */
import { getHistory } from './api.js';
import { byId, h } from './dom.js';

const MAX_SAMPLES = 450;

/** @type {{ stats: Stats | null, samples: Sample[], intervalMs: number, live: boolean }} */
export const store = { stats: null, samples: [], intervalMs: 2000, live: false };

/**
 * @typedef {{ stats: StatsEvent, task: TaskEvent[], resync: undefined }} Events
 * @typedef {keyof Events} EventKind
 */

/** @type {{ [K in EventKind]: Array<(data: Events[K]) => void> }} */
const listeners = { stats: [], task: [], resync: [] };

/**
 * @template {EventKind} K
 * @param {K} kind
 * @param {(data: Events[K]) => void} fn
 * @returns {() => void} stops listening
 */
function on(kind, fn) {
  /** @type {Array<(data: Events[K]) => void>} */ (listeners[kind]).push(fn);
  return () => {
    const list = /** @type {Array<(data: Events[K]) => void>} */ (listeners[kind]);
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * @template {EventKind} K
 * @param {K} kind
 * @param {Events[K]} data
 */
function emit(kind, data) {
  for (const fn of /** @type {Array<(data: Events[K]) => void>} */ (listeners[kind]).slice()) {
    try {
      fn(data);
    } catch (error) {
      console.error(error);
    }
  }
}

/** A view's subscriptions, dropped together when the view goes. */
export function scope() {
  /** @type {Array<() => void>} */
  let offs = [];
  return {
    /**
     * @template {EventKind} K
     * @param {K} kind
     * @param {(data: Events[K]) => void} fn
     */
    on(kind, fn) {
      offs.push(on(kind, fn));
    },
    off() {
      for (const off of offs) off();
      offs = [];
    },
  };
}

/** @param {Sample} sample */
function addSample(sample) {
  const last = store.samples[store.samples.length - 1];
  if (last && Date.parse(sample.sampledAt) <= Date.parse(last.sampledAt)) return;
  store.samples.push(sample);
  if (store.samples.length > MAX_SAMPLES) store.samples.splice(0, store.samples.length - MAX_SAMPLES);
}

export async function loadHistory() {
  const history = await getHistory();
  store.intervalMs = history.intervalMs;
  store.samples = history.samples.slice(-MAX_SAMPLES);
}

/** @param {boolean} live */
function setLive(live) {
  store.live = live;
  const el = byId('live');
  el.classList.toggle('on', live);
  const text = el.querySelector('.live-text');
  if (text) text.textContent = live ? 'Live' : 'Reconnecting…';
}

/** @type {TaskEvent[]} */
let pendingTasks = [];
let flushScheduled = false;
function flushTasks() {
  flushScheduled = false;
  const batch = pendingTasks;
  pendingTasks = [];
  emit('task', batch);
}

/** Opens the events stream; after a reconnect the views reload what they show ('resync'). */
export function connect() {
  const source = new EventSource('/api/v1/events');
  let hadError = false;
  source.addEventListener('open', () => {
    setLive(true);
    if (hadError) {
      hadError = false;
      loadHistory().then(() => emit('resync', undefined), () => {});
    }
  });
  source.addEventListener('error', () => {
    setLive(false);
    hadError = true;
  });
  source.addEventListener('stats', (e) => {
    /** @type {StatsEvent} */
    const data = JSON.parse(e.data);
    store.stats = data.stats;
    addSample(data.sample);
    updateDeadCount();
    emit('stats', data);
  });
  source.addEventListener('task', (e) => {
    pendingTasks.push(JSON.parse(e.data));
    if (!flushScheduled) {
      flushScheduled = true;
      requestAnimationFrame(flushTasks);
    }
  });
  return source;
}

/** The count on the dead letters tab. */
export function updateDeadCount() {
  const el = byId('dead-count');
  const dead = store.stats ? store.stats.totals.dead : 0;
  el.hidden = !dead;
  el.textContent = dead > 999 ? '999+' : String(dead);
  el.setAttribute('aria-label', `${dead} dead tasks`);
}

/** The queues the broker knows, sorted. */
function queueNames() {
  return store.stats ? store.stats.queues.map((q) => q.name).sort() : [];
}

/**
 * Adds the queues the broker knows (and the one asked for) to a queue filter.
 * @param {HTMLSelectElement} select
 * @param {string} wanted
 */
export function fillQueues(select, wanted) {
  const names = queueNames();
  if (wanted && !names.includes(wanted)) names.push(wanted);
  const have = Array.from(select.options, (o) => o.value);
  for (const n of names) if (!have.includes(n)) select.appendChild(h('option', { value: n, text: n, selected: n === wanted }));
}
