/** What the CLI reads: files or stdin (`-`), and JSON whose errors name the flag they came from. */
import { readFile } from 'node:fs/promises';
import { CliError } from './errors.ts';
import { fromJsonValue } from '../protocol/plain.ts';

/** Reads a file, or all of stdin for `-`; a missing or unreadable file is one clear error naming the flag. */
export async function readInput(path: string, flag: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot read ${flag} ${path}: ${why}`);
  }
}

/** Parses JSON (with {"$base64": ...} as binary); bad JSON is an error naming `what`. */
export function parseJson(text: string, what: string, hint = ''): unknown {
  try {
    return fromJsonValue(JSON.parse(text));
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new CliError(`${what} is not valid JSON (${reason})${hint}`);
  }
}
