/**
 * Frames on the wire: a 4-byte big-endian length, then that many bytes of plain msgpack (no
 * msgpackr-only extensions, so any language's msgpack library can speak it).
 */
import { Packr } from 'msgpackr';
import { tooDeepRequest } from './deep-frames.ts';

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const FRAME_HEADER_BYTES = 4;

const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true });

export function encodeFrame(message: unknown): Buffer {
  const body = packr.pack(message);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export class FrameTooLarge extends Error {
  readonly bytes: number;
  constructor(bytes: number, max: number) {
    super(`frame of ${bytes} bytes is over the limit of ${max}`);
    this.bytes = bytes;
  }
}

export class MalformedFrame extends Error {}

/** One frame's msgpack body as a value; throws MalformedFrame. */
export function decodeBody(body: Uint8Array): unknown {
  try {
    return packr.unpack(body);
  } catch (error) {
    // A stack overflow (msgpackr may wrap it in an error of its own): a request too deep to decode
    // still gets its own answer. The decoder's own text (its internals) is not the peer's business.
    const tooDeep = error instanceof RangeError || /Maximum call stack/.test((error as Error).message);
    const deep = tooDeep ? tooDeepRequest(body) : undefined;
    if (deep) return deep;
    throw new MalformedFrame(tooDeep ? 'malformed msgpack frame: nested too deep to decode' : 'malformed msgpack frame: the body is not one valid msgpack value');
  }
}

/**
 * Splits a byte stream into frames. `maxFrameBytes` may change between frames (the broker allows
 * a small one before the hello); a header announcing more is refused before its body is buffered.
 */
export class FrameDecoder {
  maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes received and not yet taken as a whole frame: more than 0 while a frame is half-sent. */
  get pending(): number {
    return this.buffered;
  }

  write(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The body of the next whole frame, or null until one has arrived; throws FrameTooLarge. */
  nextBody(): Buffer | null {
    if (this.buffered < FRAME_HEADER_BYTES) return null;
    const length = this.peek(FRAME_HEADER_BYTES).readUInt32BE(0);
    if (length > this.maxFrameBytes) throw new FrameTooLarge(length, this.maxFrameBytes);
    if (this.buffered < FRAME_HEADER_BYTES + length) return null;
    return this.take(FRAME_HEADER_BYTES + length).subarray(FRAME_HEADER_BYTES);
  }

  /** Adds `chunk` and decodes every whole frame; throws FrameTooLarge or MalformedFrame. */
  push(chunk: Buffer): unknown[] {
    this.write(chunk);
    const messages: unknown[] = [];
    for (let body = this.nextBody(); body !== null; body = this.nextBody()) messages.push(decodeBody(body));
    return messages;
  }

  /** Drops what is buffered, so a closed connection holds no memory. */
  clear(): void {
    this.chunks = [];
    this.buffered = 0;
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0]!.length < bytes) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(bytes: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < bytes) {
      this.chunks = [Buffer.concat(this.chunks)];
      first = this.chunks[0]!;
    }
    const frame = first.subarray(0, bytes);
    if (first.length === bytes) this.chunks.shift();
    else this.chunks[0] = first.subarray(bytes);
    this.buffered -= bytes;
    return frame;
  }
}

/** Names of the extension types msgpackr and the msgpack spec define, for error messages. */
const EXTENSION_NAMES: Record<number, string> = { [-1]: 'timestamp, e.g. a Date', 0: 'undefined', 0x42: 'BigInt', 0x62: 'ArrayBuffer', 0x65: 'Error', 0x70: 'shared reference', 0x72: 'record', 0x73: 'Set', 0x74: 'typed array', 0x78: 'RegExp' };

/**
 * Why a msgpack body is not plain msgpack, or null: it holds an extension value (which msgpackr
 * would turn into a Date, a Set, a record...) or the never-used byte 0xc1. A walk over the bytes
 * with an explicit count of values still to read, so no nesting depth can overflow the stack.
 */
export function extensionIn(body: Uint8Array): string | null {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  let values = 1;
  while (values > 0 && at < body.length) {
    values--;
    const byte = body[at]!;
    const where = at;
    at++;
    if (byte <= 0x7f || byte >= 0xe0 || byte === 0xc0 || byte === 0xc2 || byte === 0xc3) continue;
    if (byte >= 0x80 && byte <= 0x8f) values += 2 * (byte & 0x0f);
    else if (byte >= 0x90 && byte <= 0x9f) values += byte & 0x0f;
    else if (byte >= 0xa0 && byte <= 0xbf) at += byte & 0x1f;
    else if (byte === 0xc1) return `byte 0xc1 at offset ${where}, which msgpack never uses`;
    else if (byte === 0xc7 || byte === 0xc8 || byte === 0xc9 || (byte >= 0xd4 && byte <= 0xd8)) {
      const size = byte >= 0xd4 ? 0 : byte === 0xc7 ? 1 : byte === 0xc8 ? 2 : 4;
      const type = view.getInt8(Math.min(at + size, body.length - 1));
      const name = EXTENSION_NAMES[type];
      return `a msgpack extension value (type ${type}${name ? `, ${name}` : ''}) at offset ${where}`;
    } else if (FIXED[byte] !== undefined) at += FIXED[byte]!;
    else {
      const sized = SIZED[byte]!;
      const length = sized.bytes === 1 ? view.getUint8(at) : sized.bytes === 2 ? view.getUint16(at) : view.getUint32(at);
      at += sized.bytes;
      if (sized.kind === 'raw') at += length;
      else values += sized.kind === 'map' ? 2 * length : length;
    }
    if (at > body.length) return null;
  }
  return null;
}

/** Bytes after the type byte of the fixed-size scalars: floats and ints. */
const FIXED: Record<number, number> = { 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8 };

/** bin, str, array and map with a length field of `bytes` bytes. */
const SIZED: Record<number, { bytes: number; kind: 'raw' | 'array' | 'map' }> = {
  0xc4: { bytes: 1, kind: 'raw' },
  0xc5: { bytes: 2, kind: 'raw' },
  0xc6: { bytes: 4, kind: 'raw' },
  0xd9: { bytes: 1, kind: 'raw' },
  0xda: { bytes: 2, kind: 'raw' },
  0xdb: { bytes: 4, kind: 'raw' },
  0xdc: { bytes: 2, kind: 'array' },
  0xdd: { bytes: 4, kind: 'array' },
  0xde: { bytes: 2, kind: 'map' },
  0xdf: { bytes: 4, kind: 'map' },
};
