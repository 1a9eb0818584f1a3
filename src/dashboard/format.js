// @ts-check
/**
 * Numbers, times, sizes and states as the page shows them.
 * @import { TaskState } from './types.js'
 */
import { h } from './dom.js';

/**
 * What a person reads for each state of the model (a new state there fails the type check here):
 * a failed task is one waiting to be retried.
 * @type {Record<TaskState, string>}
 */
const STATE_LABELS = {
  waiting: 'Waiting',
  scheduled: 'Scheduled',
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Retrying',
  dead: 'Dead',
  cancelled: 'Cancelled',
};

/** @param {TaskState} state */
export function stateLabel(state) {
  return STATE_LABELS[state];
}

/** @param {number | null | undefined} n */
export function num(n) {
  return n === null || n === undefined ? '-' : Number(n).toLocaleString('en-US');
}

/** @param {number} n tasks per second */
export function rate(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, '') || '0';
}

/** @param {string | null | undefined} iso */
export function ms(iso) {
  return iso ? Date.parse(iso) : NaN;
}

/** @param {number} n */
function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** @param {number} t epoch milliseconds */
export function clock(t) {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return '-';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d.getTime())}`;
}

/** @param {number | null | undefined} msValue */
export function duration(msValue) {
  if (msValue === null || msValue === undefined || isNaN(msValue)) return '-';
  const v = Math.max(0, msValue);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 60000) return `${(v / 1000).toFixed(v < 10000 ? 1 : 0)}s`;
  const m = Math.floor(v / 60000);
  if (m < 60) return `${m}m ${Math.floor((v % 60000) / 1000)}s`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours}h ${m % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `5s ago`, `in 2m 3s`, `now`. @param {string | null | undefined} iso */
export function ago(iso) {
  if (!iso) return '-';
  const delta = Date.now() - Date.parse(iso);
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `${duration(delta)} ago` : `in ${duration(-delta)}`;
}

/** A relative time that refreshTimes() keeps current, with the full time as its title. @param {string | null | undefined} iso */
export function timeCell(iso) {
  return iso ? h('time', { datetime: iso, title: dateTime(iso), text: ago(iso) }) : '-';
}

/** @param {ParentNode} root */
export function refreshTimes(root) {
  root.querySelectorAll('time[datetime]').forEach((el) => {
    el.textContent = ago(el.getAttribute('datetime'));
  });
}

/** @param {TaskState} state */
export function badge(state) {
  return h('span', { class: 'badge', 'data-state': state, text: stateLabel(state) });
}

/** @param {unknown} value */
export function pretty(value) {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

/** @param {number | null | undefined} n */
export function bytes(n) {
  if (n === null || n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}
