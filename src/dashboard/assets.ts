/**
 * The web dashboard's files, as strings: bundled into the single binary with the rest of the code,
 * never read from disk. src/broker/http/dashboard.ts serves them. The script is plain JavaScript in parts
 * (core, overview, tasks, admin) joined into one function scope.
 */
import { createHash } from 'node:crypto';
import { ADMIN_JS } from './admin.ts';
import { CORE_JS } from './core.ts';
import { DASHBOARD_HTML } from './html.ts';
import { OVERVIEW_JS } from './overview.ts';
import { DASHBOARD_CSS } from './style.ts';
import { TASKS_JS } from './tasks.ts';

const BOOT_JS = String.raw`
function boot() {
  byId('broker-host').textContent = location.host;
  byId('events-url').textContent = location.origin + '/api/v1/events';
  Promise.all([
    loadHistory(),
    api('GET', '/stats').then(function (stats) { store.stats = stats; }),
  ]).catch(function (err) { toast('Cannot reach the broker: ' + err.message, 'error'); }).then(function () {
    updateDeadCount();
    window.addEventListener('hashchange', navigate);
    navigate();
    connect();
  });
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot); else boot();
`;

export const DASHBOARD_JS = `(function () {\n'use strict';\n${CORE_JS}\n${OVERVIEW_JS}\n${TASKS_JS}\n${ADMIN_JS}\n${BOOT_JS}\n})();\n`;

export interface DashboardFile {
  path: string;
  contentType: string;
  body: string;
  etag: string;
}

function file(path: string, contentType: string, body: string): DashboardFile {
  return { path, contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

export const DASHBOARD_FILES: DashboardFile[] = [
  file('/', 'text/html; charset=utf-8', DASHBOARD_HTML),
  file('/assets/app.js', 'text/javascript; charset=utf-8', DASHBOARD_JS),
  file('/assets/app.css', 'text/css; charset=utf-8', DASHBOARD_CSS),
];
