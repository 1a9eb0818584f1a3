// @ts-check
/**
 * Messages, confirmation and the actions on a task: cancel and retry buttons shown exactly where
 * the broker's rules (rules.js) allow them.
 * @import { Task } from './types.js'
 */
import { cancelTaskById, retryTaskById } from './api.js';
import { byId, h, targetOf } from './dom.js';
import { canCancel, canRetry } from './rules.js';

/**
 * @param {string} message
 * @param {'error'} [kind]
 */
export function toast(message, kind) {
  const el = h('div', { class: `toast${kind === 'error' ? ' error' : ''}`, text: message });
  byId('toasts').appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 7000 : 3500);
}

/**
 * Asks in the page's dialog; true when the person confirms.
 * @param {string} title
 * @param {string} text
 * @param {string} [yesLabel]
 * @returns {Promise<boolean>}
 */
export function confirmAction(title, text, yesLabel) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm'));
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-yes').textContent = yesLabel || 'Confirm';
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(`${title}\n${text}`));
  return new Promise((resolve) => {
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    dialog.showModal();
    byId('confirm-no').focus();
  });
}

/**
 * Runs an action from a button: disables it meanwhile, reports the outcome (an error as a toast,
 * then resolves undefined).
 * @template T
 * @param {HTMLButtonElement | null} button
 * @param {() => Promise<T>} work
 * @param {string | ((result: T) => string)} [done] the message on success
 * @returns {Promise<T | undefined>}
 */
export async function act(button, work, done) {
  if (button) button.disabled = true;
  /** @type {T | undefined} */
  let result;
  try {
    result = await work();
    if (done) toast(typeof done === 'function' ? done(result) : done);
  } catch (error) {
    toast(/** @type {Error} */ (error).message, 'error');
  }
  if (button && button.isConnected) button.disabled = false;
  return result;
}

/**
 * @param {Task} task
 * @param {HTMLButtonElement} button
 */
async function cancelTask(task, button) {
  const running = task.state === 'running' ? '? It is running: its worker is told to stop, and it ends cancelled when the worker reports.' : '?';
  if (!(await confirmAction('Cancel task?', `Cancel ${task.type} task ${task.id}${running}`, 'Cancel task'))) return;
  await act(button, () => cancelTaskById(task.id), (t) => (t.state === 'cancelled' ? `Cancelled ${t.id}` : `Cancel requested for ${t.id}`));
}

/** The cancel and retry buttons a task's state allows. @param {Task} task */
export function taskActions(task) {
  const buttons = [];
  if (canCancel(task)) {
    buttons.push(h('button', { type: 'button', class: 'button small danger', 'aria-label': `Cancel task ${task.id}`, text: 'Cancel', onclick: (e) => void cancelTask(task, targetOf(e)) }));
  }
  if (canRetry(task)) {
    buttons.push(h('button', { type: 'button', class: 'button small', 'aria-label': `Retry task ${task.id}`, text: 'Retry', onclick: (e) => void act(targetOf(e), () => retryTaskById(task.id), `Retrying ${task.id}`) }));
  }
  if (task.cancelRequested && task.state === 'running') buttons.push(h('span', { class: 'muted', text: 'cancelling…' }));
  return h('div', { class: 'actions' }, buttons);
}
