/**
 * What keeping leases alive costs in writes: a broker in this process, one worker over TCP holding
 * `--tasks` running tasks for `--seconds`, heartbeating every lease/3. Counts the heartbeats the
 * broker answered (each was one write transaction rewriting every lease it listed, before leases
 * were renewed only when they would lapse), and the renewal transactions and task records written
 * now. Both counts come from the same run.
 *
 *   node bench/leases.ts                         200 tasks, 3 s leases, 20 s
 *   node bench/leases.ts --tasks 1000 --lease 30s --seconds 90
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Broker } from '../src/broker/broker.ts';
import { loadBrokerConfig } from '../src/broker/config.ts';
import { TqClient } from '../src/client/client.ts';
import { createLogger } from '../src/log/logger.ts';
import { TqWorker } from '../src/worker/index.ts';

const { values: args } = parseArgs({
  options: {
    tasks: { type: 'string', default: '200' },
    lease: { type: 'string', default: '3s' },
    seconds: { type: 'string', default: '20' },
  },
});
const TASKS = Number(args.tasks);
const SECONDS = Number(args.seconds);
const quiet = createLogger('bench', 'error');

const dir = mkdtempSync(join(tmpdir(), 'tq-bench-leases-'));
const broker = await Broker.start(loadBrokerConfig({ env: {}, flags: { dataDir: dir, port: 0, http: false, lease: args.lease } }), quiet);
const address = `127.0.0.1:${broker.address!.port}`;
let release!: () => void;
const gate = new Promise<void>((resolve) => (release = resolve));
let running = 0;
let allRunning!: () => void;
const started = new Promise<void>((resolve) => (allRunning = resolve));
const worker = new TqWorker({
  broker: address,
  queues: ['held'],
  concurrency: TASKS,
  log: quiet,
  handlers: {
    hold: async () => {
      if (++running === TASKS) allRunning();
      await gate;
    },
  },
});
const client = await TqClient.connect({ broker: address });
try {
  await worker.start();
  await client.submitMany(Array.from({ length: TASKS }, () => ({ type: 'hold', queue: 'held' })));
  await started;
  let transactions = 0;
  let records = 0;
  const stop = broker.pipeline.onCommitted((info) => {
    transactions++;
    records += info.changes.length;
  });
  const session = () => broker.dispatcher.list().find((info) => info.id === worker.id)!;
  let beats = 0;
  let lastBeat = session().lastHeartbeatAt;
  const deadline = Date.now() + SECONDS * 1_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const at = session().lastHeartbeatAt;
    if (at !== lastBeat) {
      beats++;
      lastBeat = at;
    }
  }
  stop();
  const expired = (await client.stats()).totals.failed;
  console.log(`${TASKS} running tasks, lease ${args.lease}, ${SECONDS} s, one worker`);
  console.log(`heartbeats answered:           ${beats} (before: ${beats} write transactions, ${beats * TASKS} task records rewritten)`);
  console.log(`renewal write transactions:    ${transactions}`);
  console.log(`task records rewritten:        ${records}`);
  console.log(`writes per lease kept, per heartbeat before: ${(records / Math.max(1, beats * TASKS)).toFixed(2)}`);
  console.log(`attempts failed by an expired lease: ${expired}`);
} finally {
  release();
  await worker.stop();
  client.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}
