/**
 * Values as people and programs read them: wire values made JSON-safe (ISO-8601 times, binary as
 * {"$base64": ...}), JSON input with the same binary convention, and short human forms for
 * times, durations, ages and sizes.
 */
import { formatDuration } from '../config/duration.ts';

export { formatDuration };

/** Fields holding epoch milliseconds on the wire: every `...At`, and `runAt`. */
function isTimeField(key: string): boolean {
  return key.endsWith('At');
}

/** Payload and result are user data: their fields keep their values, only binary is encoded. */
const USER_DATA = new Set(['payload', 'result']);

/**
 * A wire value (task, listing, stats, ...) as plain JSON data: times (fields ending in `At`, in
 * epoch ms) become ISO-8601 strings, binary becomes {"$base64": "..."}, bigints become numbers
 * (or strings when too big). The same value serves JSON and YAML output.
 */
export function toPlain(value: unknown, times = true): unknown {
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map((item) => toPlain(item, times));
  if (value instanceof Map) return toPlain(Object.fromEntries(value), times);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (times && isTimeField(key) && typeof item === 'number') out[key] = isoTime(item);
      else out[key] = toPlain(item, times && !USER_DATA.has(key));
    }
    return out;
  }
  return value;
}

/** JSON as the CLI reads it: {"$base64": "..."} (that one key alone) becomes binary. */
export function fromJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonValue);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const encoded = (value as Record<string, unknown>).$base64;
    if (keys.length === 1 && typeof encoded === 'string') return new Uint8Array(Buffer.from(encoded, 'base64'));
    return Object.fromEntries(keys.map((key) => [key, fromJsonValue((value as Record<string, unknown>)[key])]));
  }
  return value;
}

export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

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
