/** The one function that changes state: a command in, its result out, inside a write transaction. */
import { cancel, cancelWhere } from './cancel.ts';
import { claim } from './claim.ts';
import type { Command, CommandKind, CommandOf, ResultOf } from './commands.ts';
import { dlqPurge, dlqReplay } from './dead-letter.ts';
import { invalid } from '../model/errors.ts';
import { expireLeases, progress, rearmLeases, renewLeases } from './lease.ts';
import type { Limits } from './limits.ts';
import { ack, nack, release } from './outcome.ts';
import { configureQueue, drainQueue, seedQueues, setPaused } from './queue.ts';
import { purge } from './retention.ts';
import { retry, retryWhere } from './retry.ts';
import { promoteDue } from './schedule.ts';
import { submit } from './submit.ts';
import type { Txn } from './txn.ts';

type Handlers = { [K in CommandKind]: (tx: Txn, command: CommandOf<K>, limits: Limits) => ResultOf[K] };

const HANDLERS: Handlers = {
  submit,
  claim,
  renewLeases,
  progress,
  release,
  ack,
  nack,
  cancel,
  cancelWhere,
  retry,
  retryWhere,
  dlqReplay,
  dlqPurge,
  drainQueue,
  pauseQueue: (tx, command) => setPaused(tx, command.queue, true),
  resumeQueue: (tx, command) => setPaused(tx, command.queue, false),
  configureQueue,
  seedQueues,
  promoteDue,
  expireLeases,
  rearmLeases,
  purge,
};

/**
 * Applies one command. Each handler validates the whole command before its first write, so a
 * command that fails changes nothing and the other commands of its batch go on.
 */
export function applyCommand<K extends CommandKind>(tx: Txn, command: CommandOf<K>, limits: Limits): ResultOf[K] {
  if (command === null || typeof command !== 'object') throw invalid('a command must be an object');
  const handler = HANDLERS[command.kind] as Handlers[K] | undefined;
  if (!handler) throw invalid(`unknown command ${JSON.stringify(command.kind)}`);
  if (typeof command.time !== 'number' || !Number.isFinite(command.time)) throw invalid('a command needs a time in epoch milliseconds');
  tx.begin(command.time);
  return handler(tx, command, limits);
}

export type { Command };
