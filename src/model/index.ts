/** The vocabulary every room shares: imported by all, importing nothing of ours. */
export * from './bulk.ts';
export * from './errors.ts';
export * from './lease.ts';
export * from './queue.ts';
export * from './stats.ts';
export * from './task.ts';
