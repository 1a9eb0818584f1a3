// `npm run build:binary`: builds dist/tq, one executable that runs every tq
// command on a Linux machine with neither Node nor node_modules, using Node's
// Single Executable Applications (SEA). Offline; takes seconds.
//
//   1. esbuild bundles src/sea/entry.ts (oclif + every command that
//      src/commands/index.ts exports) into one ESM file, dist/sea/tq.mjs;
//      native addons are redirected to SEA assets (sea-esbuild-plugin.ts).
//   2. The assets (bundle, `.node` files, lmdb's dict/dict.txt) are hashed
//      into a build id.
//   3. esbuild compiles src/sea/main.ts, the SEA main, to CommonJS (Node 24's
//      SEA main cannot be ESM), with the build id and asset list filled in.
//   4. `node --experimental-sea-config` writes the SEA blob; postject injects
//      it into a stripped copy of this very Node binary, which becomes dist/tq.
//   5. dist/tq --version is run once from an empty directory as a check.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { type NativeAddon, seaPlugin } from './sea-esbuild-plugin.ts';
import { BROKER_NODE_OPTIONS } from '../src/sea/node-options.ts';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist');
const work = join(out, 'sea');
const target = join(out, 'tq');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
};
// The fuse string Node's SEA looks for (documented, fixed across versions).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function step(label: string): void {
  console.log(`[build:binary ${((performance.now() - started) / 1000).toFixed(1)}s] ${label}`);
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

// The binary is a copy of the Node running this script: it must be the Node
// the project pins, not whatever `node` a shell finds.
const pinned = pkg.devDependencies.node;
if (process.versions.node !== pinned) {
  throw new Error(`build:binary must run on the pinned Node ${pinned} (npm run build:binary), not ${process.version}`);
}
if (process.platform !== 'linux') throw new Error('build:binary builds for Linux only');

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 1. The application bundle.
step('bundling');
const natives = new Map<string, NativeAddon>();
const bundlePath = join(work, 'tq.mjs');
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src/sea/entry.ts')],
  outfile: bundlePath,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // oclif only uses typescript to read tsconfig in development, in a try.
  external: ['typescript'],
  // CommonJS dependencies in an ESM bundle still call require() for Node
  // built-ins and read __dirname / __filename.
  banner: {
    js: [
      "import { createRequire as __tqCreateRequire } from 'node:module';",
      "import { fileURLToPath as __tqFileURLToPath } from 'node:url';",
      'const require = __tqCreateRequire(import.meta.url);',
      'const __filename = __tqFileURLToPath(import.meta.url);',
      "const __dirname = __tqFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  // React (for ink) and others pick their production build by this; set at
  // build time so the development builds are not even bundled.
  define: { 'process.env.NODE_ENV': '"production"' },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  // Errors are printed by esbuild; warnings below, once sorted.
  logLevel: 'error',
  // esbuild hides warnings from node_modules; direct eval must be seen.
  logOverride: { 'direct-eval': 'warning' },
  plugins: [seaPlugin(natives)],
});
// Direct eval is safe only in CommonJS modules (each wrapped in its own
// function); in a hoisted ES module the evaluated code sees renamed names.
const isSafeEval = (w: esbuild.Message) =>
  w.id === 'direct-eval' && !!w.location && result.metafile.inputs[w.location.file]?.format === 'cjs';
const warnings = result.warnings.filter((w) => !isSafeEval(w));
if (warnings.length > 0) {
  const text = await esbuild.formatMessages(warnings, { kind: 'warning', color: process.stderr.isTTY });
  process.stderr.write(text.join(''));
}
const unsafeEval = warnings.find((w) => w.id === 'direct-eval');
if (unsafeEval) {
  throw new Error(
    `${unsafeEval.location?.file} uses direct eval inside the bundle's shared scope: add its package to ` +
      'USE_COMMONJS_BUILD in scripts/sea-esbuild-plugin.ts (if it has a CommonJS build) or patch it there',
  );
}
writeFileSync(join(work, 'meta.json'), JSON.stringify(result.metafile));

// 2. Assets and build id.
const assets: Record<string, string> = { 'tq.mjs': bundlePath };
for (const addon of natives.values()) assets[addon.key] = addon.file;
const lmdbInput = Object.keys(result.metafile.inputs).find((p) => /(^|\/)node_modules\/lmdb\/open\.js$/.test(p));
if (lmdbInput) {
  // lmdb reads new URL('./dict/dict.txt', import.meta.url) for compression:
  // relative to the bundle, i.e. inside the extraction directory.
  assets['dict/dict.txt'] = join(root, dirname(lmdbInput), 'dict/dict.txt');
}
const hash = createHash('sha256').update(`node ${process.version}\n`);
const assetList = Object.entries(assets)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([key, file]) => {
    const data = readFileSync(file);
    hash.update(`${key} ${data.length}\n`).update(data);
    return { key, size: data.length };
  });
const buildId = `${pkg.version}-${hash.digest('hex').slice(0, 16)}`;

// 3. The SEA main.
const mainPath = join(work, 'main.cjs');
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src/sea/main.ts')],
  outfile: mainPath,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  define: {
    __TQ_BUILD_ID__: JSON.stringify(buildId),
    __TQ_ASSETS__: JSON.stringify(assetList),
    __TQ_ENTRY__: JSON.stringify('tq.mjs'),
  },
  logLevel: 'warning',
});

// 4. Blob, then inject into a stripped copy of this Node.
step('writing SEA blob');
const blobPath = join(work, 'sea-prep.blob');
const seaConfig = {
  main: mainPath,
  output: blobPath,
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  useCodeCache: false,
  // V8 options a broker needs from start-up (src/sea/node-options.ts). SEA applies them to every
  // command of the executable; NODE_OPTIONS can still add to them.
  execArgv: [...BROKER_NODE_OPTIONS],
  assets,
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig, null, 2));
run(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')]);

step('injecting into a copy of node');
const tmpTarget = `${target}.tmp`;
copyFileSync(process.execPath, tmpTarget);
chmodSync(tmpTarget, 0o755);
// The npm `node` binary carries ~40 MB of debug info; strip(1) drops it (the
// dynamic symbols that addons link against stay). Without binutils, skip.
const strip = spawnSync('strip', [tmpTarget], { stdio: 'inherit' });
if (strip.error || strip.status !== 0) console.warn('build:binary: strip unavailable or failed; binary left unstripped');
const binary = readFileSync(tmpTarget);
if (!binary.includes(`${SEA_FUSE}:0`)) throw new Error(`${process.execPath} has no SEA fuse`);
const { inject } = require('postject') as {
  inject(file: string, name: string, data: Buffer, options: { sentinelFuse: string; overwrite?: boolean }): Promise<void>;
};
// postject's ELF library warns once per note section of Node's binary that it
// cannot name ("Can't find string offset for section name '.note...'");
// harmless, so filtered (postject binds console.warn when inject() loads it).
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (!/^warning: Can't find string offset for section name '\.note/.test(String(args[0]))) warn(...args);
};
try {
  await inject(tmpTarget, 'NODE_SEA_BLOB', readFileSync(blobPath), { sentinelFuse: SEA_FUSE });
} finally {
  console.warn = warn;
}
renameSync(tmpTarget, target);

// 5. Smoke check: from an empty directory, with a fresh cache.
step('checking');
const scratch = mkdtempSync(join(tmpdir(), 'tq-build-check-'));
try {
  const check = spawnSync(target, ['--version'], {
    cwd: scratch,
    env: { PATH: '/usr/bin:/bin', HOME: scratch, XDG_CACHE_HOME: join(scratch, 'cache') },
    encoding: 'utf8',
  });
  const expected = `${pkg.name}/${pkg.version} `;
  if (check.status !== 0 || !check.stdout.startsWith(expected)) {
    throw new Error(`dist/tq --version failed (exit ${check.status}):\n${check.stdout}${check.stderr}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
step(
  `${relative(root, target)}: ${mib(statSync(target).size)} (bundle ${mib(statSync(bundlePath).size)}, ` +
    `addons: ${[...natives.keys()].join(', ') || 'none'}), build id ${buildId}`,
);
