/** The engine and, for its tests and benchmarks, the vocabulary it speaks (src/model). */
export { Engine, type Applied, type BatchWriter, type EngineOptions, type Outcome } from './engine.ts';
export type { Change } from './txn.ts';
export * from './commands.ts';
export { DEFAULT_LIMITS, type Limits } from './limits.ts';
export type { ListOptions, Page } from './reads.ts';
export { backoffCeilingMs, backoffDelayMs, draws } from './backoff.ts';
export * from '../model/index.ts';
