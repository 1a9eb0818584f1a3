// `npm pack` (prepack): builds lib/, what the npm package runs. Node does not strip types inside
// node_modules, so the installed package needs JavaScript: tsc compiles src/ file by file, with
// declarations, into the same layout (relative paths such as src/broker/http/server.ts's
// ../../../package.json still hold), and every file of src/ that is not TypeScript (the
// dashboard's page, scripts and stylesheet) is copied next to the output that reads it.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Whether a file of src/ is one the package runs or serves as it is (not TypeScript, nor the tsconfig that checks such files). */
export function isCopiedAsIs(file: string): boolean {
  return !/\.(ts|tsx|mts|cts)$/.test(file) && basename(file) !== 'tsconfig.json';
}

function build(): void {
  const out = join(root, 'lib');
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (compiled.status !== 0) {
    process.stderr.write(`build-package: tsc failed (exit ${compiled.status ?? compiled.signal})\n`);
    process.exit(1);
  }
  cpSync(join(root, 'src'), out, { recursive: true, filter: isCopiedAsIs });
  // stderr: `npm pack --json` prints its report on stdout, where lifecycle scripts also write.
  process.stderr.write(`build-package: built ${out}\n`);
}

if (import.meta.main) build();
