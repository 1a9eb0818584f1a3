/** The dashboard script, part 3: the task list (filters, search, live rows) and one task in detail. */
export const TASKS_JS = String.raw`
var MAX_ROWS = 500;
var ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
var NAME_SHAPE = /^[A-Za-z0-9._:-]{1,128}$/;

function refreshTimes(root) {
  root.querySelectorAll('time[datetime]').forEach(function (el) { el.textContent = ago(el.getAttribute('datetime')); });
}
function matches(filter, task) {
  return (!filter.state || task.state === filter.state) && (!filter.queue || task.queue === filter.queue) && (!filter.type || task.type === filter.type);
}

/** A table of tasks kept up to date from task events; rows are updated in place so focus stays put. */
function liveTaskTable(options) {
  var rows = {};
  var tbody = h('tbody');
  var empty = h('p', { class: 'empty', text: options.emptyText });
  var table = h('table', null,
    h('caption', { class: 'sr-only', text: options.caption }),
    h('thead', null, h('tr', null, options.columns.map(function (c) { return h('th', { scope: 'col', class: c.num ? 'num' : null }, c.title ? c.title : h('span', { class: 'sr-only', text: c.label })); }))),
    tbody);
  var box = h('div', { class: 'table-wrap' }, table, empty);
  function sync() { empty.hidden = tbody.children.length > 0; table.hidden = tbody.children.length === 0; }
  function fill(row) {
    var key = row.task.state + '|' + row.task.cancelRequested + '|' + row.task.updatedAt;
    if (row.key === key) return;
    row.key = key;
    options.columns.forEach(function (c, i) {
      var td = row.cells[i];
      var focused = td.contains(document.activeElement);
      clear(td);
      append(td, c.render(row.task));
      if (focused) { var next = td.querySelector('button, a') || row.tr.querySelector('a'); if (next) next.focus(); }
    });
  }
  function makeRow(task) {
    var row = { task: task, cells: options.columns.map(function (c) { return h('td', { class: c.cls || (c.num ? 'num' : null) }); }) };
    row.tr = h('tr', { 'data-id': task.id }, row.cells);
    fill(row);
    return row;
  }
  return {
    element: box,
    rows: rows,
    /** Replaces the rows with a page (or appends it). */
    set: function (tasks, more) {
      if (!more) { clear(tbody); for (var k in rows) delete rows[k]; }
      tasks.forEach(function (task) {
        if (rows[task.id]) return;
        var row = rows[task.id] = makeRow(task);
        tbody.appendChild(row.tr);
      });
      sync();
    },
    /** A task event: add, update, move to the top, or remove. */
    apply: function (ev, wanted) {
      var task = ev.task;
      var row = rows[task.id];
      if (ev.change === 'deleted' || !wanted) {
        if (row) { row.tr.remove(); delete rows[task.id]; }
        sync();
        return;
      }
      if (row) {
        var moved = row.task.state !== task.state;
        row.task = task;
        fill(row);
        if (moved && tbody.firstChild !== row.tr && !row.tr.contains(document.activeElement)) tbody.insertBefore(row.tr, tbody.firstChild);
      } else {
        row = rows[task.id] = makeRow(task);
        row.tr.classList.add('fresh');
        tbody.insertBefore(row.tr, tbody.firstChild);
        while (tbody.children.length > MAX_ROWS) {
          var last = tbody.lastChild;
          if (last.contains(document.activeElement)) break;
          delete rows[last.getAttribute('data-id')];
          last.remove();
        }
      }
      sync();
    },
  };
}

var TASK_COLUMNS = [
  { title: 'Id', cls: 'id', render: function (t) { return h('a', { href: '#/tasks/' + encodeURIComponent(t.id), text: t.id, 'aria-label': 'Task ' + t.id + ' (' + t.type + ')' }); } },
  { title: 'Type', render: function (t) { return t.type; } },
  { title: 'Queue', render: function (t) { return t.queue; } },
  { title: 'Priority', num: true, render: function (t) { return priorityText(t.priority); } },
  { title: 'State', render: function (t) { return [badge(t.state), t.progress && t.state === 'running' ? h('span', { class: 'muted', text: ' ' + Math.round(t.progress.fraction * 100) + '%' }) : null]; } },
  { title: 'Attempts', num: true, render: function (t) { return t.attempts + ' / ' + (t.maxRetries + 1); } },
  { title: 'Created', render: function (t) { return timeCell(t.createdAt); } },
  { title: 'Updated', render: function (t) { return timeCell(t.updatedAt); } },
  { title: 'Last error', cls: 'error', render: function (t) { return t.lastError ? h('span', { title: t.lastError, text: t.lastError }) : ''; } },
  { label: 'Actions', render: function (t) { return taskActions(t); } },
];

VIEWS.tasks = function (main, route) {
  var sub = scope();
  var filter = { state: route.params.state || '', queue: route.params.queue || '', type: route.params.type || '' };
  var cursor = null;
  var search = h('input', { type: 'search', id: 'task-search', name: 'q', placeholder: 'task id, or a type such as echo', value: filter.type, autocomplete: 'off', spellcheck: 'false' });
  var stateSelect = h('select', { id: 'filter-state', name: 'state' }, h('option', { value: '', text: 'any state' }), STATES.map(function (st) { return h('option', { value: st, text: STATE_LABELS[st], selected: st === filter.state }); }));
  var queueSelect = h('select', { id: 'filter-queue', name: 'queue' }, h('option', { value: '', text: 'any queue' }));
  function fillQueues() {
    var names = queueNames();
    if (filter.queue && names.indexOf(filter.queue) < 0) names.push(filter.queue);
    var have = Array.prototype.map.call(queueSelect.options, function (o) { return o.value; });
    names.forEach(function (n) { if (have.indexOf(n) < 0) queueSelect.appendChild(h('option', { value: n, text: n, selected: n === filter.queue })); });
  }
  fillQueues();
  var table = liveTaskTable({ columns: TASK_COLUMNS, caption: 'Tasks, most recent change first', emptyText: 'No tasks match.' });
  var more = h('button', { type: 'button', class: 'button', text: 'Load more', hidden: true, onclick: function (e) { load(true, e.currentTarget); } });
  var summary = h('span', { class: 'muted' });
  var form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter tasks', onsubmit: function (e) {
    e.preventDefault();
    var q = search.value.trim();
    var next = { state: stateSelect.value, queue: queueSelect.value, type: '' };
    if (ID_SHAPE.test(q)) {
      api('GET', '/tasks/' + encodeURIComponent(q)).then(function () { location.hash = '#/tasks/' + encodeURIComponent(q); }, function (err) {
        toast(err.status === 404 ? 'No task ' + q + ': it may have been deleted by retention.' : err.message, 'error');
      });
      return;
    }
    if (q && !NAME_SHAPE.test(q)) { toast('Search for a task id, or a type name (letters, digits and . _ : -).', 'error'); return; }
    next.type = q;
    location.hash = '#/tasks' + query(next);
  } },
    h('label', null, 'Search by id or type', search),
    h('label', null, 'State', stateSelect),
    h('label', null, 'Queue', queueSelect),
    h('button', { type: 'submit', class: 'button primary', text: 'Search' }),
    h('button', { type: 'button', class: 'button', text: 'Clear', onclick: function () { location.hash = '#/tasks'; } }));
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Tasks' }), h('span', { class: 'spacer' }), summary),
    h('section', { class: 'panel' }, form),
    h('section', { class: 'panel', 'aria-label': 'Task list' }, table.element, h('div', { class: 'actions' }, more)),
  ]);
  stateSelect.addEventListener('change', function () { form.requestSubmit(); });
  queueSelect.addEventListener('change', function () { form.requestSubmit(); });
  function describe() {
    var parts = [];
    if (filter.state) parts.push(STATE_LABELS[filter.state].toLowerCase());
    if (filter.type) parts.push('type ' + filter.type);
    if (filter.queue) parts.push('queue ' + filter.queue);
    summary.textContent = (parts.length ? parts.join(', ') + ' · ' : '') + 'live';
  }
  function load(append, button) {
    var params = { state: filter.state, queue: filter.queue, type: filter.type, limit: 100, cursor: append ? cursor : null };
    if (button) button.disabled = true;
    return api('GET', '/tasks' + query(params)).then(function (page) {
      table.set(page.tasks, append);
      cursor = page.nextCursor;
      more.hidden = !cursor;
    }, function (err) { toast(err.message, 'error'); }).then(function () { if (button) button.disabled = false; });
  }
  sub.on('task', function (batch) { batch.forEach(function (ev) { table.apply(ev, matches(filter, ev.task)); }); });
  sub.on('stats', function () { fillQueues(); refreshTimes(main); });
  sub.on('resync', function () { load(false); });
  describe();
  load(false);
  var onKey = function (e) {
    if (e.key === '/' && document.activeElement.tagName !== 'INPUT' && document.activeElement.tagName !== 'SELECT') { e.preventDefault(); search.focus(); }
  };
  document.addEventListener('keydown', onKey);
  return { title: 'Tasks', unmount: function () { sub.off(); document.removeEventListener('keydown', onKey); } };
};

function workerLabel(workers, id) {
  var w = workers[id];
  return w ? w.name + (w.host ? ' on ' + w.host : '') + (w.pid ? ' (pid ' + w.pid + ')' : '') : id;
}

function timeline(task, workers) {
  var items = [];
  function item(state, text, when, why) {
    items.push(h('li', { 'data-state': state }, h('span', { text: text }), when ? h('span', { class: 'when' }, timeCell(when), ' · ' + dateTime(when)) : null, why ? h('span', { class: 'why', text: why }) : null));
  }
  item('pending', 'Submitted to ' + task.queue, task.createdAt);
  if (task.runAt && ms(task.runAt) > ms(task.createdAt) && task.history.length === 0 && task.state === 'scheduled') item('scheduled', 'Scheduled to run', task.runAt);
  var earlier = task.attempts - task.history.length;
  if (earlier > 0 && task.history.length) item('waiting', earlier + ' earlier attempt' + (earlier === 1 ? '' : 's') + ' not kept', null);
  task.history.forEach(function (a, i) {
    item('running', 'Attempt ' + a.attempt + ' started on ' + workerLabel(workers, a.workerId), a.startedAt);
    if (a.endedAt) {
      var took = ms(a.endedAt) - ms(a.startedAt);
      var lastOne = i === task.history.length - 1;
      if (a.error) item(lastOne && task.state === 'dead' ? 'dead' : 'failed', 'Attempt ' + a.attempt + ' failed after ' + duration(took), a.endedAt, a.error);
      else item(lastOne && task.state === 'cancelled' ? 'cancelled' : 'succeeded', 'Attempt ' + a.attempt + (lastOne && task.state === 'cancelled' ? ' stopped (cancelled) after ' : ' succeeded after ') + duration(took), a.endedAt);
    }
  });
  if (task.state === 'failed' && task.runAt) item('failed', 'Next attempt after backoff', task.runAt);
  if (task.cancelRequested && task.state === 'running') item('cancelled', 'Cancel requested: waiting for the worker to report', task.updatedAt);
  if (task.state === 'dead') item('dead', 'Moved to the dead-letter queue', task.finishedAt);
  if (task.state === 'cancelled' && !(task.history.length && task.history[task.history.length - 1].endedAt === task.finishedAt)) item('cancelled', 'Cancelled', task.finishedAt);
  if (task.state === 'pending' && task.history.length === 0) item('pending', 'Waiting for a worker', null);
  return h('ol', { class: 'timeline' }, items);
}

VIEWS.task = function (main, route) {
  var sub = scope();
  var id = route.id;
  var workers = {};
  var body = h('div', null, h('p', { class: 'muted', text: 'Loading…' }));
  var heading = h('h1', null, 'Task');
  var actionsBox = h('div', { class: 'actions' });
  append(main, [
    h('p', null, h('a', { href: '#/tasks', text: '← All tasks' })),
    h('div', { class: 'view-head' }, heading, h('span', { class: 'spacer' }), actionsBox),
    body,
  ]);
  function fact(label, value) { return h('div', null, h('dt', { text: label }), h('dd', null, value === undefined || value === null || value === '' ? '-' : value)); }
  function render(task) {
    clear(heading);
    append(heading, [task.type + ' ', h('span', { class: 'muted mono', text: task.id }), ' ', badge(task.state)]);
    var focused = actionsBox.contains(document.activeElement);
    clear(actionsBox).appendChild(taskActions(task));
    if (focused) { var b = actionsBox.querySelector('button'); if (b) b.focus(); }
    var lease = task.lease
      ? [workerLabel(workers, task.lease.workerId), h('br'), h('span', { class: 'muted', text: 'token ' + task.lease.token + ' · expires ' }), timeCell(task.lease.expiresAt)]
      : null;
    var progress = task.progress
      ? [h('span', { class: 'progress' }, h('span', { 'data-fraction': task.progress.fraction })), Math.round(task.progress.fraction * 100) + '%', task.progress.message ? ' ' + task.progress.message : '']
      : null;
    var attemptRows = task.history.slice().reverse().map(function (a) {
      return h('tr', null,
        h('td', { class: 'num', text: a.attempt }),
        h('td', { text: workerLabel(workers, a.workerId) }),
        h('td', null, timeCell(a.startedAt)),
        h('td', { text: a.endedAt ? duration(ms(a.endedAt) - ms(a.startedAt)) : 'running' }),
        h('td', { class: 'error' }, a.error ? h('span', { title: a.error, text: a.error }) : h('span', { class: 'muted', text: a.endedAt ? 'ok' : '' })));
    });
    clear(body);
    append(body, [
      h('section', { class: 'panel', 'aria-label': 'Fields' }, h('dl', { class: 'facts' },
        fact('Queue', h('a', { href: '#/tasks?queue=' + encodeURIComponent(task.queue), text: task.queue })),
        fact('Priority', priorityText(task.priority)),
        fact('Attempts', task.attempts + ' of ' + (task.maxRetries + 1) + ' allowed'),
        fact('Timeout', duration(task.timeoutMs)),
        fact('Created', dateTime(task.createdAt)),
        fact('Run at', task.runAt ? dateTime(task.runAt) : null),
        fact('Started', task.startedAt ? dateTime(task.startedAt) : null),
        fact('Finished', task.finishedAt ? dateTime(task.finishedAt) : null),
        fact('Updated', timeCell(task.updatedAt)),
        fact('Lease holder', lease),
        fact('Progress', progress),
        fact('Idempotency key', task.idempotencyKey),
        fact('Tags', task.tags.length ? task.tags.map(function (t) { return h('span', { class: 'chip', text: t }); }) : null),
        fact('Backoff', duration(task.backoffBaseMs) + ' doubling, at most ' + duration(task.backoffCapMs)),
        task.cancelRequested && task.state === 'running' ? fact('Cancel requested', 'yes: the worker is told to stop') : null)),
      task.lastError ? h('section', { class: 'panel', 'aria-labelledby': 'error-title' }, h('div', { class: 'panel-head' }, h('h2', { id: 'error-title', text: 'Last error' })), h('pre', { class: 'block error', text: task.lastError })) : null,
      h('div', { class: 'grid2' },
        h('section', { class: 'panel', 'aria-labelledby': 'payload-title' },
          h('div', { class: 'panel-head' }, h('h2', { id: 'payload-title', text: 'Payload' })),
          h('pre', { class: 'block', tabindex: '0', text: task.payload === null || task.payload === undefined ? 'null' : pretty(task.payload) }),
          h('div', { class: 'panel-head' }, h('h2', { id: 'result-title', text: 'Result' })),
          h('pre', { class: 'block', tabindex: '0', 'aria-labelledby': 'result-title', text: task.result !== null && task.result !== undefined ? pretty(task.result) : task.state === 'succeeded' ? 'null' : ['dead', 'cancelled'].indexOf(task.state) >= 0 ? '(none)' : '(none yet)' })),
        h('section', { class: 'panel', 'aria-labelledby': 'timeline-title' },
          h('div', { class: 'panel-head' }, h('h2', { id: 'timeline-title', text: 'Timeline' })),
          timeline(task, workers))),
      h('section', { class: 'panel', 'aria-labelledby': 'attempts-title' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'attempts-title', text: 'Attempts' })),
        attemptRows.length
          ? h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, h('tr', null,
              h('th', { scope: 'col', class: 'num', text: '#' }), h('th', { scope: 'col', text: 'Worker' }), h('th', { scope: 'col', text: 'Started' }),
              h('th', { scope: 'col', text: 'Ran for' }), h('th', { scope: 'col', text: 'Error' }))), h('tbody', null, attemptRows)))
          : h('p', { class: 'empty', text: ['succeeded', 'dead', 'cancelled'].indexOf(task.state) >= 0 ? 'It never ran.' : 'Not run yet.' })),
    ]);
    body.querySelectorAll('[data-fraction]').forEach(function (el) { el.style.width = Math.round(Number(el.getAttribute('data-fraction')) * 100) + '%'; });
  }
  var timer = null;
  function load() {
    return api('GET', '/tasks/' + encodeURIComponent(id)).then(render, function (err) {
      clear(actionsBox);
      clear(body).appendChild(h('p', { class: 'notice', text: err.status === 404 ? 'No task ' + id + ': the id is wrong, or retention deleted the task.' : err.message }));
    });
  }
  function loadSoon() { if (!timer) timer = setTimeout(function () { timer = null; load(); }, 150); }
  api('GET', '/workers').then(function (list) { list.workers.forEach(function (w) { workers[w.id] = w; }); }, function () {}).then(load);
  sub.on('task', function (batch) {
    batch.forEach(function (ev) {
      if (ev.task.id !== id) return;
      if (ev.change === 'deleted') { clear(actionsBox); clear(body).appendChild(h('p', { class: 'notice', text: 'This task was deleted (retention, a purge or a drain).' })); }
      else loadSoon();
    });
  });
  sub.on('stats', function () { refreshTimes(main); });
  sub.on('resync', load);
  return { title: 'Task ' + id, unmount: function () { sub.off(); if (timer) clearTimeout(timer); } };
};
`;
