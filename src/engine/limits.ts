/** Bounds on what one command or one batch may hold. Going over is a TOO_LARGE error. */
export interface Limits {
  maxPayloadBytes: number;
  maxResultBytes: number;
  /** Tasks in one submit, and commands in one transaction. */
  maxBatchTasks: number;
  /** Payload bytes in one submit, and in one transaction. */
  maxBatchBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxPayloadBytes: 10 * 1024 * 1024,
  maxResultBytes: 10 * 1024 * 1024,
  maxBatchTasks: 10_000,
  maxBatchBytes: 64 * 1024 * 1024,
};
