/**
 * Fuzzes the data-directory readers (issue 12): random and damaged files as a data directory fed
 * to `tq stats --data-dir`, `tq data info --data-dir` and `tq broker start --data-dir`. Each must
 * exit by itself within a bound, never by a signal, and a refusal is one line on stderr.
 * Prints its seed; TQ_FUZZ_SEED replays a run, TQ_FUZZ_ONLY one case of it, TQ_FUZZ_SECONDS or
 * TQ_FUZZ_CASES sizes it; TQ_FUZZ_REPORT=file writes every finding as JSON.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDir, removeDir } from '../helpers/broker.ts';
import { dataDirCase, intactCase, realDataFile, runBounded, type Bounded } from '../helpers/fuzz/data-dir.ts';
import { Findings, printFindings, reportCategories, saveFindings } from '../helpers/fuzz/findings.ts';
import { caseRng, fuzzBudget } from '../helpers/fuzz/random.ts';

const CATEGORIES = {
  bounded: 'every command exits by itself within the bound (a broker: once stopped with SIGTERM)',
  'no-signal': 'no command dies of a signal or with exit 134, 135 or 139',
  'one-line': 'a command that refuses the directory prints one line on stderr, starting "tq: ", and no stack trace',
  'proc-path': 'a data directory under /proc is refused within the bound',
};
type Category = keyof typeof CATEGORIES;

const budget = fuzzBudget('data-dir fuzz', 6, 15_000);
const BOUND_MS = 20_000;
const COMMANDS: { name: string; args: (dir: string) => string[] }[] = [
  { name: 'tq stats', args: (dir) => ['stats', '--data-dir', dir, '-o', 'json'] },
  { name: 'tq data info', args: (dir) => ['data', 'info', '--data-dir', dir, '-o', 'json'] },
  { name: 'tq broker start', args: (dir) => ['broker', 'start', '--data-dir', dir, '--port', '0'] },
];

/** The problems with how one command ended, by category. */
function problems(result: Bounded, underProc: boolean): [Category, string][] {
  const found: [Category, string][] = [];
  const printed = `stderr: ${result.stderr.slice(0, 300)} stdout: ${result.stdout.slice(-200)}`;
  if (result.timedOut) return [[underProc ? 'proc-path' : 'bounded', `still running after ${BOUND_MS} ms; ${printed}`]];
  if (result.signal !== null || [134, 135, 139].includes(result.code ?? -1)) return [['no-signal', `ended by ${result.signal ?? `exit ${result.code}`}; ${printed}`]];
  if (result.started) {
    if (result.code !== 0) found.push(['no-signal', `the broker came up but exited ${result.code} on SIGTERM; ${printed}`]);
    return found;
  }
  if (result.code !== 0) {
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    if (lines.length !== 1 || !lines[0]!.startsWith('tq: ') || /^\s+at /m.test(result.stderr + result.stdout)) found.push(['one-line', `exit ${result.code} with ${lines.length} line(s) on stderr: ${printed}`]);
  }
  return found;
}

let findings: Findings | undefined;
let real: Buffer;

describe('fuzz: damaged data directories', { timeout: budget.timeoutMs + 3 * BOUND_MS + 60_000 }, () => {
  const roots: string[] = [];

  before(
    async () => {
      console.log(budget.describe);
      real = await realDataFile();
      const run = new Findings(budget.seed);
      let cases = 0;
      for (let index = 0; budget.more(index); index++) {
        if (!budget.runs(index)) continue;
        cases++;
        const root = tempDir('tq-fuzz-dir-');
        roots.push(root);
        const sample = dataDirCase(caseRng(budget.seed, index), real, root);
        const underProc = sample.dir.startsWith('/proc');
        // The readers first (a broker may repair what it opens), then the broker, on the same directory.
        const readers = await Promise.all(COMMANDS.slice(0, 2).map((command) => runBounded(command.args(sample.dir), BOUND_MS)));
        const broker = await runBounded(COMMANDS[2]!.args(sample.dir), BOUND_MS);
        [...readers, broker].forEach((result, i) => {
          for (const [category, problem] of problems(result, underProc)) run.add(category, index, `${COMMANDS[i]!.name} --data-dir with ${sample.label}`, problem);
        });
        removeDir(root);
      }
      console.log(`data-dir fuzz: ${cases} cases, ${run.all.length} finding(s); ${budget.describe}`);
      printFindings('data-dir fuzz', run);
      saveFindings(run);
      findings = run;
    },
    { timeout: budget.timeoutMs + 3 * BOUND_MS + 60_000 },
  );

  after(() => {
    for (const root of roots) removeDir(root);
  });

  // The control: the same commands succeed on the intact file, so a refusal above is the damage's doing.
  it('the commands read an intact data directory', async () => {
    const root = tempDir('tq-fuzz-dir-');
    roots.push(root);
    const sample = intactCase(real, root);
    const stats = await runBounded(COMMANDS[0]!.args(sample.dir), BOUND_MS);
    assert.equal(stats.code, 0, stats.stderr);
    const totals = (JSON.parse(stats.stdout) as { totals: Record<string, number> }).totals;
    assert.equal(Object.values(totals).reduce((a, b) => a + b, 0), 200, stats.stdout);
    const info = await runBounded(COMMANDS[1]!.args(sample.dir), BOUND_MS);
    assert.equal(info.code, 0, info.stderr);
    const broker = await runBounded(COMMANDS[2]!.args(sample.dir), BOUND_MS);
    assert.ok(broker.started, broker.stderr + broker.stdout);
    assert.equal(broker.code, 0, broker.stderr);
  });

  reportCategories(CATEGORIES, () => findings);
});

