/**
 * The fuzzers' randomness and budget: a seeded PRNG (mulberry32) so that a printed seed replays a
 * run, one PRNG per case derived from the seed and the case number so that one case replays alone,
 * and the run's size from the environment (TQ_FUZZ_SEED, TQ_FUZZ_CASES, TQ_FUZZ_SECONDS, TQ_FUZZ_ONLY).
 */
import { randomInt } from 'node:crypto';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  string(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}

/** The PRNG of case `index` of the run with `seed`: the same for a replay, whatever ran before it. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

export interface FuzzBudget {
  seed: number;
  /** Whether case `index` should run, given the cases and the time left. */
  more: (index: number) => boolean;
  /** When TQ_FUZZ_ONLY names one case, only that one runs. */
  runs: (index: number) => boolean;
  /** A line to print: how to replay this run. */
  describe: string;
  /** The wall-clock bound of the whole run in ms (for the test runner's timeout). */
  timeoutMs: number;
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer (got ${JSON.stringify(raw)})`);
  return value;
}

/**
 * The run's seed and size: TQ_FUZZ_CASES cases, else TQ_FUZZ_SECONDS (default `defaultSeconds`) of
 * cases; `caseMs` is what one case may take at worst, for the timeout of a run sized in cases.
 */
export function fuzzBudget(name: string, defaultSeconds: number, caseMs: number): FuzzBudget {
  const seed = envInt('TQ_FUZZ_SEED') ?? randomInt(1, 2 ** 31);
  const cases = envInt('TQ_FUZZ_CASES');
  const only = envInt('TQ_FUZZ_ONLY');
  const seconds = envInt('TQ_FUZZ_SECONDS') ?? defaultSeconds;
  // The clock starts with the first case, so set-up (a broker, sample data) does not eat the budget.
  let deadline: number | undefined;
  const size = cases !== undefined ? `TQ_FUZZ_CASES=${cases}` : `TQ_FUZZ_SECONDS=${seconds}`;
  return {
    seed,
    more: (index) => {
      if (only !== undefined) return index <= only;
      if (cases !== undefined) return index < cases;
      deadline ??= Date.now() + seconds * 1_000;
      return Date.now() < deadline;
    },
    runs: (index) => only === undefined || index === only,
    describe: `${name}: seed ${seed}, ${size}; replay with TQ_FUZZ_SEED=${seed} (one case: TQ_FUZZ_ONLY=<case>)`,
    // Cases in flight when the budget ends still finish, and set-up and the final checks take time too.
    timeoutMs: cases !== undefined ? Math.max(cases * caseMs, 60_000) : (seconds + 120) * 1_000,
  };
}

/** A value as a short line for a failure message: long strings and buffers cut, deep values elided. */
export function shorten(value: unknown, max = 300): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, field: unknown) => {
      if (typeof field === 'string' && field.length > 40) return `${field.slice(0, 20)}…(${field.length} chars)`;
      if (typeof field === 'bigint') return `${field}n`;
      if (field instanceof Uint8Array || (field && typeof field === 'object' && (field as { type?: unknown }).type === 'Buffer')) {
        const bytes = Buffer.from(field instanceof Uint8Array ? field : ((field as { data: number[] }).data ?? []));
        return `<${bytes.length} bytes ${bytes.subarray(0, 24).toString('hex')}${bytes.length > 24 ? '…' : ''}>`;
      }
      if (typeof field === 'number' && !Number.isFinite(field)) return String(field);
      return field;
    }) ?? String(value);
  } catch {
    text = `<unprintable: ${String(value).slice(0, 60)}>`;
  }
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
