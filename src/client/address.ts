/** `host:port` addresses as flags and TQ_BROKER give them. */
import { invalid } from '../model/errors.ts';

export const DEFAULT_BROKER = '127.0.0.1:7070';

export interface Address {
  host: string;
  port: number;
}

export function parseAddress(text: string): Address {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65_535) {
    throw invalid(`broker address ${JSON.stringify(text)} is invalid: use host:port, e.g. 127.0.0.1:7070`);
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

export function formatAddress(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
