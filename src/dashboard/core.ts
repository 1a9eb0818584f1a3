/**
 * The dashboard script, part 1: DOM helpers, formatting, the REST calls, the live event stream
 * and the router. Plain browser JavaScript kept as a string (no build step); assets.ts joins the
 * parts into one /assets/app.js inside one function scope. No template literals in here: the
 * string itself is one.
 */
export const CORE_JS = String.raw`
var STATES = ['waiting', 'scheduled', 'pending', 'running', 'succeeded', 'failed', 'dead', 'cancelled'];
var STATE_LABELS = { waiting: 'Waiting', scheduled: 'Scheduled', pending: 'Pending', running: 'Running', succeeded: 'Succeeded', failed: 'Retrying', dead: 'Dead', cancelled: 'Cancelled' };
var PRIORITY_NAMES = { 50: 'low', 100: 'normal', 150: 'high', 200: 'urgent' };
var CANCELLABLE = ['waiting', 'scheduled', 'pending', 'failed', 'running'];
var RETRYABLE = ['dead', 'failed', 'cancelled'];

// ---- DOM -------------------------------------------------------------------
function h(tag, attrs) {
  var el = document.createElement(tag);
  setAttrs(el, attrs);
  for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
  return el;
}
var SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs) {
  var el = document.createElementNS(SVGNS, tag);
  if (attrs) for (var key in attrs) if (attrs[key] !== undefined && attrs[key] !== null) el.setAttribute(key, String(attrs[key]));
  for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
  return el;
}
function setAttrs(el, attrs) {
  if (!attrs) return;
  for (var key in attrs) {
    var value = attrs[key];
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.slice(0, 2) === 'on' && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}
function append(el, child) {
  if (child === undefined || child === null || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
  el.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
function byId(id) { return document.getElementById(id); }

// ---- formatting --------------------------------------------------------------
function num(n) { return n === null || n === undefined ? '-' : Number(n).toLocaleString('en-US'); }
function rate(n) { return n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, '') || '0'; }
function ms(iso) { return iso ? Date.parse(iso) : null; }
function pad(n) { return n < 10 ? '0' + n : String(n); }
function clock(t) { var d = new Date(t); return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
function dateTime(iso) {
  if (!iso) return '-';
  var d = new Date(iso);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + clock(d.getTime());
}
function duration(msValue) {
  if (msValue === null || msValue === undefined || isNaN(msValue)) return '-';
  var v = Math.max(0, msValue);
  if (v < 1000) return Math.round(v) + 'ms';
  if (v < 60000) return (v / 1000).toFixed(v < 10000 ? 1 : 0) + 's';
  var m = Math.floor(v / 60000);
  if (m < 60) return m + 'm ' + Math.floor((v % 60000) / 1000) + 's';
  var hours = Math.floor(m / 60);
  if (hours < 48) return hours + 'h ' + (m % 60) + 'm';
  return Math.floor(hours / 24) + 'd ' + (hours % 24) + 'h';
}
function ago(iso) {
  if (!iso) return '-';
  var delta = Date.now() - Date.parse(iso);
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? duration(delta) + ' ago' : 'in ' + duration(-delta);
}
function timeCell(iso) { return iso ? h('time', { datetime: iso, title: dateTime(iso), text: ago(iso) }) : '-'; }
function priorityText(p) { return PRIORITY_NAMES[p] ? p + ' ' + PRIORITY_NAMES[p] : String(p); }
function badge(state) { return h('span', { class: 'badge', 'data-state': state, text: STATE_LABELS[state] || state }); }
function pretty(value) { return value === undefined ? '' : JSON.stringify(value, null, 2); }
function bytes(n) {
  if (n === null || n === undefined) return '-';
  var units = ['B', 'KiB', 'MiB', 'GiB'];
  var i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
}

// ---- REST ------------------------------------------------------------------------
function api(method, path, body) {
  var init = { method: method, headers: { accept: 'application/json' } };
  if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
  return fetch('/api/v1' + path, init).then(function (res) {
    return res.text().then(function (text) {
      var data = text ? JSON.parse(text) : null;
      if (!res.ok) {
        var err = new Error(data && data.error ? data.error.message : res.status + ' ' + res.statusText);
        err.status = res.status;
        err.code = data && data.error ? data.error.code : null;
        throw err;
      }
      return data;
    });
  });
}
function query(params) {
  var parts = [];
  for (var key in params) if (params[key] !== undefined && params[key] !== null && params[key] !== '') parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(params[key]));
  return parts.length ? '?' + parts.join('&') : '';
}

// ---- messages and confirmation -------------------------------------------------------
function toast(message, kind) {
  var el = h('div', { class: 'toast' + (kind === 'error' ? ' error' : ''), text: message });
  byId('toasts').appendChild(el);
  setTimeout(function () { el.remove(); }, kind === 'error' ? 7000 : 3500);
}
function confirmAction(title, text, yesLabel) {
  var dialog = byId('confirm');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-yes').textContent = yesLabel || 'Confirm';
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(title + '\n' + text));
  return new Promise(function (resolve) {
    dialog.returnValue = '';
    dialog.addEventListener('close', function onClose() {
      dialog.removeEventListener('close', onClose);
      resolve(dialog.returnValue === 'yes');
    });
    dialog.showModal();
    byId('confirm-no').focus();
  });
}
/** Runs an action from a button: disables it meanwhile, reports the outcome. */
function act(button, work, done) {
  if (button) button.disabled = true;
  return Promise.resolve().then(work).then(function (result) {
    if (done) toast(typeof done === 'function' ? done(result) : done);
    return result;
  }, function (err) {
    toast(err.message, 'error');
  }).then(function (result) {
    if (button && button.isConnected) button.disabled = false;
    return result;
  });
}
function cancelTask(task, button) {
  return confirmAction('Cancel task?', 'Cancel ' + task.type + ' task ' + task.id + (task.state === 'running' ? '? It is running: its worker is told to stop, and it ends cancelled when the worker reports.' : '?'), 'Cancel task')
    .then(function (yes) {
      if (!yes) return null;
      return act(button, function () { return api('DELETE', '/tasks/' + encodeURIComponent(task.id)); }, function (t) { return t.state === 'cancelled' ? 'Cancelled ' + t.id : 'Cancel requested for ' + t.id; });
    });
}
function retryTask(task, button) {
  return act(button, function () { return api('POST', '/tasks/' + encodeURIComponent(task.id) + '/retry'); }, 'Retrying ' + task.id);
}
function taskActions(task) {
  var buttons = [];
  if (CANCELLABLE.indexOf(task.state) >= 0 && !task.cancelRequested) {
    buttons.push(h('button', { type: 'button', class: 'button small danger', 'aria-label': 'Cancel task ' + task.id, text: 'Cancel', onclick: function (e) { cancelTask(task, e.currentTarget); } }));
  }
  if (RETRYABLE.indexOf(task.state) >= 0) {
    buttons.push(h('button', { type: 'button', class: 'button small', 'aria-label': 'Retry task ' + task.id, text: 'Retry', onclick: function (e) { retryTask(task, e.currentTarget); } }));
  }
  if (task.cancelRequested && task.state === 'running') buttons.push(h('span', { class: 'muted', text: 'cancelling…' }));
  return h('div', { class: 'actions' }, buttons);
}

// ---- shared state and the live stream -------------------------------------------------
var MAX_SAMPLES = 450;
var store = { stats: null, samples: [], intervalMs: 2000, live: false };
var listeners = { stats: [], task: [], resync: [] };
function on(kind, fn) { listeners[kind].push(fn); return function () { listeners[kind] = listeners[kind].filter(function (f) { return f !== fn; }); }; }
function emit(kind, data) { listeners[kind].slice().forEach(function (fn) { try { fn(data); } catch (e) { console.error(e); } }); }

function addSample(sample) {
  var last = store.samples[store.samples.length - 1];
  if (last && Date.parse(sample.sampledAt) <= Date.parse(last.sampledAt)) return;
  store.samples.push(sample);
  if (store.samples.length > MAX_SAMPLES) store.samples.splice(0, store.samples.length - MAX_SAMPLES);
}
function loadHistory() {
  return api('GET', '/stats/history').then(function (history) {
    store.intervalMs = history.intervalMs;
    store.samples = history.samples.slice(-MAX_SAMPLES);
  });
}
function setLive(on) {
  store.live = on;
  var el = byId('live');
  el.classList.toggle('on', on);
  el.querySelector('.live-text').textContent = on ? 'Live' : 'Reconnecting…';
}
var pendingTasks = [];
var flushScheduled = false;
function flushTasks() {
  flushScheduled = false;
  var batch = pendingTasks;
  pendingTasks = [];
  emit('task', batch);
}
function connect() {
  var source = new EventSource('/api/v1/events');
  var hadError = false;
  source.addEventListener('open', function () {
    setLive(true);
    if (hadError) { hadError = false; loadHistory().then(function () { emit('resync'); }, function () {}); }
  });
  source.addEventListener('error', function () { setLive(false); hadError = true; });
  source.addEventListener('stats', function (e) {
    var data = JSON.parse(e.data);
    store.stats = data.stats;
    addSample(data.sample);
    updateDeadCount();
    emit('stats', data);
  });
  source.addEventListener('task', function (e) {
    pendingTasks.push(JSON.parse(e.data));
    if (!flushScheduled) { flushScheduled = true; requestAnimationFrame(flushTasks); }
  });
  return source;
}
function updateDeadCount() {
  var el = byId('dead-count');
  var dead = store.stats ? store.stats.totals.dead : 0;
  el.hidden = !dead;
  el.textContent = dead > 999 ? '999+' : String(dead);
  el.setAttribute('aria-label', dead + ' dead tasks');
}
function queueNames() { return store.stats ? store.stats.queues.map(function (q) { return q.name; }).sort() : []; }

// ---- router ----------------------------------------------------------------------
var VIEWS = {};
var current = null;
function parseRoute() {
  var hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  var parts = hash.split('?');
  var path = parts[0].split('/').filter(Boolean);
  var params = {};
  (parts[1] || '').split('&').filter(Boolean).forEach(function (pair) { var kv = pair.split('='); params[kv[0]] = decodeURIComponent(kv[1] || ''); });
  if (path[0] === 'tasks' && path[1]) return { view: 'task', id: path.slice(1).join('/'), params: params };
  if (path[0] === 'tasks') return { view: 'tasks', params: params };
  if (path[0] === 'workers') return { view: 'workers', params: params };
  if (path[0] === 'dlq') return { view: 'dlq', params: params };
  return { view: 'overview', params: params };
}
function navigate() {
  var route = parseRoute();
  if (current && current.unmount) current.unmount();
  var main = clear(byId('main'));
  var tab = route.view === 'task' ? 'tasks' : route.view;
  document.querySelectorAll('.tabs a').forEach(function (a) {
    if (a.getAttribute('data-view') === tab) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  var view = VIEWS[route.view];
  current = view(main, route);
  document.title = (current.title || 'tq') + ' · tq dashboard';
  if (navigate.started) { var heading = main.querySelector('h1'); if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); } }
  navigate.started = true;
}
/** A view's subscriptions, dropped when the view goes. */
function scope() {
  var offs = [];
  return { on: function (kind, fn) { offs.push(on(kind, fn)); }, off: function () { offs.forEach(function (off) { off(); }); offs = []; } };
}
`;
