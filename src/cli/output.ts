/**
 * The three output formats. JSON and YAML print the same plain data (toPlain: ISO-8601 times,
 * {"$base64": ...} binary); the table form is drawn by the caller (src/cli/tables.ts).
 */
import { dump } from 'js-yaml';
import type { OutputFormat } from './flags.ts';
import { toPlain } from '../protocol/plain.ts';

export function toJson(value: unknown): string {
  return `${JSON.stringify(toPlain(value), null, 2)}\n`;
}

export function toYaml(value: unknown): string {
  return dump(toPlain(value), { noRefs: true, lineWidth: -1 });
}

let pipeWatched = false;

/** `tq list | head -1`: the reader went away, so stop quietly, as other command-line tools do. */
function quietOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Writes `data` as JSON or YAML, or what `table()` draws for the table format. */
export function print(format: OutputFormat, data: unknown, table: () => string): void {
  const text = format === 'json' ? toJson(data) : format === 'yaml' ? toYaml(data) : table();
  quietOnClosedPipe();
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A line for people on stderr (hints, notes), so stdout keeps only the data. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
