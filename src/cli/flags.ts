/**
 * Flags shared by the admin commands. Only @oclif/core here: every command file imports this at
 * start-up (for --help), so nothing heavy may come in through it.
 */
import { Flags } from '@oclif/core';
import { brokerFlag } from './command.ts';

/** `--api-key KEY`: what a broker started with apiKeys asks every connection for. */
export const apiKeyFlag = Flags.string({
  description: 'the API key, for a broker started with apiKeys',
  env: 'TQ_API_KEY',
  helpValue: 'KEY',
});

/** The flags of every command that talks to a broker: where it is and the key it asks for. */
export const brokerFlags = { broker: brokerFlag, 'api-key': apiKeyFlag };

/** What withClient needs from a command's flags. */
export interface BrokerTarget {
  broker: string;
  'api-key'?: string;
}

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `--output table|json|yaml`: JSON and YAML print times as ISO-8601 and binary as {"$base64": ...}. */
export const outputFlag = Flags.option({
  char: 'o',
  description: 'how to print: a table for people, json or yaml for programs',
  options: OUTPUT_FORMATS,
  default: 'table' as const,
})();

/** `--data-dir DIR` on read-only commands: read the LMDB files directly instead of asking a broker. */
export const readDataDirFlag = Flags.string({
  description: 'read this data directory directly (read-only, no broker needed; works while a broker runs) instead of asking --broker',
  helpValue: 'DIR',
});

/** `--limit` and `--cursor`: one page of a listing, and the next. */
export const pageFlags = {
  limit: Flags.integer({ char: 'l', description: 'tasks per page, 1-1000 [default: 100]', min: 1, max: 1000 }),
  cursor: Flags.string({ description: 'continue after an earlier page: its nextCursor' }),
};

/** `--yes` on commands that delete tasks for good. */
export const yesFlag = Flags.boolean({
  char: 'y',
  description: 'confirm: this deletes tasks for good (required, there is no prompt)',
  default: false,
});

/** `--wait-timeout 60s`: how long --wait waits; unlimited by default. */
export const waitTimeoutFlag = Flags.string({
  description: 'give up waiting after this long, e.g. 60s, 5m (exit 1) [default: no limit]',
  helpValue: 'DURATION',
});

/**
 * Flags that cannot go together, checked here rather than with oclif's `exclusive` (whose error
 * spans several lines): the first pair given together is a usage error naming both.
 */
export function conflicts(flags: Record<string, unknown>, pairs: [string, string[], string?][]): string | null {
  const given = (name: string) => flags[name] !== undefined && flags[name] !== false && !(Array.isArray(flags[name]) && (flags[name] as unknown[]).length === 0);
  for (const [flag, others, why] of pairs) {
    if (!given(flag)) continue;
    const other = others.find(given);
    if (other !== undefined) return `--${flag} and --${other} cannot go together${why ? `: ${why}` : ''}`;
  }
  return null;
}
