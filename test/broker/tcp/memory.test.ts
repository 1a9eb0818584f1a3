/**
 * Memory a peer can make a real broker hold, measured as the RSS in /proc/PID/status: frames
 * begun before the hello are refused at their header, and a client that pipelines 100,000
 * submits without reading the answers is no longer read once its replies pile up. A healthy
 * client and worker are served throughout.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TqClient } from '../../../src/client/client.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { encodeFrame, FrameDecoder } from '../../../src/protocol/frame.ts';
import { TqWorker } from '../../../src/worker/index.ts';
import { type BrokerProcess, eventually, startBroker } from '../../helpers/broker.ts';
import { hello, type Message, rssBytes, watchRss } from '../../helpers/protocol.ts';

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

describe('tcp: memory a peer can take', () => {
  let broker: BrokerProcess;
  let client: TqClient;
  let worker: TqWorker;
  before(async () => {
    broker = await startBroker({ args: ['--no-http', '--max-buffered-reply-bytes', String(MiB)] });
    client = await TqClient.connect({ broker: broker.address, reconnect: false });
    worker = new TqWorker({ broker: broker.address, queues: ['healthy'], log: createLogger('worker', 'error'), handlers: { echo: (task) => task.payload } });
    await worker.start();
  });
  after(async () => {
    client?.close();
    await worker?.stop();
    assert.equal(await broker?.stop(), 0);
  });

  const healthy = async (payload: string) => {
    const task = await client.submit({ type: 'echo', queue: 'healthy', payload });
    const done = await client.wait(task.id, { timeoutMs: 20_000 });
    assert.deepEqual([done.state, done.result], ['succeeded', payload]);
  };

  it('cuts 20 connections sending most of a 16 MiB frame before any hello at its header, and holds no memory for them', async (t) => {
    const pid = broker.proc.pid!;
    const before = rssBytes(pid);
    const watch = watchRss(pid);
    const body = Buffer.alloc(16 * MiB - 6);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        new Promise<{ error: Message | undefined; cut: boolean }>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: broker.port });
          const decoder = new FrameDecoder();
          const received: Message[] = [];
          let cut = false;
          socket.on('data', (chunk) => received.push(...(decoder.push(chunk) as Message[])));
          socket.on('error', () => undefined);
          socket.once('connect', () => {
            socket.write(header);
            // The write fails when the broker closes before taking it all: the frame was cut short.
            socket.write(body, (error) => {
              cut = error !== undefined && error !== null;
              if (!cut) socket.end();
            });
          });
          socket.on('close', () => resolve({ error: received.find((m) => m.t === 'error'), cut }));
        }),
      ),
    );
    const peak = watch.stop();
    await healthy('after the frames');
    const afterwards = rssBytes(pid);
    t.diagnostic(`broker RSS: before ${mib(before)}, peak ${mib(peak)}, after ${mib(afterwards)}`);
    for (const { error, cut } of outcomes) {
      assert.equal(error?.code, 'FRAME_TOO_LARGE');
      assert.match(String(error?.message), /frame of 16777210 bytes is over the limit of 65536/);
      assert.equal(cut, true, 'the broker closed before the frame was sent');
    }
    // Before this limit the same 20 frames took the broker from about 100 to 340 MiB, for good.
    assert.ok(peak - before < 32 * MiB, `peak ${mib(peak)} from ${mib(before)}`);
    assert.ok(afterwards - before < 32 * MiB, `after ${mib(afterwards)} from ${mib(before)}`);
  });

  it('stops reading a client that pipelines 100,000 submits without reading replies, then answers every one', async (t) => {
    const pid = broker.proc.pid!;
    const count = 100_000;
    const pendingNow = async () => (await client.stats()).totals.pending;
    const start = await pendingNow();
    const before = rssBytes(pid);
    const watch = watchRss(pid);
    const socket = connect({ host: '127.0.0.1', port: broker.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const frames = [encodeFrame(hello('client'))];
    for (let id = 1; id <= count; id++) frames.push(encodeFrame({ t: 'req', id, op: 'submit', args: { tasks: [{ type: 'echo', queue: 'burst', payload: id }] } }));
    socket.write(Buffer.concat(frames));
    let closed = false;
    socket.on('close', () => (closed = true));
    // The broker takes submits until the unread replies pass 1 MiB (plus what the sockets buffer), then waits.
    let last = -1;
    const stalledAt = await eventually(async () => {
      const now = (await pendingNow()) - start;
      if (now > 0 && now === last) return now;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return undefined;
    }, 60_000, 'the broker to stop reading');
    const stalled = rssBytes(pid);
    assert.ok(stalledAt < count, `the broker stopped reading after ${stalledAt} of ${count} submits`);
    await healthy('while a client does not read');
    const decoder = new FrameDecoder();
    let answered = 0;
    let failed = 0;
    socket.on('data', (chunk) => {
      for (const message of decoder.push(chunk) as Message[]) {
        if (message.t !== 'res') continue;
        answered++;
        if (!message.ok) failed++;
      }
    });
    socket.resume();
    await eventually(() => (answered === count ? true : undefined), 120_000, 'every answer');
    const peak = watch.stop();
    const cut = closed;
    socket.destroy();
    await healthy('after the burst');
    const afterwards = rssBytes(pid);
    t.diagnostic(`broker RSS: before ${mib(before)}, stalled ${mib(stalled)} after ${stalledAt} submits, peak ${mib(peak)}, after ${mib(afterwards)}`);
    assert.deepEqual([answered, failed, cut], [count, 0, false]);
    assert.equal((await pendingNow()) - start, count);
    assert.ok(peak - before < 512 * MiB, `peak ${mib(peak)} from ${mib(before)}`);
  });
});
