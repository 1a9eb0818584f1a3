// @ts-check
/** The dashboard's entry (index.html loads it as a module): rules, stats and history, then the views and the live stream. */
import { getStats } from './api.js';
import { byId } from './dom.js';
import { connect, loadHistory, store, updateDeadCount } from './live.js';
import { navigate } from './router.js';
import { loadRules } from './rules.js';
import { toast } from './ui.js';

const RETRY_MS = 3000;

async function boot() {
  byId('broker-host').textContent = location.host;
  byId('events-url').textContent = `${location.origin}/api/v1/events`;
  try {
    await Promise.all([
      loadRules(),
      loadHistory(),
      getStats().then((stats) => {
        store.stats = stats;
      }),
    ]);
  } catch (error) {
    // Every view needs the rules: try again until the broker answers.
    toast(`Cannot reach the broker: ${/** @type {Error} */ (error).message}`, 'error');
    setTimeout(boot, RETRY_MS);
    return;
  }
  updateDeadCount();
  window.addEventListener('hashchange', navigate);
  navigate();
  connect();
}

void boot();
