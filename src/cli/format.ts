/**
 * Values as people read them: short human forms for times, durations, ages and sizes, beside the
 * JSON-safe form of wire values (protocol/plain.ts).
 */
import { formatDuration } from '../config/duration.ts';
import { isoTime, toPlain } from '../protocol/plain.ts';

export { formatDuration };

/** `2026-11-22 06:39:38Z`: a time in a table cell. */
export function shortTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return isoTime(ms).replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** How long ago (`12s ago`) or how far ahead (`in 2m0s`) a time is. */
export function relativeTime(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '-';
  const delta = now - ms;
  if (Math.abs(delta) < 1_000) return 'now';
  return delta > 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

/** A time with its distance from now: `2026-11-22 06:39:38Z (12s ago)`. */
export function timeWithAge(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '-';
  return `${shortTime(ms)} (${relativeTime(ms, now)})`;
}

/** An age in ms (`3m12s`), or `-`. */
export function age(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : formatDuration(Math.max(0, ms));
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A value on one line, for a table cell: strings as they are, the rest as compact JSON. */
export function inline(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return oneLine(value);
  return oneLine(JSON.stringify(toPlain(value, false)) ?? String(value));
}

/** Newlines and tabs as spaces, so one value stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\t]+\s*/g, ' ').trim();
}

/** Pretty JSON of a user value (a result or payload), binary as {"$base64": ...}. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(toPlain(value, false), null, 2) ?? 'null';
}
