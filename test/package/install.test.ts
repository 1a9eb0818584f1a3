/**
 * The npm package as a user gets it: `npm pack` (which builds lib/), installed from the tarball
 * into an empty project, then used from there, where Node strips no types: the library imported
 * by a program, its declarations type-checked, the `tq` command, and README's program and
 * handlers file running a task through the installed broker and worker.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isCopiedAsIs } from '../../scripts/build-package.ts';
import { type BrokerProcess, removeDir, startBroker, tempDir } from '../helpers/broker.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// npm and the installed `tq` (#!/usr/bin/env node) run on this Node, as under `npm test`. npm's own
// variables (npm_config_local_prefix, ...) would aim a nested npm at this checkout.
const ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_'))),
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
};
const STEP_MS = 180_000;
const run = promisify(execFile);

/** Runs a command to completion within `timeoutMs`; fails with its output unless it exits 0. */
function sh(command: string, args: string[], cwd: string, timeoutMs = STEP_MS, env = ENV): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.error ?? `exit ${result.status}`}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Every file under `dir` whose name passes `keep`, relative to `dir`. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** The ```js blocks of README's "Use it from a program", by the file name on their first line. */
function readmeFiles(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Use it from a program\n')[1]?.split('\n## ')[0];
  assert.ok(section, 'README has a "Use it from a program" section');
  const files = new Map<string, string>();
  for (const [, name, body] of section.matchAll(/```js\n\/\/ (\S+)\n([\s\S]*?)```/g)) files.set(name!, body!);
  return files;
}

describe('the npm package, installed from its tarball', { timeout: 600_000 }, () => {
  let dir: string;
  let project: string;
  let tq: string;
  let packed: string[];

  before(() => {
    dir = tempDir('tq-package-');
    const [report] = JSON.parse(sh('npm', ['pack', '--pack-destination', dir, '--json'], ROOT)) as { filename: string; files: { path: string }[] }[];
    packed = report!.files.map((file) => file.path);
    project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    sh('npm', ['install', join(dir, report!.filename), '--prefer-offline', '--no-audit', '--no-fund'], project);
    tq = join(project, 'node_modules', '.bin', 'tq');
  });

  after(() => removeDir(dir));

  it('holds the build and its entry, and no sources, tests or benchmarks', () => {
    for (const file of ['bin/run.js', 'lib/index.js', 'lib/index.d.ts', 'lib/cli/run-cli.js', 'lib/commands/index.js']) {
      assert.ok(packed.includes(file), `${file} in the tarball`);
    }
    assert.deepEqual(
      packed.filter((file) => /^(src|test|bench|scripts)\//.test(file) || (/\.tsx?$/.test(file) && !file.endsWith('.d.ts'))),
      [],
    );
    // Files of src/ that are not TypeScript (the dashboard's) are read beside the code at run time.
    for (const file of filesUnder(join(ROOT, 'src'), isCopiedAsIs)) {
      assert.ok(packed.includes(`lib/${file}`), `lib/${file} in the tarball`);
    }
  });

  it('gives a program the client and the worker', () => {
    writeFileSync(
      join(project, 'imports.mjs'),
      [
        "import { TqClient, TqWorker, TASK_STATES } from 'tq';",
        "const worker = new TqWorker({ builtins: false, handlers: { resize: async () => null } });",
        'console.log(JSON.stringify({ connect: typeof TqClient.connect, types: worker.types, states: TASK_STATES.length > 0 }));',
      ].join('\n'),
    );
    const printed = JSON.parse(sh(process.execPath, ['imports.mjs'], project)) as unknown;
    assert.deepEqual(printed, { connect: 'function', types: ['resize'], states: true });
  });

  it('types a TypeScript program through its declarations', () => {
    writeFileSync(
      join(project, 'typed.ts'),
      [
        "import { TqClient, TqWorker, type Handlers, type WireTask } from 'tq';",
        'const handlers: Handlers = { resize: async (task) => ({ width: task.payload.width }) };',
        "const client = await TqClient.connect({ broker: '127.0.0.1:7070' });",
        "const task: WireTask = await client.wait((await client.submit({ type: 'resize', payload: {} })).id);",
        'new TqWorker({ handlers, queues: [task.queue] });',
        // Fails to compile should the declarations be missing and everything be `any`.
        '// @ts-expect-error: a task needs a type',
        'void client.submit({ payload: {} });',
      ].join('\n'),
    );
    // The user's own @types/node, as any TypeScript project on Node has.
    const typeRoots = [join(ROOT, 'node_modules', '@types')];
    const compilerOptions = { target: 'es2024', module: 'nodenext', strict: true, noEmit: true, types: ['node'], typeRoots };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed.ts'] }));
    sh(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', project], project);
  });

  it('runs `tq --version` from node_modules/.bin', () => {
    assert.ok(sh(tq, ['--version'], project).startsWith(`tq/${VERSION} `));
  });

  describe("README's program and handlers, through the installed broker and worker", () => {
    let broker: BrokerProcess | undefined;
    let worker: ChildProcess | undefined;

    after(async () => {
      worker?.kill('SIGKILL');
      await broker?.kill();
    });

    it('runs a task and reads its result back', async () => {
      const files = readmeFiles();
      assert.deepEqual([...files.keys()].sort(), ['app.mjs', 'handlers.mjs']);
      for (const [name, body] of files) writeFileSync(join(project, name), body);
      broker = await Promise.race([
        startBroker({ bin: tq, dataDir: join(dir, 'data'), env: ENV }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the installed broker did not start')), 30_000).unref()),
      ]);
      // The broker serves its dashboard from the installed files.
      const page = await fetch(`http://127.0.0.1:${broker.httpPort}/`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);

      const env = { ...ENV, TQ_BROKER: broker.address };
      worker = spawn(process.execPath, [tq, 'worker', 'start', '--handlers', './handlers.mjs', '--queues', 'images'], { cwd: project, env, stdio: 'ignore' });
      const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: project, env, timeout: 60_000 });
      assert.equal(stdout.trim(), 'succeeded { width: 200, resized: true }');
    });
  });
});
