/**
 * Bounds on what one command or one batch may hold, the same on every node (they decide outcomes,
 * so no node's config may change them). Going over is a TOO_LARGE error.
 */
export interface Limits {
  /** Tasks in one submit, and commands in one transaction. */
  maxBatchTasks: number;
  /** Payload bytes in one submit, and in one transaction. */
  maxBatchBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBatchTasks: 10_000,
  maxBatchBytes: 64 * 1024 * 1024,
};
