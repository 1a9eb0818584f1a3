/**
 * Where a command's data comes from: a broker (TqClient, failing fast when none answers) or, for
 * the read-only commands given --data-dir, the data directory itself (LocalReader, read-only).
 */
import { TqClient } from '../client/client.ts';
import type { BrokerTarget } from './flags.ts';
import { LocalReader, type TaskReader } from './local-reader.ts';

export async function withClient<T>(target: BrokerTarget, fn: (client: TqClient) => Promise<T>): Promise<T> {
  const client = await TqClient.connect({ broker: target.broker, apiKey: target['api-key'], name: 'tq-cli', reconnect: false });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export async function withLocal<T>(dataDir: string, fn: (reader: LocalReader) => Promise<T>): Promise<T> {
  const reader = LocalReader.open(dataDir);
  try {
    return await fn(reader);
  } finally {
    await reader.close();
  }
}

/** `--data-dir` when given, else `--broker`. */
export function withReader<T>(flags: BrokerTarget & { 'data-dir'?: string }, fn: (reader: TaskReader) => Promise<T>): Promise<T> {
  const dataDir = flags['data-dir'];
  return dataDir !== undefined ? withLocal(dataDir, fn) : withClient(flags, fn);
}

/**
 * The arguments without undefined fields. The wire encodes undefined as nil, and the broker reads
 * a nil filter or limit as a bad value, not as "absent", so absent flags must not be sent at all.
 */
export function defined<T extends object>(args: T): T {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) as T;
}
