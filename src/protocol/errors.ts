/** Error codes that only the protocol raises, beside the engine's (src/engine/errors.ts). */
import { TqError } from '../model/errors.ts';
import type { WireError } from './messages.ts';

export const PROTOCOL_ERROR_CODES = [
  'UNSUPPORTED_VERSION',
  'FRAME_TOO_LARGE',
  'MALFORMED',
  'UNAUTHORIZED',
  'UNKNOWN_OP',
  'NOT_WORKER',
  'UNAVAILABLE',
  'TIMEOUT',
  'SHUTTING_DOWN',
  /** Raised by a client before sending: the request holds a value msgpack cannot carry. */
  'ENCODE_FAILED',
] as const;

/** An error reported by the broker or met on the way to it; `code` is one of the documented codes. */
export class RemoteError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'RemoteError';
    this.code = code;
  }
}

export function toWireError(error: unknown): WireError {
  if (error instanceof TqError && error.field !== undefined) return { code: error.code, message: error.message, field: error.field };
  if (error instanceof TqError || error instanceof RemoteError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: `internal error: ${error instanceof Error ? error.message : String(error)}` };
}
