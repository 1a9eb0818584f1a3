/**
 * Payloads and results as every part stores and sends them: plain msgpack, with no msgpackr-only
 * extensions, so any language can read them. A value is encoded once, where it enters the broker.
 */
import { Packr } from 'msgpackr';
import { invalid, TqError } from './errors.ts';

export const plain = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true });

/** Encodes a payload or result as plain msgpack, refusing values over `maxBytes`. */
export function encodeValue(what: 'payload' | 'result', value: unknown, maxBytes: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = plain.pack(value);
  } catch (error) {
    throw invalid(`${what} cannot be encoded as msgpack: ${(error as Error).message}`);
  }
  if (bytes.length > maxBytes) {
    throw new TqError('TOO_LARGE', `${what} is ${bytes.length} bytes, over the limit of ${maxBytes}: store big data elsewhere and pass a reference`);
  }
  return bytes;
}

/**
 * Whether maps and lists nest deeper than `maxDepth` in `value` (a scalar is depth 0). Walks with
 * its own stack, not recursion, so the deepest value cannot overflow the call stack.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
