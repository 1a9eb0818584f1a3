/**
 * Where the time goes in a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`, which runs
 * the brokers under `node --cpu-prof`): self time by function and by source area, and the
 * inclusive time of the heaviest frames.
 *
 *   node bench/profile-summary.ts DIR/CPU....cpuprofile [--top 30] [--skip SECONDS]
 *
 * --skip leaves out the first seconds of the profile (process start-up, module loading, warm-up).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, skip: { type: 'string', default: '0' } } });
const file = positionals[0];
if (!file) throw new Error('usage: node bench/profile-summary.ts FILE.cpuprofile [--top N]');
const TOP = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const SKIP_US = Number(values.skip) * 1e6;
const self = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= SKIP_US) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** Where a frame's code lives: a package, a tq source directory, node internals, or V8 itself. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/[^/]+)\//.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\/.*\//, '');
}

const label = (node: Node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;

const selfByFunction = new Map<string, number>();
const selfByArea = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
  const where = area(node.callFrame.url, node.callFrame.functionName);
  selfByArea.set(where, (selfByArea.get(where) ?? 0) + us);
}

// Inclusive time per function (counted once per sample stack even when recursive).
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
    const key = label(byId.get(up)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}

const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(us)}  ${key}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print('self time by area', selfByArea);
print('self time by function', selfByFunction);
print('inclusive time by function', inclusive);
