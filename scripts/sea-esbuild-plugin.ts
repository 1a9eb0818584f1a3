// esbuild plugin for the single-executable bundle (see build-binary.ts).
//
// - Native addons: packages load their `.node` file through
//   node-gyp-build-optional-packages (lmdb, msgpackr-extract) or node-gyp-build,
//   which search node_modules at run time. Each such import is replaced by a
//   call to src/sea/native.ts loadAddon(<package>), and the `.node` file that the
//   loader itself would pick on this Node is recorded, to be carried as a SEA
//   asset `native/<package>.node`. A new native dependency that uses either
//   loader is picked up without changes here. One that requires its `.node`
//   file by a literal path makes esbuild fail (no loader for .node); one that
//   uses `bindings` or a computed path would only fail at run time, in the
//   binary: .ci/run's smoke test is there for that.
// - Direct eval: a bundle hoists every ES module into one scope and renames
//   clashing top-level names, but code built at run time and run by a direct
//   eval() still uses the original names. ordered-binary (lmdb's key codec)
//   evals its string decoder, which then reads another module's `position`
//   (seen: "RangeError: Invalid array length" from key reads, and a write
//   promise that never settled). Such packages are bundled from their
//   CommonJS build, which esbuild wraps in a function so its names stay as
//   written. build-binary.ts fails the build on direct eval in any other ES
//   module.
// - ink: its React DevTools support (only when the environment has DEV=true)
//   imports react-devtools-core, which is not a dependency, and reads ink's own
//   package.json from disk. Neither exists in the binary, so the devtools module
//   becomes an empty one and ink's `DEV === 'true'` tests become false (else any
//   DEV=true in a user's environment prints a stack trace on every render).
// - The dashboard: src/broker/http/dashboard-files.ts reads the page's files from
//   src/dashboard, which the binary does not have. It becomes a module that
//   returns what that very function read at build time.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { readDashboardFiles } from '../src/broker/http/dashboard-files.ts';

/** Packages whose ES build uses direct eval: bundled from their CommonJS build. */
const USE_COMMONJS_BUILD = /^(ordered-binary)$/;
const NATIVE_LOADER = /^(node-gyp-build-optional-packages|node-gyp-build)$/;
const NATIVE_TS = fileURLToPath(new URL('../src/sea/native.ts', import.meta.url));

/** key: the SEA asset name; file: the `.node` file it is read from at build time. */
export type NativeAddon = { pkg: string; key: string; file: string };

function packageRoot(file: string): { dir: string; name: string } {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const { name } = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string };
      if (name) return { dir, name };
    }
    if (dirname(dir) === dir) throw new Error(`no package.json with a name above ${file}`);
  }
}

export function seaPlugin(natives: Map<string, NativeAddon>): Plugin {
  return {
    name: 'tq-sea',
    setup(build) {
      build.onResolve({ filter: USE_COMMONJS_BUILD }, (args) => ({
        path: createRequire(args.importer).resolve(args.path),
      }));
      build.onResolve({ filter: NATIVE_LOADER }, (args) => {
        const { dir, name } = packageRoot(args.importer);
        if (!natives.has(name)) {
          // Ask the very loader the package would use which file it picks here.
          const loader = createRequire(join(dir, 'package.json'))(args.path) as { path(dir: string): string };
          const file = resolve(loader.path(dir));
          natives.set(name, { pkg: name, key: `native/${name.replace(/\//g, '+')}.node`, file });
        }
        return { path: name, namespace: 'tq-native' };
      });
      build.onLoad({ filter: /.*/, namespace: 'tq-native' }, (args) => {
        const addon = natives.get(args.path)!;
        const name = addon.key.slice('native/'.length, -'.node'.length);
        return {
          // CommonJS, since callers both `import loadNAPI from` and `require(...)(__dirname)` it.
          contents:
            `const { loadAddon } = require(${JSON.stringify(NATIVE_TS)});\n` +
            `module.exports = function loadNative() { return loadAddon(${JSON.stringify(name)}); };\n`,
          loader: 'js',
          resolveDir: dirname(NATIVE_TS),
        };
      });
      build.onLoad({ filter: /[\\/]src[\\/]broker[\\/]http[\\/]dashboard-files\.ts$/ }, () => ({
        contents: `export function readDashboardFiles() {\n  return ${JSON.stringify(readDashboardFiles())};\n}\n`,
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]devtools\.js$/ }, () => ({
        contents: 'export {};\n',
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const DEV_TEST = /process\.env\[['"]DEV['"]\]\s*===\s*['"]true['"]/g;
        const contents = source.replace(DEV_TEST, 'false');
        return {
          contents,
          loader: 'js',
          warnings:
            contents === source
              ? [{ text: `tq-sea: ink's DEV test not found in ${args.path}; check the devtools stub still fits` }]
              : [],
        };
      });
    },
  };
}
