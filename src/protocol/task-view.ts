/**
 * The engine's task as the wire shows it: the fields model/task-fields.ts marks `wire`, the
 * engine's bookkeeping (sequences, sizes) left out. Payload and result come only with a whole task
 * (get, wait, a push), not in listings or submit answers.
 */
import { WIRE_FIELD_NAMES } from '../model/task-fields.ts';
import type { Task, TaskRecord } from '../model/task.ts';
import type { WireTask } from './messages.ts';

// Generated once from the table: an object literal is one shape for every task and copies ~50x
// faster than a loop that adds the keys one by one (which leaves the object in dictionary mode).
const copySource = `{ ${WIRE_FIELD_NAMES.map((name) => `${name}: task.${name}`).join(', ')} }`;
const copyWireFields = new Function('task', `return ${copySource};`) as (task: TaskRecord) => WireTask;

export function wireTask(task: TaskRecord | Task): WireTask {
  const wire = copyWireFields(task);
  // Set only when known, so a listing carries no key at all rather than a misleading nil.
  if ('payload' in task) {
    wire.payload = task.payload;
    wire.result = task.result;
  }
  return wire;
}
