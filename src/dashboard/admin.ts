/** The dashboard script, part 4: workers and the dead-letter queue. */
export const ADMIN_JS = String.raw`
VIEWS.workers = function (main) {
  var sub = scope();
  var summary = h('span', { class: 'muted' });
  var box = h('div', { class: 'table-wrap' }, h('p', { class: 'muted', text: 'Loading…' }));
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Workers' }), h('span', { class: 'spacer' }), summary),
    h('section', { class: 'panel', 'aria-label': 'Workers' }, box),
  ]);
  function slots(w) {
    var el = h('span', { class: 'slots', 'aria-hidden': 'true' });
    for (var i = 0; i < Math.min(w.concurrency, 32); i++) el.appendChild(h('i', { class: i < w.running ? 'busy' : null }));
    return [el, w.running + ' / ' + w.concurrency];
  }
  function render(list) {
    var workers = list.workers.slice().sort(function (a, b) { return (b.connected - a.connected) || (a.name < b.name ? -1 : 1); });
    var connected = workers.filter(function (w) { return w.connected; });
    var busy = connected.reduce(function (n, w) { return n + Math.min(w.running, w.concurrency); }, 0);
    var total = connected.reduce(function (n, w) { return n + w.concurrency; }, 0);
    summary.textContent = connected.length + ' connected · ' + busy + ' of ' + total + ' slots busy';
    clear(box);
    if (!workers.length) { box.appendChild(h('p', { class: 'empty', text: 'No workers connected. Start one: tq worker start --broker HOST:PORT' })); return; }
    box.appendChild(h('table', null,
      h('caption', { class: 'sr-only', text: 'Workers' }),
      h('thead', null, h('tr', null, ['Name', 'Status', 'Host', 'Queues', 'Slots', 'Connected', 'Last heartbeat', 'CPU', 'Memory', 'Id'].map(function (t) {
        return h('th', { scope: 'col', class: t === 'CPU' || t === 'Memory' ? 'num' : null, text: t });
      }))),
      h('tbody', null, workers.map(function (w) {
        return h('tr', null,
          h('td', { text: w.name }),
          h('td', null, h('span', { class: 'badge', 'data-state': w.connected ? 'succeeded' : 'cancelled', text: w.connected ? 'Connected' : 'Gone' })),
          h('td', { text: (w.host || '-') + (w.pid ? ' (pid ' + w.pid + ')' : '') }),
          h('td', null, w.queues.map(function (q) { return h('span', { class: 'chip', text: q }); })),
          h('td', null, slots(w)),
          h('td', null, timeCell(w.connectedAt)),
          h('td', null, timeCell(w.lastHeartbeatAt)),
          h('td', { class: 'num', text: w.cpu === null ? '-' : Math.round(w.cpu * 100) + '%' }),
          h('td', { class: 'num', text: bytes(w.memoryBytes) }),
          h('td', { class: 'mono muted', text: w.id }));
      }))));
  }
  function load() { return api('GET', '/workers').then(render, function (err) { toast(err.message, 'error'); }); }
  sub.on('stats', load);
  sub.on('resync', load);
  load();
  return { title: 'Workers', unmount: sub.off };
};

VIEWS.dlq = function (main, route) {
  var sub = scope();
  var queue = route.params.queue || '';
  var filter = { state: 'dead', queue: queue };
  var selected = {};
  var cursor = null;
  var replaySelected = h('button', { type: 'button', class: 'button', disabled: true, onclick: function (e) {
    var ids = Object.keys(selected);
    act(e.currentTarget, function () { return api('POST', '/dlq/replay', { ids: ids }); }, function (r) {
      selected = {};
      updateSelection();
      return 'Replayed ' + r.count + ' task' + (r.count === 1 ? '' : 's');
    }).then(updateSelection);
  } });
  var replayAll = h('button', { type: 'button', class: 'button primary', text: queue ? 'Replay all in ' + queue : 'Replay all', onclick: function (e) {
    var button = e.currentTarget;
    confirmAction('Replay dead tasks?', 'Every dead task' + (queue ? ' of queue ' + queue : '') + ' goes back to its queue with its attempts reset.', 'Replay all').then(function (yes) {
      if (!yes) return;
      var total = 0;
      function step(round) {
        return api('POST', '/dlq/replay', queue ? { queue: queue } : {}).then(function (r) {
          total += r.count;
          return r.more && r.count > 0 && round < 100 ? step(round + 1) : total;
        });
      }
      act(button, function () { return step(0); }, function (n) { return 'Replayed ' + n + ' task' + (n === 1 ? '' : 's'); });
    });
  } });
  function updateSelection() {
    var n = Object.keys(selected).length;
    replaySelected.disabled = n === 0;
    replaySelected.textContent = n ? 'Replay ' + n + ' selected' : 'Replay selected';
  }
  updateSelection();
  var columns = [
    { label: 'Select', render: function (t) {
      return h('input', { type: 'checkbox', checked: !!selected[t.id], 'aria-label': 'Select task ' + t.id, onchange: function (e) {
        if (e.currentTarget.checked) selected[t.id] = true; else delete selected[t.id];
        updateSelection();
      } });
    } },
    TASK_COLUMNS[0], TASK_COLUMNS[1], TASK_COLUMNS[2],
    { title: 'Attempts', num: true, render: function (t) { return String(t.attempts); } },
    { title: 'Died', render: function (t) { return timeCell(t.finishedAt); } },
    { title: 'Last error', cls: 'error', render: function (t) { return t.lastError ? h('span', { title: t.lastError, text: t.lastError }) : ''; } },
    { label: 'Actions', render: function (t) {
      return h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button small', text: 'Replay', 'aria-label': 'Replay task ' + t.id, onclick: function (e) {
        act(e.currentTarget, function () { return api('POST', '/dlq/replay', { ids: [t.id] }); }, 'Replayed ' + t.id);
      } }));
    } },
  ];
  var table = liveTaskTable({ columns: columns, caption: 'Dead tasks, most recent first', emptyText: 'The dead-letter queue is empty.' });
  var more = h('button', { type: 'button', class: 'button', text: 'Load more', hidden: true, onclick: function (e) { load(true, e.currentTarget); } });
  var queueSelect = h('select', { id: 'dlq-queue', onchange: function () { location.hash = '#/dlq' + query({ queue: queueSelect.value }); } },
    h('option', { value: '', text: 'all queues' }));
  function fillQueues() {
    var have = Array.prototype.map.call(queueSelect.options, function (o) { return o.value; });
    var names = queueNames();
    if (queue && names.indexOf(queue) < 0) names.push(queue);
    names.forEach(function (n) { if (have.indexOf(n) < 0) queueSelect.appendChild(h('option', { value: n, text: n, selected: n === queue })); });
  }
  fillQueues();
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Dead-letter queue' }), h('span', { class: 'spacer' }),
      h('span', { class: 'muted', text: 'tasks that used up their retries' })),
    h('section', { class: 'panel' }, h('div', { class: 'filters' }, h('label', null, 'Queue', queueSelect), h('span', { class: 'spacer' }), replaySelected, replayAll)),
    h('section', { class: 'panel', 'aria-label': 'Dead tasks' }, table.element, h('div', { class: 'actions' }, more)),
  ]);
  function load(append, button) {
    if (button) button.disabled = true;
    return api('GET', '/dlq' + query({ queue: queue, limit: 100, cursor: append ? cursor : null })).then(function (page) {
      table.set(page.tasks, append);
      cursor = page.nextCursor;
      more.hidden = !cursor;
    }, function (err) { toast(err.message, 'error'); }).then(function () { if (button) button.disabled = false; });
  }
  sub.on('task', function (batch) {
    batch.forEach(function (ev) {
      var wanted = matches(filter, ev.task);
      if (!wanted && selected[ev.task.id]) { delete selected[ev.task.id]; updateSelection(); }
      table.apply(ev, wanted);
    });
  });
  sub.on('stats', function () { fillQueues(); refreshTimes(main); });
  sub.on('resync', function () { load(false); });
  load(false);
  return { title: 'Dead-letter queue', unmount: sub.off };
};
`;
