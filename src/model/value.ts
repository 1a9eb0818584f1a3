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
