/**
 * The dashboard's browser scripts are type-checked: `tsc -p src/dashboard` passes, and the same
 * settings reject a script with a type error (so a check that silently checks nothing fails here).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const DASHBOARD = join(ROOT, 'src/dashboard');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function tsc(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [TSC, '-p', project, '--noEmit', '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('dashboard type check', () => {
  it('tsc -p src/dashboard passes', () => {
    const { status, output } = tsc(DASHBOARD);
    assert.equal(status, 0, output);
  });

  it('the same settings reject a script with a type error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tq-dashboard-tsc-'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(DASHBOARD, 'tsconfig.json'), include: ['*.js'] }));
      // No `// @ts-check`: checkJs must check it anyway. getElementById may be null, and a count is no string.
      writeFileSync(join(dir, 'bad.js'), "document.getElementById('x').textContent = 1;\n");
      const { status, output } = tsc(dir);
      assert.notEqual(status, 0, output);
      assert.match(output, /bad\.js\(1,1\): error TS2531: Object is possibly 'null'/);
      assert.match(output, /bad\.js\(1,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
