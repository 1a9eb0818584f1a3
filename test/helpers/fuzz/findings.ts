/**
 * What a fuzz run found, by check category. A run collects every violation instead of stopping at
 * the first, so one run reports each defect it met; the test then asserts per category.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { it } from 'node:test';

export interface Finding {
  category: string;
  seed: number;
  case: number;
  /** The input, shortened. */
  input: string;
  /** What happened instead of what should have. */
  problem: string;
}

export class Findings {
  readonly all: Finding[] = [];
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  add(category: string, index: number, input: string, problem: string): void {
    this.all.push({ category, seed: this.seed, case: index, input, problem });
  }

  in(category: string): Finding[] {
    return this.all.filter((finding) => finding.category === category);
  }
}

export function describeFinding(finding: Finding): string {
  return `seed ${finding.seed} case ${finding.case}: ${finding.problem}\n    input: ${finding.input}`;
}

/**
 * One test per category: it fails listing (up to 5 of) its findings, each with the seed, case and
 * input to replay it.
 */
export function reportCategories(categories: Record<string, string>, findings: () => Findings | undefined): void {
  for (const [category, title] of Object.entries(categories)) {
    it(`${category}: ${title}`, () => {
      const run = findings();
      assert.ok(run, 'the fuzz run did not complete');
      const found = run.in(category);
      assert.equal(found.length, 0, `${found.length} finding(s):\n${found.slice(0, 5).map(describeFinding).join('\n')}`);
    });
  }
}

/** Writes every finding as JSON to the file TQ_FUZZ_REPORT names, if it names one (for triage of a long run). */
export function saveFindings(run: Findings): void {
  const file = process.env.TQ_FUZZ_REPORT;
  if (file) writeFileSync(file, `${JSON.stringify(run.all, null, 1)}\n`);
}

/** Prints a run's findings by category. */
export function printFindings(name: string, run: Findings): void {
  const counts = new Map<string, Finding[]>();
  for (const finding of run.all) counts.set(finding.category, [...(counts.get(finding.category) ?? []), finding]);
  for (const [category, found] of counts) {
    console.log(`${name}: ${found.length} finding(s) in ${category}; first: ${describeFinding(found[0]!)}`);
  }
}
