/** A real broker with its HTTP server on a free port, and plain fetch calls against it. */
import assert from 'node:assert/strict';
import { type BrokerProcess, removeDir, startBroker, type StartOptions } from '../../helpers/broker.ts';

export interface HttpBroker extends BrokerProcess {
  httpPort: number;
  /** http://127.0.0.1:PORT */
  base: string;
}

export async function startHttpBroker(options: StartOptions = {}): Promise<HttpBroker> {
  const broker = await startBroker({ ...options, args: ['--http-port', '0', ...(options.args ?? [])] });
  assert.ok(broker.httpPort, `the broker logged no "http listening" line:\n${broker.output()}`);
  return { ...broker, httpPort: broker.httpPort, base: `http://127.0.0.1:${broker.httpPort}` };
}

/** Stops the broker and removes the temporary directory around its data directory. */
export async function stopHttpBroker(broker: HttpBroker | undefined): Promise<void> {
  if (!broker) return;
  await broker.stop();
  removeDir(broker.dataDir.replace(/\/data$/, ''));
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One request; a JSON body is sent as JSON, a string as it is (with `contentType`). */
export async function call<T = any>(
  broker: HttpBroker,
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const res = await fetch(broker.base + path, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('application/json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** The request failed with `status` and an error body naming `code` (and matching `message`). */
export function assertError(answer: Answer, status: number, code: string, message?: RegExp): void {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text}`);
  assert.equal(answer.body?.error?.code, code, answer.text);
  assert.equal(typeof answer.body.error.message, 'string');
  if (message) assert.match(answer.body.error.message, message);
}

/** Reads server-sent events from a stream until `until` returns true for the events so far. */
export async function readEvents(
  url: string,
  until: (events: { event: string; data: any }[]) => boolean,
  options: { timeoutMs?: number; onOpen?: () => Promise<void> | void } = {},
): Promise<{ event: string; data: any }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
  const events: { event: string; data: any }[] = [];
  try {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let opened = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      if (!opened) {
        opened = true;
        await options.onOpen?.();
      }
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
      if (until(events)) break;
    }
    controller.abort();
    return events;
  } catch (error) {
    if ((error as Error).name === 'AbortError' && !until(events)) {
      throw new Error(`the event stream did not bring what was expected; got ${JSON.stringify(events.map((e) => e.event))}`);
    }
    if ((error as Error).name === 'AbortError') return events;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
