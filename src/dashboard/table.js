// @ts-check
/**
 * A table of tasks kept up to date from task events, rows updated in place so focus stays put;
 * and the columns the task list and the dead-letter queue share.
 * @import { Task, TaskEvent, TaskPage, TaskState } from './types.js'
 * @import { Child } from './types.js'
 */
import { append, clear, h, targetOf } from './dom.js';
import { badge, timeCell } from './format.js';
import { priorityText } from './rules.js';
import { taskActions, toast } from './ui.js';

const MAX_ROWS = 500;

/**
 * A column has a title, or only a label for screen readers.
 * @typedef {{ title?: string, label?: string, num?: boolean, cls?: string, render: (task: Task) => Child }} Column
 * @typedef {{ state?: TaskState | '', queue?: string, type?: string }} Filter
 */

/**
 * @param {Filter} filter
 * @param {Task} task
 */
export function matches(filter, task) {
  return (!filter.state || task.state === filter.state) && (!filter.queue || task.queue === filter.queue) && (!filter.type || task.type === filter.type);
}

/** @param {string | null} text */
const errorCell = (text) => (text ? h('span', { title: text, text }) : '');

/** @type {Record<'id' | 'type' | 'queue' | 'priority' | 'state' | 'attempts' | 'created' | 'updated' | 'lastError' | 'actions', Column>} */
export const COLUMNS = {
  id: { title: 'Id', cls: 'id', render: (t) => h('a', { href: `#/tasks/${encodeURIComponent(t.id)}`, text: t.id, 'aria-label': `Task ${t.id} (${t.type})` }) },
  type: { title: 'Type', render: (t) => t.type },
  queue: { title: 'Queue', render: (t) => t.queue },
  priority: { title: 'Priority', num: true, render: (t) => priorityText(t.priority) },
  state: { title: 'State', render: (t) => [badge(t.state), t.progress && t.state === 'running' ? h('span', { class: 'muted', text: ` ${Math.round(t.progress.fraction * 100)}%` }) : null] },
  attempts: { title: 'Attempts', num: true, render: (t) => `${t.attempts} / ${t.maxRetries + 1}` },
  created: { title: 'Created', render: (t) => timeCell(t.createdAt) },
  updated: { title: 'Updated', render: (t) => timeCell(t.updatedAt) },
  lastError: { title: 'Last error', cls: 'error', render: (t) => errorCell(t.lastError) },
  actions: { label: 'Actions', render: (t) => taskActions(t) },
};

/** @typedef {{ task: Task, key: string, tr: HTMLTableRowElement, cells: HTMLTableCellElement[] }} Row */

/**
 * @param {{ columns: Column[], caption: string, emptyText: string }} options
 */
export function liveTaskTable(options) {
  /** @type {Map<string, Row>} */
  const rows = new Map();
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', text: options.emptyText });
  const table = h('table', null,
    h('caption', { class: 'sr-only', text: options.caption }),
    h('thead', null, h('tr', null, options.columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.title ? c.title : h('span', { class: 'sr-only', text: c.label }))))),
    tbody);
  const box = h('div', { class: 'table-wrap' }, table, empty);
  function sync() {
    empty.hidden = tbody.children.length > 0;
    table.hidden = tbody.children.length === 0;
  }
  /** @param {Row} row */
  function fill(row) {
    const key = `${row.task.state}|${row.task.cancelRequested}|${row.task.updatedAt}`;
    if (row.key === key) return;
    row.key = key;
    options.columns.forEach((c, i) => {
      const td = row.cells[i];
      const focused = td.contains(document.activeElement);
      append(clear(td), c.render(row.task));
      if (focused) {
        const next = /** @type {HTMLElement | null} */ (td.querySelector('button, a') || row.tr.querySelector('a'));
        if (next) next.focus();
      }
    });
  }
  /** @param {Task} task */
  function makeRow(task) {
    const cells = options.columns.map((c) => h('td', { class: c.cls || (c.num ? 'num' : null) }));
    /** @type {Row} */
    const row = { task, key: '', cells, tr: h('tr', { 'data-id': task.id }, cells) };
    fill(row);
    rows.set(task.id, row);
    return row;
  }
  return {
    element: box,
    /**
     * Replaces the rows with a page (or appends it).
     * @param {Task[]} tasks
     * @param {boolean} more
     */
    set(tasks, more) {
      if (!more) {
        clear(tbody);
        rows.clear();
      }
      for (const task of tasks) if (!rows.has(task.id)) tbody.appendChild(makeRow(task).tr);
      sync();
    },
    /**
     * A task event: add, update, move to the top, or remove.
     * @param {TaskEvent} ev
     * @param {boolean} wanted whether the task belongs in this table
     */
    apply(ev, wanted) {
      const task = ev.task;
      const row = rows.get(task.id);
      if (ev.change === 'deleted' || !wanted) {
        if (row) {
          row.tr.remove();
          rows.delete(task.id);
        }
      } else if (row) {
        const moved = row.task.state !== task.state;
        row.task = task;
        fill(row);
        if (moved && tbody.firstChild !== row.tr && !row.tr.contains(document.activeElement)) tbody.insertBefore(row.tr, tbody.firstChild);
      } else {
        const fresh = makeRow(task);
        fresh.tr.classList.add('fresh');
        tbody.insertBefore(fresh.tr, tbody.firstChild);
        while (tbody.children.length > MAX_ROWS) {
          const last = /** @type {HTMLTableRowElement} */ (tbody.lastElementChild);
          if (last.contains(document.activeElement)) break;
          rows.delete(last.getAttribute('data-id') ?? '');
          last.remove();
        }
      }
      sync();
    },
  };
}

/**
 * Fills a live table page by page: load(false) the first page again, load(true) the next one
 * (the `more` button does that, and is hidden on the last page).
 * @param {ReturnType<typeof liveTaskTable>} table
 * @param {(cursor: string | null) => Promise<TaskPage>} fetchPage
 */
export function pager(table, fetchPage) {
  /** @type {string | null} */
  let cursor = null;
  const more = h('button', { type: 'button', class: 'button', text: 'Load more', hidden: true, onclick: (e) => void load(true, targetOf(e)) });
  /**
   * @param {boolean} next
   * @param {HTMLButtonElement} [button]
   */
  async function load(next, button) {
    if (button) button.disabled = true;
    try {
      const page = await fetchPage(next ? cursor : null);
      table.set(page.tasks, next);
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (error) {
      toast(/** @type {Error} */ (error).message, 'error');
    }
    if (button) button.disabled = false;
  }
  return { more, load };
}
