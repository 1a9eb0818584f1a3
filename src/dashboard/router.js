// @ts-check
/**
 * The views, one per location hash: #/ (overview), #/tasks?state=&queue=&type=, #/tasks/<id>,
 * #/workers and #/dlq?queue=.
 */
import { byId, clear } from './dom.js';
import { dlqView } from './dlq.js';
import { overviewView } from './overview.js';
import { taskView } from './task.js';
import { tasksView } from './tasks.js';
import { workersView } from './workers.js';

/**
 * @typedef {{ view: 'overview' | 'tasks' | 'task' | 'workers' | 'dlq', id: string, params: Record<string, string> }} Route
 * @typedef {{ title: string, unmount: () => void }} Mounted
 * @typedef {(main: HTMLElement, route: Route) => Mounted} View
 */

/** @type {Record<Route['view'], View>} */
const VIEWS = { overview: overviewView, tasks: tasksView, task: taskView, workers: workersView, dlq: dlqView };

/** @returns {Route} */
function parseRoute() {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [pathPart = '', queryPart = ''] = hash.split('?');
  const path = pathPart.split('/').filter(Boolean);
  /** @type {Record<string, string>} */
  const params = {};
  for (const pair of queryPart.split('&').filter(Boolean)) {
    const [key = '', value = ''] = pair.split('=');
    params[key] = decodeURIComponent(value);
  }
  if (path[0] === 'tasks' && path[1]) return { view: 'task', id: path.slice(1).join('/'), params };
  if (path[0] === 'tasks' || path[0] === 'workers' || path[0] === 'dlq') return { view: path[0], id: '', params };
  return { view: 'overview', id: '', params };
}

/** @type {Mounted | null} */
let current = null;

/** Shows the view of the current hash; after the first, moves focus to its heading. */
export function navigate() {
  const route = parseRoute();
  const started = current !== null;
  if (current) current.unmount();
  const main = clear(byId('main'));
  const tab = route.view === 'task' ? 'tasks' : route.view;
  document.querySelectorAll('.tabs a').forEach((a) => {
    if (a.getAttribute('data-view') === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  current = VIEWS[route.view](main, route);
  document.title = `${current.title || 'tq'} · tq dashboard`;
  if (started) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }
}
