/**
 * Wire values as plain JSON data, the form REST, the CLI's JSON/YAML output and the dashboard share:
 * ISO-8601 times, binary as {"$base64": ...}, and JSON input read back with the same convention.
 */

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
