// How to start tq again as a child process (e.g. a worker), the same way in
// the checkout and inside the single executable.
//
// Inside dist/tq, process.execPath is dist/tq itself and every argument goes to
// tq, so `spawn(process.execPath, ['worker', ...])` works. In the checkout,
// process.execPath is Node and the CLI is bin/run.js, which must come first.
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';

export function tqCommand(args: readonly string[]): { command: string; args: string[] } {
  if (isSea()) return { command: process.execPath, args: [...args] };
  const runJs = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
  return { command: process.execPath, args: [runJs, ...args] };
}
