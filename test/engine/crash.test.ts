/**
 * Crash safety of group commit: a process submits tasks and prints each id once its submit has
 * resolved; it is killed with SIGKILL at a random moment; the directory is then reopened twice,
 * as after a process crash (normal open) and as after a power loss (LMDB_RESTORE=safe, which rolls
 * back to the last flushed transaction, as LMDB does after a reboot). Every printed id must be
 * there both times. Replay a failure with TQ_CRASH_SEED=<seed> (printed as a diagnostic).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** TQ_CRASH_CHILD swaps in another child, e.g. a broken copy, to check that this test can fail. */
const CHILD = process.env.TQ_CRASH_CHILD ?? fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROUNDS = Number(process.env.TQ_CRASH_ROUNDS ?? 5);
const SEED = Number(process.env.TQ_CRASH_SEED ?? randomInt(2 ** 31));
const FIRST_ID_TIMEOUT_MS = 20_000;

function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Killed {
  ids: string[];
  pid: number;
}

/** Runs the submitting child and kills it `delayMs` after it printed its first id. */
function submitUntilKilled(dir: string, seed: number, delayMs: number): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, 'submit', dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const noId = setTimeout(() => child.kill('SIGKILL'), FIRST_ID_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!armed && stdout.includes('\n')) {
        armed = true;
        clearTimeout(noId);
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(noId);
      if (signal !== 'SIGKILL' || !armed) {
        reject(new Error(`the submitting child ended by itself (code ${code}, signal ${signal}, armed ${armed}):\n${stderr}`));
        return;
      }
      // Only complete lines count: a line cut by the kill was never fully printed.
      const ids = stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter((line) => line.length > 0);
      resolve({ ids, pid: child.pid! });
    });
  });
}

interface CheckReport {
  printed: number;
  missing: number;
  firstMissing: string[];
  listed: number;
  counted: number;
}

function reopenAndCheck(dir: string, idsFile: string, powerLoss: boolean): Promise<CheckReport> {
  const env = { ...process.env };
  if (powerLoss) env.LMDB_RESTORE = 'safe';
  else delete env.LMDB_RESTORE;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, 'check', dir, idsFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`reopening ${dir}${powerLoss ? ' with LMDB_RESTORE=safe' : ''} failed (exit ${code}):\n${stderr}`));
      else resolve(JSON.parse(stdout) as CheckReport);
    });
  });
}

test('every acknowledged submit survives SIGKILL, and a simulated power loss', { timeout: 120_000 }, async (t) => {
  const random = generator(SEED);
  // Kill delays and the children's seeds all come from SEED, so TQ_CRASH_SEED replays the plan
  // (not the exact kill instant: that depends on the machine's timing).
  const rounds = Array.from({ length: ROUNDS }, () => ({ delayMs: 20 + Math.floor(random() * 900), seed: Math.floor(random() * 2 ** 31) }));
  t.diagnostic(`seed ${SEED}: kill delays ${rounds.map((round) => round.delayMs).join(', ')} ms (replay: TQ_CRASH_SEED=${SEED})`);

  for (const [index, { delayMs, seed }] of rounds.entries()) {
    await t.test(`round ${index + 1}: SIGKILL ${delayMs} ms after the first acknowledged id`, async (t) => {
      const root = mkdtempSync(join(tmpdir(), 'tq-crash-'));
      t.after(() => rmSync(root, { recursive: true, force: true }));
      const dir = join(root, 'data');
      const killed = await submitUntilKilled(dir, seed, delayMs);
      assert.ok(killed.ids.length > 0, 'the child acknowledged no submit before it was killed');

      // The killed writer leaves its lock behind; reopening must take it over.
      assert.equal(readFileSync(join(dir, 'broker.lock'), 'utf8'), String(killed.pid), 'the killed child left its lock');

      // One copy per reopen, taken before either opens it, so neither reopen can influence the other.
      const powerLossDir = join(root, 'power-loss');
      cpSync(dir, powerLossDir, { recursive: true });
      const idsFile = join(root, 'ids.txt');
      writeFileSync(idsFile, `${killed.ids.join('\n')}\n`);

      const [crash, powerLoss] = await Promise.all([reopenAndCheck(dir, idsFile, false), reopenAndCheck(powerLossDir, idsFile, true)]);
      t.diagnostic(
        `printed ${killed.ids.length} ids; pending after reopen: ${crash.counted} (process crash), ${powerLoss.counted} (power loss)`,
      );
      for (const [what, report] of [['process crash', crash], ['power loss (LMDB_RESTORE=safe)', powerLoss]] as const) {
        assert.equal(report.missing, 0, `${what}: ${report.missing} of ${report.printed} acknowledged ids lost, e.g. ${report.firstMissing.join(', ')}`);
        assert.equal(report.listed, report.counted, `${what}: the counters disagree with the index`);
        assert.ok(report.counted >= killed.ids.length, `${what}: fewer pending tasks than acknowledged ids`);
      }
      assert.equal(existsSync(join(dir, 'broker.lock')), false, 'the reopening process released the lock it took over');
    });
  }
});
