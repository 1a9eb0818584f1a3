/** A queue as the broker lists it, and the settings a queue gives the tasks submitted to it. */
import { invalid } from './errors.ts';
import { checkInteger, DEFAULTS, MAX_RETRIES_LIMIT } from './task.ts';

const DAY_MS = 86_400_000;

/** Each setting's allowed range: what `submit` accepts for a task's own value too. */
export const QUEUE_SETTINGS = {
  maxRetries: { min: 0, max: MAX_RETRIES_LIMIT },
  timeoutMs: { min: 1, max: 7 * DAY_MS },
  backoffBaseMs: { min: 0, max: DAY_MS },
  backoffCapMs: { min: 0, max: 30 * DAY_MS },
} as const;

export type QueueSetting = keyof typeof QUEUE_SETTINGS;
export const QUEUE_SETTING_NAMES = Object.keys(QUEUE_SETTINGS) as QueueSetting[];

/** A queue's own settings; one left out means the default (DEFAULTS in task.ts). */
export type QueueSettings = { [K in QueueSetting]?: number };

/** A change of settings: a field given is set, a field given as null goes back to the default. */
export type QueueSettingsPatch = { [K in QueueSetting]?: number | null };

export interface QueueInfo extends Record<QueueSetting, number> {
  name: string;
  paused: boolean;
  /** The settings this queue sets itself; the others are the defaults. */
  overrides: QueueSetting[];
}

/** Checks a patch completely: a map of known settings, each null or an integer in its range. */
export function checkQueueSettings(patch: unknown, where = ''): QueueSettingsPatch {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw invalid(`${where}settings must be a map of ${QUEUE_SETTING_NAMES.join(', ')}`);
  }
  const checked: QueueSettingsPatch = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(QUEUE_SETTINGS, key)) throw invalid(`unknown queue setting ${where}${key}: use ${QUEUE_SETTING_NAMES.join(', ')}`);
    const { min, max } = QUEUE_SETTINGS[key as QueueSetting];
    checked[key as QueueSetting] = value === null ? null : checkInteger(`${where}${key}`, value, min, max);
  }
  return checked;
}

/** A queue's settings with the defaults filled in. */
export function queueInfo(name: string, paused: boolean, settings: QueueSettings): QueueInfo {
  const info = { name, paused } as QueueInfo;
  const overrides: QueueSetting[] = [];
  for (const key of QUEUE_SETTING_NAMES) {
    const own = settings[key];
    info[key] = own ?? DEFAULTS[key];
    if (own !== undefined) overrides.push(key);
  }
  info.overrides = overrides;
  return info;
}
