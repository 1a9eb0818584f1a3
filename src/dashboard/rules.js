// @ts-check
/**
 * The queue's rules as the broker serves them (GET /api/v1/model, built from src/model/task.ts):
 * which states exist, which a task can be cancelled or retried from, the priority names and the
 * name pattern. The page keeps no copy of its own; app.js loads them before the first view.
 * @import { Model, Task, TaskState } from './types.js'
 */
import { getModel } from './api.js';

/** @type {{ model: Model, priorityNames: Map<number, string>, namePattern: RegExp } | null} */
let loaded = null;

export async function loadRules() {
  const model = await getModel();
  const priorityNames = new Map(Object.entries(model.priorities).map(([name, value]) => [value, name]));
  loaded = { model, priorityNames, namePattern: new RegExp(model.namePattern) };
}

function rules() {
  if (!loaded) throw new Error('the queue rules are not loaded yet');
  return loaded;
}

/** Every state, in the model's order. */
export function states() {
  return rules().model.states;
}

/** @param {TaskState} state */
export function isFinished(state) {
  return rules().model.finishedStates.includes(state);
}

/** @param {Task} task */
export function canCancel(task) {
  return rules().model.cancellableStates.includes(task.state) && !task.cancelRequested;
}

/** @param {Task} task */
export function canRetry(task) {
  return rules().model.retryableStates.includes(task.state);
}

/** A queue or type name the broker accepts. @param {string} name */
export function isName(name) {
  return rules().namePattern.test(name);
}

/** `150 high`, or just the number for a priority with no name. @param {number} priority */
export function priorityText(priority) {
  const name = rules().priorityNames.get(priority);
  return name ? `${priority} ${name}` : String(priority);
}
