/**
 * GET /api/v1/events: server-sent events. `task` events come from the engine's durable batches
 * only (activity.ts), so a watcher never sees a change a crash could take back; `stats` events come
 * from the periodic sample (history.ts). Filter by queue with ?queue=a,b. Bounded: at most
 * MAX_STREAMS watchers, and a watcher that does not read (more than MAX_BUFFERED_BYTES waiting) is
 * disconnected; EventSource reconnects by itself and the dashboard reloads what it shows.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Stats } from '../../model/stats.ts';
import { wireTask } from '../../protocol/task-view.ts';
import { toPlain } from '../../protocol/plain.ts';
import type { Logger } from '../../log/logger.ts';
import type { Activity, TaskEvent } from './activity.ts';
import { HttpError } from './errors.ts';
import type { History, Sample, Snapshot } from './history.ts';

const MAX_STREAMS = 256;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;
const RECONNECT_MS = 2_000;

interface Watcher {
  raw: ServerResponse;
  queues: Set<string> | null;
  stats: boolean;
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export class EventStreams {
  private readonly watchers = new Set<Watcher>();
  private readonly log: Logger;
  private readonly history: History;
  private readonly stops: (() => void)[] = [];
  private readonly keepalive: NodeJS.Timeout;
  private nextId = 1;

  constructor(activity: Activity, history: History, log: Logger) {
    this.log = log;
    this.history = history;
    this.stops.push(activity.on((observed) => this.tasks(observed.events)));
    this.stops.push(history.on((snapshot) => this.stats(snapshot)));
    this.keepalive = setInterval(() => this.broadcast(() => ': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get size(): number {
    return this.watchers.size;
  }

  open(request: FastifyRequest, reply: FastifyReply, query: { queue?: string; stats?: boolean }): void {
    if (this.watchers.size >= MAX_STREAMS) {
      throw new HttpError(503, 'UNAVAILABLE', `${MAX_STREAMS} event streams are open already: close one and try again`);
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, STREAM_HEADERS);
    // A HEAD has no body to stream: Node would hold its headers back until the end that never comes.
    if (request.method === 'HEAD') return void raw.end();
    const watcher: Watcher = { raw, queues: query.queue ? new Set(query.queue.split(',')) : null, stats: query.stats !== false };
    this.watchers.add(watcher);
    request.raw.on('close', () => this.watchers.delete(watcher));
    raw.on('error', () => this.watchers.delete(watcher));
    raw.write(`retry: ${RECONNECT_MS}\n: tq events${watcher.queues ? ` for ${[...watcher.queues].join(', ')}` : ''}\n\n`);
    if (watcher.stats) {
      const snapshot = this.history.current();
      if (snapshot) this.write(watcher, this.frame('stats', statsData(snapshot, watcher.queues)));
    }
  }

  private frame(event: string, data: unknown): string {
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(toPlain(data))}\n\n`;
  }

  private tasks(events: TaskEvent[]): void {
    if (events.length === 0 || this.watchers.size === 0) return;
    const frames = events.map((event) => ({
      queue: event.task.queue,
      text: this.frame('task', { change: event.change, previousState: event.previousState, task: wireTask(event.task) }),
    }));
    for (const watcher of this.watchers) {
      const text = frames.filter((frame) => watcher.queues === null || watcher.queues.has(frame.queue)).map((frame) => frame.text).join('');
      if (text !== '') this.write(watcher, text);
    }
  }

  private stats(snapshot: Snapshot): void {
    let everything: string | null = null;
    for (const watcher of this.watchers) {
      if (!watcher.stats) continue;
      if (watcher.queues === null) this.write(watcher, (everything ??= this.frame('stats', statsData(snapshot, null))));
      else this.write(watcher, this.frame('stats', statsData(snapshot, watcher.queues)));
    }
  }

  private broadcast(text: () => string): void {
    for (const watcher of this.watchers) this.write(watcher, text());
  }

  private write(watcher: Watcher, text: string): void {
    if (watcher.raw.destroyed) {
      this.watchers.delete(watcher);
      return;
    }
    if (watcher.raw.writableLength > MAX_BUFFERED_BYTES) {
      this.log.warn('event stream dropped: the watcher does not keep up', { bufferedBytes: watcher.raw.writableLength });
      this.watchers.delete(watcher);
      watcher.raw.destroy();
      return;
    }
    watcher.raw.write(text);
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const stop of this.stops) stop();
    for (const watcher of this.watchers) watcher.raw.end();
    this.watchers.clear();
  }
}

/** The stats event: current depths (only the watched queues, if filtered), and the latest sample. */
function statsData(snapshot: Snapshot, queues: Set<string> | null): { stats: Stats; sample: Sample } {
  if (queues === null) return snapshot;
  const chosen = snapshot.stats.queues.filter((queue) => queues.has(queue.name));
  const totals = Object.fromEntries(Object.keys(snapshot.stats.totals).map((state) => [state, 0])) as Stats['totals'];
  for (const queue of chosen) for (const [state, count] of Object.entries(queue.states)) totals[state as keyof Stats['totals']] += count;
  const depth = Object.fromEntries(Object.entries(snapshot.sample.depth).filter(([name]) => queues.has(name)));
  return { stats: { totals, queues: chosen }, sample: { ...snapshot.sample, depth } };
}
