/**
 * The dashboard's page: a shell that app.js fills. Served by the broker at `/` (src/broker/http/dashboard.ts)
 * and bundled into the single binary as a string, like the stylesheet and the script.
 */
const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%232456d6'/%3E%3Cpath d='M8 11h16M16 11v13' stroke='white' stroke-width='4' stroke-linecap='round'/%3E%3C/svg%3E";

export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tq dashboard</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">tq</span><span class="brand-name">tq broker</span><span class="broker" id="broker-host"></span></div>
  <nav aria-label="Main" class="tabs">
    <a href="#/" data-view="overview">Overview</a>
    <a href="#/tasks" data-view="tasks">Tasks</a>
    <a href="#/workers" data-view="workers">Workers</a>
    <a href="#/dlq" data-view="dlq">Dead letters <span class="count" id="dead-count" hidden></span></a>
  </nav>
  <div class="live" id="live" role="status" aria-live="polite"><span class="dot" aria-hidden="true"></span><span class="live-text">Connecting…</span></div>
</header>
<main id="main" tabindex="-1">
  <noscript><p class="notice">The dashboard needs JavaScript. The same data is in the REST API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></noscript>
</main>
<div class="toasts" id="toasts" role="status" aria-live="polite"></div>
<dialog id="confirm" aria-labelledby="confirm-title">
  <form method="dialog">
    <h2 id="confirm-title">Are you sure?</h2>
    <p id="confirm-text"></p>
    <div class="dialog-actions">
      <button value="no" class="button" id="confirm-no">Keep it</button>
      <button value="yes" class="button danger" id="confirm-yes">Confirm</button>
    </div>
  </form>
</dialog>
<footer class="foot">REST: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> · Prometheus: <a href="/metrics">/metrics</a> · Events: <code>curl -N <span id="events-url">/api/v1/events</span></code></footer>
</body>
</html>
`;
