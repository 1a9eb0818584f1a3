/**
 * Helper process for crash.test.ts (not a test itself).
 *
 *   node crash-child.ts submit <dir> <seed>
 *     Submits tasks for ever: several loops at once (so group commit puts many commands in one
 *     transaction), each mixing single submits, multi-task submits and applyBatch calls. Each id is
 *     printed on its own line to stdout only after the promise for its submit has resolved, i.e.
 *     once the engine says it is durable. The parent kills this process with SIGKILL.
 *
 *   node crash-child.ts check <dir> <ids-file>
 *     Reopens the directory (taking over a stale lock) and prints one JSON line: how many of the
 *     ids in <ids-file> (one a line) are missing, and whether the counters agree with the index.
 *     Run it with LMDB_RESTORE=safe to read the directory as it would be after a power loss.
 */
import { plain } from '../../src/model/value.ts';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Engine, type Command, type NewTask, TqError } from '../../src/engine/index.ts';

const [mode, dir, arg] = process.argv.slice(2);

/** mulberry32: a small seeded generator, so a run's mix of commands can be replayed. */
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

let lastMs = 0;
let counter = 0;
/** UUIDv7: 48 bits of epoch ms, then a counter (monotonic within a ms), then random bits. */
function uuidv7(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else counter++;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function submitForever(engine: Engine, seed: number): Promise<never> {
  const random = generator(seed);
  let n = 0;
  const newTask = (): NewTask => {
    n++;
    // Mostly small payloads, now and then a few KB, so transactions span many pages.
    const payload = random() < 0.05 ? { n, blob: 'x'.repeat(1 + Math.floor(random() * 8_000)) } : { n };
    return { id: uuidv7(), type: 'crash.test', queue: random() < 0.5 ? 'a' : 'b', priority: Math.floor(random() * 256), payload: plain.pack(payload) };
  };
  const print = (ids: string[]) => {
    // stdout to a pipe is synchronous on Linux: once write returns, the parent can read the line.
    if (ids.length > 0) process.stdout.write(`${ids.join('\n')}\n`);
  };
  const submitCommand = (count: number): Command => ({ kind: 'submit', tasks: Array.from({ length: count }, newTask), time: Date.now() });
  const idsOf = (command: Command) => (command.kind === 'submit' ? command.tasks.map((task) => task.id) : []);

  const loop = async (): Promise<never> => {
    for (;;) {
      const draw = random();
      if (draw < 0.5) {
        const command = submitCommand(1) as Extract<Command, { kind: 'submit' }>;
        await engine.execute(command);
        print(idsOf(command));
      } else if (draw < 0.75) {
        const command = submitCommand(2 + Math.floor(random() * 300));
        await engine.execute(command as Extract<Command, { kind: 'submit' }>);
        print(idsOf(command));
      } else {
        const commands = Array.from({ length: 2 + Math.floor(random() * 20) }, () => submitCommand(1 + Math.floor(random() * 20)));
        const outcomes = await engine.applyBatch(commands);
        outcomes.forEach((outcome, i) => {
          if (!outcome.ok) throw outcome.error;
          print(idsOf(commands[i]!));
        });
      }
    }
  };
  // Several submitters in flight at once: while one transaction is written the others queue up.
  return Promise.race(Array.from({ length: 8 }, loop));
}

function check(engine: Engine, idsFile: string): void {
  const ids = readFileSync(idsFile, 'utf8').split('\n').filter((line) => line.length > 0);
  const missing: string[] = [];
  for (const id of ids) {
    try {
      engine.get(id);
    } catch (error) {
      if (error instanceof TqError && error.code === 'NOT_FOUND') missing.push(id);
      else throw error;
    }
  }
  // The counters are written in the same transaction as the tasks: after a crash they must still
  // agree with the index that a listing walks.
  let listed = 0;
  let cursor: string | null = null;
  do {
    const page = engine.list({ state: 'pending', limit: 1_000, cursor });
    listed += page.tasks.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  const counted = engine.stats(Date.now()).totals.pending;
  process.stdout.write(`${JSON.stringify({ printed: ids.length, missing: missing.length, firstMissing: missing.slice(0, 3), listed, counted })}\n`);
}

const engine = Engine.open({ dir: dir! });
if (mode === 'submit') {
  await submitForever(engine, Number(arg));
} else if (mode === 'check') {
  check(engine, arg!);
  await engine.close();
} else {
  throw new Error(`unknown mode ${mode}: use submit or check`);
}
