export { Engine, type EngineOptions, type Outcome, type BatchInfo, type BatchListener } from './engine.ts';
export type { Change } from './txn.ts';
export * from './commands.ts';
export * from '../model/errors.ts';
export * from '../model/task.ts';
export { DEFAULT_LIMITS, type Limits } from './limits.ts';
export type { ListOptions, Page, Stats, QueueStats } from './reads.ts';
export { backoffCeilingMs, backoffDelayMs } from './backoff.ts';
