/**
 * A request nested too deep for msgpackr to decode (it recurses, and overflows the stack long
 * before a frame's size limit) still gets an answer of its own: its `t`, `id` and `op`, which sit
 * at the top of the frame, are read by a scan that does not recurse, and its arguments stand as
 * TOO_DEEP, which the request validator refuses as INVALID_ARGUMENT naming the depth limit.
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, moreTypes: false });

/** The arguments of a request that could not be decoded for its depth. */
export const TOO_DEEP: unique symbol = Symbol('arguments nested too deep to decode');

/** Bytes after a type byte, and how many items follow it (a map's entries count twice). */
function step(bytes: Uint8Array, at: number): { size: number; items: number } {
  const b = bytes[at]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 1);
  if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return { size: 1, items: 0 };
  if (b <= 0x8f) return { size: 1, items: (b & 0x0f) * 2 };
  if (b <= 0x9f) return { size: 1, items: b & 0x0f };
  if (b <= 0xbf) return { size: 1 + (b & 0x1f), items: 0 };
  switch (b) {
    case 0xc4: case 0xd9: return { size: 2 + view.getUint8(0), items: 0 };
    case 0xc5: case 0xda: return { size: 3 + view.getUint16(0), items: 0 };
    case 0xc6: case 0xdb: return { size: 5 + view.getUint32(0), items: 0 };
    case 0xc7: return { size: 3 + view.getUint8(0), items: 0 };
    case 0xc8: return { size: 4 + view.getUint16(0), items: 0 };
    case 0xc9: return { size: 6 + view.getUint32(0), items: 0 };
    case 0xca: case 0xce: case 0xd2: return { size: 5, items: 0 };
    case 0xcb: case 0xcf: case 0xd3: return { size: 9, items: 0 };
    case 0xcc: case 0xd0: return { size: 2, items: 0 };
    case 0xcd: case 0xd1: return { size: 3, items: 0 };
    case 0xd4: return { size: 3, items: 0 };
    case 0xd5: return { size: 4, items: 0 };
    case 0xd6: return { size: 6, items: 0 };
    case 0xd7: return { size: 10, items: 0 };
    case 0xd8: return { size: 18, items: 0 };
    case 0xdc: return { size: 3, items: view.getUint16(0) };
    case 0xdd: return { size: 5, items: view.getUint32(0) };
    case 0xde: return { size: 3, items: view.getUint16(0) * 2 };
    case 0xdf: return { size: 5, items: view.getUint32(0) * 2 };
    default: throw new RangeError(`byte 0x${b.toString(16)} starts no msgpack value`);
  }
}

/**
 * The scalar entries of the map at the root of `bytes` (deeper values are skipped, not decoded),
 * or undefined when the root is not a map or the bytes are not msgpack.
 */
function rootScalars(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const root = step(bytes, 0);
    if (!((bytes[0]! >= 0x80 && bytes[0]! <= 0x8f) || bytes[0] === 0xde || bytes[0] === 0xdf)) return undefined;
    const entries: Record<string, unknown> = {};
    let at = root.size;
    let key: unknown;
    for (let item = 0; item < root.items; item++) {
      const start = at;
      // Skip one whole value: its nested items are counted, not recursed into.
      let pending = 1;
      let scalar = true;
      while (pending > 0) {
        const { size, items } = step(bytes, at);
        if (items > 0 || (bytes[at]! & 0xf0) === 0x80 || (bytes[at]! & 0xf0) === 0x90) scalar = false;
        at += size;
        pending += items - 1;
        if (at > bytes.length) return undefined;
      }
      if (item % 2 === 0) key = scalar ? packr.unpack(bytes.subarray(start, at)) : undefined;
      else if (scalar && typeof key === 'string') entries[key] = packr.unpack(bytes.subarray(start, at));
    }
    return entries;
  } catch {
    return undefined;
  }
}

/** A request frame msgpackr could not decode for its depth, as a request with TOO_DEEP arguments. */
export function tooDeepRequest(bytes: Uint8Array): Record<string, unknown> | undefined {
  const top = rootScalars(bytes);
  if (top?.t !== 'req' || typeof top.id !== 'number') return undefined;
  return { t: 'req', id: top.id, op: top.op, args: TOO_DEEP };
}
