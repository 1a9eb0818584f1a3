/** The dashboard script, part 2: the overview (totals, depth chart, throughput, queues) and its SVG charts. */
export const OVERVIEW_JS = String.raw`
var PALETTE = ['#2563eb', '#0e8a8a', '#c76a00', '#7c4dd6', '#c4262e', '#18794e', '#d6409f', '#5d6675', '#8a6d00', '#0072b2'];
function colorOf(name, names) {
  var i = names.indexOf(name);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}
function niceMax(v) {
  if (v <= 4) return 4;
  var p = Math.pow(10, Math.floor(Math.log10(v)));
  var steps = [1, 2, 2.5, 5, 10];
  for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
  return 10 * p;
}

/**
 * An SVG chart of series over time. series: [{name, color, points: [[t, v], ...]}]; stacked draws
 * areas on top of each other (depth), otherwise lines (rates).
 */
function drawChart(container, series, options) {
  var width = Math.max(320, container.clientWidth || 640);
  var height = options.height || 220;
  var left = 44, right = 12, top = 10, bottom = 24;
  var now = Date.now();
  var t0 = now - (options.spanMs || 15 * 60000);
  var first = Infinity;
  series.forEach(function (ser) { if (ser.points.length) first = Math.min(first, ser.points[0][0]); });
  if (first !== Infinity) t0 = Math.max(t0, Math.min(first, now - 60000));
  var stackTotals = {};
  var max = 0;
  series.forEach(function (ser) {
    ser.points.forEach(function (p) {
      if (options.stacked) { stackTotals[p[0]] = (stackTotals[p[0]] || 0) + p[1]; max = Math.max(max, stackTotals[p[0]]); }
      else max = Math.max(max, p[1]);
    });
  });
  var yMax = options.stacked ? niceMax(max) : Math.max(niceMax(max), 1);
  var x = function (t) { return left + ((t - t0) / (now - t0)) * (width - left - right); };
  var y = function (v) { return top + (1 - v / yMax) * (height - top - bottom); };
  var svg = s('svg', { class: 'chart', viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img', 'aria-label': options.label });
  for (var i = 0; i <= 4; i++) {
    var v = (yMax / 4) * i;
    svg.appendChild(s('line', { class: 'grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    svg.appendChild(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, options.format ? options.format(v) : num(v)));
  }
  var ticks = Math.max(2, Math.min(6, Math.floor((width - left - right) / 90)));
  for (var j = 0; j <= ticks; j++) {
    var t = t0 + ((now - t0) / ticks) * j;
    svg.appendChild(s('text', { x: x(t), y: height - 6, 'text-anchor': j === 0 ? 'start' : j === ticks ? 'end' : 'middle' }, j === ticks ? 'now' : clock(t)));
  }
  svg.appendChild(s('line', { class: 'axis', x1: left, x2: width - right, y1: y(0), y2: y(0) }));
  if (options.stacked) {
    var times = Object.keys(stackTotals).map(Number).sort(function (a, b) { return a - b; });
    var base = {};
    times.forEach(function (t) { base[t] = 0; });
    series.forEach(function (ser) {
      var values = {};
      ser.points.forEach(function (p) { values[p[0]] = p[1]; });
      var upper = times.map(function (t) { return [t, base[t] + (values[t] || 0)]; });
      var lower = times.map(function (t) { return [t, base[t]]; }).reverse();
      times.forEach(function (t) { base[t] += values[t] || 0; });
      if (!upper.length) return;
      var d = 'M' + upper.concat(lower).map(function (p) { return x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join('L') + 'Z';
      svg.appendChild(s('path', { d: d, fill: ser.color, 'fill-opacity': 0.28, stroke: 'none' }));
      var line = 'M' + upper.map(function (p) { return x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join('L');
      svg.appendChild(s('path', { d: line, fill: 'none', stroke: ser.color, 'stroke-width': 1.6 }));
    });
  } else {
    series.forEach(function (ser) {
      if (!ser.points.length) return;
      var d = 'M' + ser.points.map(function (p) { return x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join('L');
      svg.appendChild(s('path', { d: d, fill: 'none', stroke: ser.color, 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));
    });
  }
  if (first === Infinity) svg.appendChild(s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'collecting samples…'));
  clear(container).appendChild(svg);
}

var DEPTH_MODES = [
  { key: 'active', label: 'All waiting + running', states: ['pending', 'scheduled', 'running', 'failed'] },
  { key: 'pending', label: 'Pending', states: ['pending'] },
  { key: 'running', label: 'Running', states: ['running'] },
  { key: 'scheduled', label: 'Scheduled', states: ['scheduled'] },
  { key: 'failed', label: 'Retrying', states: ['failed'] },
];

VIEWS.overview = function (main) {
  var sub = scope();
  var mode = DEPTH_MODES[0];
  var cards = h('div', { class: 'cards', 'aria-label': 'Totals' });
  var depthChart = h('div', { class: 'chart-box' });
  var depthLegend = h('div', { class: 'legend' });
  var rateChart = h('div', { class: 'chart-box' });
  var rateLegend = h('div', { class: 'legend' });
  var queuesBox = h('div', { class: 'table-wrap' });
  var modeButtons = DEPTH_MODES.map(function (m) {
    return h('button', { type: 'button', 'aria-pressed': m === mode ? 'true' : 'false', text: m.label, onclick: function () {
      mode = m;
      modeButtons.forEach(function (b, i) { b.setAttribute('aria-pressed', DEPTH_MODES[i] === mode ? 'true' : 'false'); });
      renderCharts();
    } });
  });
  append(main, [
    h('div', { class: 'view-head' }, h('h1', { text: 'Overview' }), h('span', { class: 'spacer' }), h('span', { class: 'muted', id: 'sampled' })),
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

  function card(label, value, sub, state) {
    return h('div', { class: 'card', 'data-state': state }, h('div', { class: 'label', text: label }), h('div', { class: 'value', text: value }), sub ? h('div', { class: 'sub', text: sub }) : null);
  }
  function renderCards() {
    var stats = store.stats;
    if (!stats) return;
    var last = store.samples[store.samples.length - 1];
    var rates = last ? last.rates : { submitted: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0 };
    var workers = last ? last.workers : { connected: 0, slots: 0, busy: 0 };
    var t = stats.totals;
    clear(cards);
    append(cards, [
      card('Pending', num(t.pending), 'ready to run', 'pending'),
      card('Running', num(t.running), null, 'running'),
      card('Scheduled', num(t.scheduled), 'run later', 'scheduled'),
      card('Retrying', num(t.failed), 'waiting for backoff', 'failed'),
      card('Dead', num(t.dead), 'dead-letter queue', 'dead'),
      card('Succeeded', num(t.succeeded), 'kept for retention', 'succeeded'),
      card('Throughput', rate(rates.succeeded + rates.failed + rates.dead + rates.cancelled) + '/s', 'submitted ' + rate(rates.submitted) + '/s'),
      card('Workers', num(workers.connected), workers.busy + ' of ' + workers.slots + ' slots busy'),
    ]);
    var sampled = byId('sampled');
    if (sampled && last) sampled.textContent = 'updated ' + clock(Date.parse(last.sampledAt));
  }
  function renderCharts() {
    var names = {};
    store.samples.forEach(function (sample) { Object.keys(sample.depth).forEach(function (n) { names[n] = true; }); });
    var queueList = Object.keys(names).sort();
    var series = queueList.map(function (name) {
      return {
        name: name,
        color: colorOf(name, queueList),
        points: store.samples.map(function (sample) {
          var d = sample.depth[name] || {};
          return [Date.parse(sample.sampledAt), mode.states.reduce(function (sum, st) { return sum + (d[st] || 0); }, 0)];
        }),
      };
    });
    drawChart(depthChart, series, { stacked: true, label: 'Tasks per queue (' + mode.label + ') over the last 15 minutes' });
    clear(depthLegend);
    if (!series.length) depthLegend.appendChild(h('span', { class: 'muted', text: 'No queues yet: a queue appears with its first task.' }));
    series.forEach(function (ser) {
      var lastPoint = ser.points[ser.points.length - 1];
      depthLegend.appendChild(h('span', null, h('i', { 'aria-hidden': 'true', 'data-color': ser.color }), ser.name, ' ', h('b', { text: num(lastPoint ? lastPoint[1] : 0) })));
    });
    depthLegend.querySelectorAll('i[data-color]').forEach(function (i) { i.style.background = i.getAttribute('data-color'); });
    var rateSeries = [
      { name: 'submitted', label: 'Submitted', color: '#2563eb', pick: function (r) { return r.submitted; } },
      { name: 'succeeded', label: 'Succeeded', color: '#18794e', pick: function (r) { return r.succeeded; } },
      { name: 'failed', label: 'Failed + dead', color: '#c4262e', pick: function (r) { return r.failed + r.dead; } },
    ].map(function (def) {
      return { name: def.label, color: def.color, points: store.samples.map(function (sample) { return [Date.parse(sample.sampledAt), def.pick(sample.rates)]; }) };
    });
    drawChart(rateChart, rateSeries, { stacked: false, label: 'Tasks per second over the last 15 minutes', format: rate });
    clear(rateLegend);
    rateSeries.forEach(function (ser) {
      var lastPoint = ser.points[ser.points.length - 1];
      var item = h('span', null, h('i', { 'aria-hidden': 'true' }), ser.name, ' ', h('b', { text: rate(lastPoint ? lastPoint[1] : 0) + '/s' }));
      item.querySelector('i').style.background = ser.color;
      rateLegend.appendChild(item);
    });
  }
  function priorityChips(queue) {
    var keys = Object.keys(queue.priorities).map(Number).sort(function (a, b) { return b - a; });
    return keys.map(function (p) {
      var states = queue.priorities[p];
      var parts = ['pending', 'running', 'scheduled', 'failed'].filter(function (st) { return states[st]; }).map(function (st) { return num(states[st]) + ' ' + STATE_LABELS[st].toLowerCase(); });
      if (!parts.length) return null;
      return h('span', { class: 'chip', title: 'priority ' + priorityText(p) }, priorityText(p) + ': ' + parts.join(', '));
    });
  }
  var queueRows = {};
  var table = null;
  function pauseButton(name) {
    return h('button', {
      type: 'button', class: 'button small',
      onclick: function (e) {
        var button = e.currentTarget;
        var paused = button.getAttribute('data-paused') === 'true';
        act(button, function () { return api('POST', '/queues/' + encodeURIComponent(name) + (paused ? '/resume' : '/pause')); }, function (q) {
          setPaused(queueRows[name], q.paused);
          return 'Queue ' + q.name + (q.paused ? ' paused: workers get none of its tasks' : ' resumed');
        });
      },
    });
  }
  function setPaused(row, paused) {
    if (!row) return;
    row.status.setAttribute('data-state', paused ? 'paused' : 'active');
    row.status.textContent = paused ? 'Paused' : 'Active';
    row.button.setAttribute('data-paused', String(paused));
    row.button.textContent = paused ? 'Resume' : 'Pause';
    row.button.className = 'button small' + (paused ? ' primary' : '');
    row.button.setAttribute('aria-label', (paused ? 'Resume' : 'Pause') + ' queue ' + row.name);
  }
  var COLUMNS = ['pending', 'running', 'scheduled', 'failed', 'dead', 'succeeded', 'cancelled'];
  function queueRow(name) {
    var row = { name: name, cells: {}, status: h('span', { class: 'badge' }), priorities: h('td'), oldest: h('td', { class: 'num' }), button: pauseButton(name) };
    COLUMNS.forEach(function (st) { row.cells[st] = h('td', { class: 'num' }); });
    row.tr = h('tr', { 'data-queue': name },
      h('td', null, h('a', { href: '#/tasks?queue=' + encodeURIComponent(name), text: name })),
      h('td', null, row.status),
      COLUMNS.map(function (st) { return row.cells[st]; }),
      row.oldest, row.priorities,
      h('td', null, h('div', { class: 'actions' }, row.button)));
    return row;
  }
  function renderQueues() {
    var stats = store.stats;
    if (!stats) return;
    if (!stats.queues.length) {
      table = null;
      queueRows = {};
      clear(queuesBox).appendChild(h('p', { class: 'empty', text: 'No queues yet. Submit a task: POST /api/v1/tasks or tq submit.' }));
      return;
    }
    if (!table) {
      table = h('tbody');
      clear(queuesBox).appendChild(h('table', null,
        h('caption', { class: 'sr-only', text: 'Queues with their tasks per state' }),
        h('thead', null, h('tr', null,
          ['Queue', 'Status'].map(function (t) { return h('th', { scope: 'col', text: t }); }),
          ['Pending', 'Running', 'Scheduled', 'Retrying', 'Dead', 'Succeeded', 'Cancelled', 'Oldest pending'].map(function (t) { return h('th', { scope: 'col', class: 'num', text: t }); }),
          h('th', { scope: 'col', text: 'By priority' }), h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: 'Actions' })))),
        table));
    }
    var seen = {};
    stats.queues.slice().sort(function (a, b) { return a.name < b.name ? -1 : 1; }).forEach(function (q, index) {
      seen[q.name] = true;
      var row = queueRows[q.name];
      if (!row) { row = queueRows[q.name] = queueRow(q.name); }
      if (table.children[index] !== row.tr) table.insertBefore(row.tr, table.children[index] || null);
      COLUMNS.forEach(function (st) { row.cells[st].textContent = num(q.states[st]); });
      row.oldest.textContent = q.oldestPendingAgeMs === null ? '-' : duration(q.oldestPendingAgeMs);
      append(clear(row.priorities), priorityChips(q));
      if (!row.button.disabled) setPaused(row, q.paused);
    });
    Object.keys(queueRows).forEach(function (name) { if (!seen[name]) { queueRows[name].tr.remove(); delete queueRows[name]; } });
  }
  function renderAll() { renderCards(); renderCharts(); renderQueues(); }
  sub.on('stats', renderAll);
  sub.on('resync', renderAll);
  var onResize = function () { renderCharts(); };
  window.addEventListener('resize', onResize);
  renderAll();
  return { title: 'Overview', unmount: function () { sub.off(); window.removeEventListener('resize', onResize); } };
};
`;
