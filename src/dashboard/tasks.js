// @ts-check
/**
 * The task list: filters by state, queue and type, search by id or type, live rows, load more.
 * @import { TaskState } from './types.js'
 * @import { View } from './router.js'
 */
import { ApiError, getTask, listTasks, query } from './api.js';
import { append, h } from './dom.js';
import { refreshTimes, stateLabel } from './format.js';
import { fillQueues, scope } from './live.js';
import { isName, states } from './rules.js';
import { COLUMNS, liveTaskTable, matches, pager } from './table.js';
import { toast } from './ui.js';

/** A task id (UUIDv7): searched for as an id, anything else as a type name. */
const ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @type {View} */
export function tasksView(main, route) {
  const sub = scope();
  const filter = { state: /** @type {TaskState | ''} */ (route.params.state || ''), queue: route.params.queue || '', type: route.params.type || '' };
  const search = h('input', { type: 'search', id: 'task-search', name: 'q', placeholder: 'task id, or a type such as echo', value: filter.type, autocomplete: 'off', spellcheck: 'false' });
  const stateSelect = h('select', { id: 'filter-state', name: 'state' }, h('option', { value: '', text: 'any state' }), states().map((st) => h('option', { value: st, text: stateLabel(st), selected: st === filter.state })));
  const queueSelect = h('select', { id: 'filter-queue', name: 'queue' }, h('option', { value: '', text: 'any queue' }));
  fillQueues(queueSelect, filter.queue);
  const c = COLUMNS;
  const table = liveTaskTable({ columns: [c.id, c.type, c.queue, c.priority, c.state, c.attempts, c.created, c.updated, c.lastError, c.actions], caption: 'Tasks, most recent change first', emptyText: 'No tasks match.' });
  const { more, load } = pager(table, (cursor) => listTasks({ ...filter, limit: 100, cursor }));
  const summary = h('span', { class: 'muted' });
  const form = h('form', {
    class: 'filters',
    role: 'search',
    'aria-label': 'Filter tasks',
    onsubmit: (e) => {
      e.preventDefault();
      const q = search.value.trim();
      if (ID_SHAPE.test(q)) {
        getTask(q).then(
          () => { location.hash = `#/tasks/${encodeURIComponent(q)}`; },
          (err) => toast(err instanceof ApiError && err.status === 404 ? `No task ${q}: it may have been deleted by retention.` : err.message, 'error'),
        );
        return;
      }
      if (q && !isName(q)) {
        toast('Search for a task id, or a type name (letters, digits and . _ : -).', 'error');
        return;
      }
      location.hash = `#/tasks${query({ state: stateSelect.value, queue: queueSelect.value, type: q })}`;
    },
  },
    h('label', null, 'Search by id or type', search),
    h('label', null, 'State', stateSelect),
    h('label', null, 'Queue', queueSelect),
    h('button', { type: 'submit', class: 'button primary', text: 'Search' }),
    h('button', { type: 'button', class: 'button', text: 'Clear', onclick: () => { location.hash = '#/tasks'; } }));
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Tasks' }), h('span', { class: 'spacer' }), summary),
    h('section', { class: 'panel' }, form),
    h('section', { class: 'panel', 'aria-label': 'Task list' }, table.element, h('div', { class: 'actions' }, more)),
  ]);
  stateSelect.addEventListener('change', () => form.requestSubmit());
  queueSelect.addEventListener('change', () => form.requestSubmit());
  const parts = [];
  if (filter.state) parts.push(stateLabel(filter.state).toLowerCase());
  if (filter.type) parts.push(`type ${filter.type}`);
  if (filter.queue) parts.push(`queue ${filter.queue}`);
  summary.textContent = `${parts.length ? `${parts.join(', ')} · ` : ''}live`;

  sub.on('task', (batch) => {
    for (const ev of batch) table.apply(ev, matches(filter, ev.task));
  });
  sub.on('stats', () => {
    fillQueues(queueSelect, filter.queue);
    refreshTimes(main);
  });
  sub.on('resync', () => void load(false));
  void load(false);
  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    const tag = document.activeElement ? document.activeElement.tagName : '';
    if (e.key === '/' && tag !== 'INPUT' && tag !== 'SELECT') {
      e.preventDefault();
      search.focus();
    }
  };
  document.addEventListener('keydown', onKey);
  return {
    title: 'Tasks',
    unmount() {
      sub.off();
      document.removeEventListener('keydown', onKey);
    },
  };
}
