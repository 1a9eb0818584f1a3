// @ts-check
/**
 * The broker's REST API as the page calls it: one typed function per call.
 * @import { BulkOutcome, Model, Queue, Stats, StatsHistory, Task, TaskPage, TaskState, WorkerList } from './types.js'
 */

/** An answer other than 2xx: the broker's error code and message. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {string | null} code
   */
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {'GET' | 'POST' | 'DELETE'} method
 * @param {string} path under /api/v1
 * @param {unknown} [body]
 * @returns {Promise<any>} the JSON answer, whose shape the typed calls below name
 */
async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method, headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const error = data && data.error ? data.error : null;
    throw new ApiError(error ? error.message : `${res.status} ${res.statusText}`, res.status, error ? error.code : null);
  }
  return data;
}

/**
 * A query string of the parameters that have a value.
 * @param {Record<string, string | number | null | undefined>} params
 */
export function query(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const task = (/** @type {string} */ id) => `/tasks/${encodeURIComponent(id)}`;

/** @returns {Promise<Model>} */
export const getModel = () => call('GET', '/model');
/** @returns {Promise<Stats>} */
export const getStats = () => call('GET', '/stats');
/** @returns {Promise<StatsHistory>} */
export const getHistory = () => call('GET', '/stats/history');
/**
 * @param {{ state?: TaskState | '', queue?: string, type?: string, limit: number, cursor: string | null }} params
 * @returns {Promise<TaskPage>}
 */
export const listTasks = (params) => call('GET', `/tasks${query(params)}`);
/** @returns {Promise<Task>} */
export const getTask = (/** @type {string} */ id) => call('GET', task(id));
/** @returns {Promise<Task>} */
export const cancelTaskById = (/** @type {string} */ id) => call('DELETE', task(id));
/** @returns {Promise<Task>} */
export const retryTaskById = (/** @type {string} */ id) => call('POST', `${task(id)}/retry`);
/** @returns {Promise<WorkerList>} */
export const listWorkers = () => call('GET', '/workers');
/**
 * @param {string} name
 * @param {boolean} paused
 * @returns {Promise<Queue>}
 */
export const setQueuePaused = (name, paused) => call('POST', `/queues/${encodeURIComponent(name)}/${paused ? 'pause' : 'resume'}`);
/**
 * @param {{ queue?: string, limit: number, cursor: string | null }} params
 * @returns {Promise<TaskPage>}
 */
export const listDead = (params) => call('GET', `/dlq${query(params)}`);
/**
 * @param {{ ids?: string[], queue?: string }} which
 * @returns {Promise<BulkOutcome>}
 */
export const replayDead = (which) => call('POST', '/dlq/replay', which);
