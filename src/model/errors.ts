/**
 * Errors a caller can cause or meet. Each has a stable code (the same on the wire, in REST and in
 * the CLI) and a message that says what went wrong and how to fix it.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'TOO_LARGE',
  'STALE_TOKEN',
  'INVALID_STATE',
  'STORAGE_FULL',
  'STORAGE_ERROR',
  'DATA_DIR_LOCKED',
  'UNSUPPORTED_FORMAT',
  'DATA_CORRUPT',
  'READ_ONLY',
  'CLOSED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class TqError extends Error {
  readonly code: ErrorCode;
  /** The request argument at fault, as a path (`tasks[0].queue`), when one is. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'TqError';
    this.code = code;
    this.field = field;
  }
}

export function invalid(message: string, field?: string): TqError {
  return new TqError('INVALID_ARGUMENT', message, field);
}

export function notFound(id: string): TqError {
  return new TqError('NOT_FOUND', `task ${id} not found`);
}
