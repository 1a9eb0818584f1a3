/**
 * Frames on the wire: a 4-byte big-endian length, then that many bytes of plain msgpack (no
 * msgpackr-only extensions, so any language's msgpack library can speak it).
 */
import { Packr } from 'msgpackr';

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

/** Splits a byte stream into decoded messages; throws FrameTooLarge or MalformedFrame. */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes) throw new FrameTooLarge(length, this.maxFrameBytes);
      if (this.buffered < FRAME_HEADER_BYTES + length) break;
      const frame = this.take(FRAME_HEADER_BYTES + length);
      try {
        messages.push(packr.unpack(frame.subarray(FRAME_HEADER_BYTES)));
      } catch (error) {
        throw new MalformedFrame(`malformed msgpack frame: ${(error as Error).message}`);
      }
    }
    return messages;
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
