/**
 * Wire values as plain JSON data, the form REST, the CLI's JSON/YAML output and the dashboard share:
 * ISO-8601 times, binary as {"$base64": ...}, and JSON input read back with the same convention.
 * Both directions walk with a stack of their own, not recursion, so no nesting overflows the call stack.
 */

/** Fields holding epoch milliseconds on the wire: every `...At`, and `runAt`. */
function isTimeField(key: string): boolean {
  return key.endsWith('At');
}

/** Payload and result are user data: their fields keep their values, only binary is encoded. */
const USER_DATA = new Set(['payload', 'result']);

type Container = unknown[] | Record<string, unknown>;

/** What one value becomes: a finished value, or a container whose entries are converted next. */
type Step<C> = { done: unknown } | { into: Container; entries: [key: string | number, value: unknown, context: C][] };

/** Sets a key as an own property: `__proto__` included, which plain assignment would take as the prototype. */
function put(into: Container, key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else (into as Record<string | number, unknown>)[key] = value;
}

/**
 * Rebuilds a tree of containers with `step` converting each value, given the count of containers
 * around it. Keys are put in order first, so the copy keeps the original's key order.
 */
function rebuild<C>(value: unknown, context: C, step: (value: unknown, context: C, depth: number) => Step<C>): unknown {
  const root: unknown[] = [undefined];
  const todo: { value: unknown; context: C; depth: number; into: Container; key: string | number }[] = [{ value, context, depth: 0, into: root, key: 0 }];
  for (let slot = todo.pop(); slot !== undefined; slot = todo.pop()) {
    const next = step(slot.value, slot.context, slot.depth);
    if ('done' in next) {
      put(slot.into, slot.key, next.done);
      continue;
    }
    put(slot.into, slot.key, next.into);
    for (const [key, item, itemContext] of next.entries) {
      put(next.into, key, undefined);
      todo.push({ value: item, context: itemContext, depth: slot.depth + 1, into: next.into, key });
    }
  }
  return root[0];
}

/** How toPlain reads a value: a wire field, user data (no time fields), or epoch ms to show as ISO-8601. */
type Mode = 'wire' | 'data' | 'time';

function plainStep(value: unknown, mode: Mode): Step<Mode> {
  if (mode === 'time') return { done: isoTime(value as number) };
  if (value instanceof Uint8Array) return { done: { $base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') } };
  if (value instanceof Date) return { done: value.toISOString() };
  if (typeof value === 'bigint') return { done: Number.isSafeInteger(Number(value)) ? Number(value) : value.toString() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { done: String(value) };
  if (Array.isArray(value)) return { into: [], entries: Array.from(value, (item, index) => [index, item, mode]) };
  if (value !== null && typeof value === 'object') {
    const entries = value instanceof Map ? [...value].map(([key, item]) => [String(key), item] as const) : Object.entries(value);
    return {
      into: {},
      entries: entries.map(([key, item]) => {
        if (mode === 'data') return [key, item, 'data'];
        if (isTimeField(key) && typeof item === 'number') return [key, item, 'time'];
        return [key, item, USER_DATA.has(key) ? 'data' : 'wire'];
      }),
    };
  }
  return { done: value };
}

/**
 * A wire value (task, listing, stats, ...) as plain JSON data: times (fields ending in `At`, in
 * epoch ms) become ISO-8601 strings, binary becomes {"$base64": "..."}, bigints become numbers
 * (or strings when too big). The same value serves JSON and YAML output.
 */
export function toPlain(value: unknown, times = true): unknown {
  return rebuild<Mode>(value, times ? 'wire' : 'data', plainStep);
}

/**
 * JSON as the CLI and REST read it: {"$base64": "..."} (that one key alone) becomes binary. It walks
 * without recursion, so any depth converts; how deep a payload may be is the request validation's
 * rule (src/protocol/requests.ts), the same on every listener.
 */
export function fromJsonValue(value: unknown): unknown {
  return rebuild<null>(value, null, (item) => {
    if (item === null || typeof item !== 'object') return { done: item };
    const record = item as Record<string, unknown>;
    const keys = Array.isArray(item) ? null : Object.keys(record);
    if (keys?.length === 1 && typeof record.$base64 === 'string') return { done: new Uint8Array(Buffer.from(record.$base64, 'base64')) };
    if (keys === null) return { into: [], entries: Array.from(item as unknown[], (element, index) => [index, element, null]) };
    return { into: {}, entries: keys.map((key) => [key, record[key], null]) };
  });
}

export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
