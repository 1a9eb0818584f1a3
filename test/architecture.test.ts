/**
 * The import rules of the architecture (shared/DESIGN.md): which room of src/ may import which.
 * Read from the source itself (every static and dynamic import of a relative path; `import type`
 * counts too, so the vocabulary cannot drift back into the engine), plus one run that shows
 * importing the public library loads no LMDB.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');

/**
 * Room -> the rooms it may import besides itself. A room is src/'s first folder, but for the
 * sub-rooms named here. Anything not listed for a room is forbidden to it.
 */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  log: [],
  config: ['model'],
  protocol: ['model'],
  engine: ['model'],
  'cluster/raft': ['model'],
  client: ['model', 'protocol'],
  worker: ['model', 'protocol', 'client', 'config', 'log'],
  dashboard: ['model'],
  top: ['model', 'protocol', 'client', 'cli'],
  cli: ['model', 'protocol', 'client', 'config', 'log', 'worker', 'broker', 'sea'],
  broker: ['model', 'engine', 'cluster', 'protocol', 'config', 'log', 'dashboard'],
  cluster: ['model', 'engine', 'protocol', 'log'],
  commands: ['model', 'config', 'cli', 'top', 'worker', 'broker'],
  sea: ['cli', 'commands'],
  '.': ['client', 'protocol', 'model', 'worker'],
};

/** The one module outside the broker that may open an engine: the CLI's read-only `--data-dir`. */
const EXCEPTIONS: ReadonlyArray<readonly [from: string, to: string]> = [['cli/local-reader.ts', 'engine']];

const SUB_ROOMS = ['cluster/raft'];

function roomOf(path: string): string {
  const sub = SUB_ROOMS.find((room) => path.startsWith(`${room}/`));
  if (sub) return sub;
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : '.';
}

/** Every relative import in a file, as paths relative to src/. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|(?:^|\n)\s*import\s+'(\.[^']+)'/g)];
  return specs.map((m) => relative(SRC, resolve(dirname(join(SRC, file)), m[1] ?? m[2] ?? m[3]!)));
}

/** The imports that break a rule, as `from -> to` lines. */
function violations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const from = roomOf(file);
    const allowed = ALLOWED[from];
    for (const target of targets) {
      const to = roomOf(target);
      if (to === from || target.startsWith('..')) continue;
      if (EXCEPTIONS.some(([f, t]) => f === file && t === to)) continue;
      if (allowed === undefined) found.push(`${file} -> ${target} (room ${from} has no rule: add it to ALLOWED)`);
      else if (!allowed.includes(to)) found.push(`${file} -> ${target} (${from} may not import ${to})`);
    }
  }
  return found;
}

function sourceGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const entry of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!/\.(tsx?|js)$/.test(entry)) continue;
    graph.set(entry, importsOf(entry, readFileSync(join(SRC, entry), 'utf8')));
  }
  return graph;
}

describe('architecture', () => {
  it('every import in src/ keeps the rules between rooms', () => {
    const graph = sourceGraph();
    assert.ok(graph.size > 100, `read only ${graph.size} files`);
    assert.deepEqual(violations(graph), []);
  });

  it('the check catches a forbidden import: the client reaching into the engine, the model into anything', () => {
    const graph = new Map([
      ['client/client.ts', ['engine/engine.ts', 'model/task.ts']],
      ['model/task.ts', ['protocol/messages.ts']],
      ['cli/tables.ts', ['engine/reads.ts']],
      ['cli/local-reader.ts', ['engine/engine.ts']],
      ['cluster/raft/raft.ts', ['engine/engine.ts']],
    ]);
    assert.deepEqual(violations(graph), [
      'client/client.ts -> engine/engine.ts (client may not import engine)',
      'model/task.ts -> protocol/messages.ts (model may not import protocol)',
      'cli/tables.ts -> engine/reads.ts (cli may not import engine)',
      'cluster/raft/raft.ts -> engine/engine.ts (cluster/raft may not import engine)',
    ]);
  });

  it('the import reader sees static, type-only, re-exported and dynamic imports', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../model/b.ts';",
      "export * from '../model/c.ts';",
      "const { d } = await import('../engine/d.ts');",
      "import './e.ts';",
      "import { f } from 'lmdb';",
    ].join('\n');
    assert.deepEqual(importsOf('client/x.ts', text), ['client/a.ts', 'model/b.ts', 'model/c.ts', 'engine/d.ts', 'client/e.ts']);
  });

  it('importing the public library (src/index.ts) loads no LMDB and no engine module', () => {
    // A resolve hook records every module the import loads, in a real Node process.
    const hook = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
      await import(${JSON.stringify(join(SRC, 'index.ts'))});
      process.stdout.write(JSON.stringify(seen));
    `;
    const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', hook], { encoding: 'utf8' })) as string[];
    assert.ok(loaded.some((url) => url.endsWith('/src/client/client.ts')), 'the hook saw the client load');
    assert.deepEqual(loaded.filter((url) => /\/node_modules\/lmdb\/|\/src\/engine\//.test(url)), []);
  });
});
