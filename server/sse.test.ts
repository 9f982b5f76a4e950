// server/sse.ts over a real HTTP connection whose client stops reading (a screen asleep): the server holds at most
// one waiting snapshot beyond the socket's buffer, and when the client reads again it gets the newest snapshot last.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotStream, type SnapshotStream } from './sse';

const SNAPSHOT_BYTES = 64 * 1024;
const snapshotOf = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(SNAPSHOT_BYTES) });

interface Setup {
  server: http.Server;
  client: net.Socket;
  res: http.ServerResponse;
  out: SnapshotStream;
  received: () => string;
}
let setup: Setup | null = null;
afterEach(async () => {
  setup?.client.destroy();
  await new Promise((resolve) => setup?.server.close(resolve) ?? resolve(undefined));
  setup = null;
});

/** An SSE response on a real socket; the client socket starts paused (reads nothing). */
async function open(): Promise<Setup> {
  let resolveRes: (r: http.ServerResponse) => void;
  const gotRes = new Promise<http.ServerResponse>((r) => (resolveRes = r));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 3000\n\n');
    resolveRes(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  let text = '';
  client.setEncoding('latin1');
  client.on('data', (d: string) => (text += d));
  client.write('GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
  const res = await gotRes;
  // the client now stops reading: the kernel's buffers fill, then Node's
  client.pause();
  setup = { server, client, res, out: snapshotStream(res), received: () => bodyOf(text) };
  return setup;
}

/** The body of a chunked HTTP/1.1 reply received so far (whole chunks only). */
function bodyOf(reply: string): string {
  let at = reply.indexOf('\r\n\r\n');
  if (at < 0) return '';
  at += 4;
  let body = '';
  for (;;) {
    const eol = reply.indexOf('\r\n', at);
    if (eol < 0) return body;
    const size = parseInt(reply.slice(at, eol), 16);
    if (!(size > 0) || reply.length < eol + 2 + size + 2) return body;
    body += reply.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Snapshots until the response is behind (its write refused), at most `max`. */
async function fillUntilBehind(s: Setup, from: number, max: number): Promise<number> {
  let n = from;
  for (; n < from + max && !s.res.writableNeedDrain; n++) {
    s.out.snapshot('tally', snapshotOf(n));
    // let the socket hand what it can to the kernel
    await new Promise((r) => setImmediate(r));
  }
  return n;
}

const eventsIn = (text: string) => [...text.matchAll(/event: tally\ndata: (\{"n":(\d+),)/g)].map((m) => Number(m[2]));

describe('snapshotStream (Server-Sent Events of whole snapshots)', () => {
  it('holds one waiting snapshot while the client reads nothing, and sends the newest when it reads again', async () => {
    const s = await open();
    const behindAt = await fillUntilBehind(s, 0, 10_000);
    expect(s.res.writableNeedDrain).toBe(true);
    const heldWhenBehind = s.res.socket!.writableLength;
    // 2,000 more snapshots (~128 MB) while the client sleeps, and heartbeats
    for (let n = behindAt; n < behindAt + 2000; n++) {
      s.out.snapshot('tally', snapshotOf(n));
      if (n % 100 === 0) s.out.comment('ping');
    }
    const last = behindAt + 1999;
    // nothing more was buffered in the process: the waiting snapshot is one string, replaced each time
    expect(s.res.socket!.writableLength).toBe(heldWhenBehind);
    expect(heldWhenBehind).toBeLessThan(4 * (SNAPSHOT_BYTES + 100));

    // the client reads again: everything buffered drains, then the newest snapshot, last
    s.client.resume();
    await expect.poll(() => eventsIn(s.received()).at(-1), { timeout: 10_000 }).toBe(last);
    const seen = eventsIn(s.received());
    // every snapshot written before it fell behind, in order, then only the newest: the 1,999 superseded while it
    // was behind never sent
    expect(seen).toEqual([...Array.from({ length: behindAt }, (_, i) => i), last]);
    // no heartbeat went while it was behind
    expect(s.received()).not.toContain(': ping');

    // caught up: a snapshot and a heartbeat go at once
    s.out.snapshot('tally', '{"n":-1}');
    s.out.comment('ping');
    await expect.poll(() => s.received().endsWith('event: tally\ndata: {"n":-1}\n\n: ping\n\n'), { timeout: 5000 }).toBe(true);
  });

  it('after close, writes nothing and drops the waiting snapshot', async () => {
    const s = await open();
    const behindAt = await fillUntilBehind(s, 0, 10_000);
    s.out.snapshot('tally', snapshotOf(behindAt));
    s.out.close();
    s.out.snapshot('tally', snapshotOf(behindAt + 1));
    s.out.comment('ping');
    s.client.resume();
    // what was in the buffers arrives; the waiting and the later snapshots never do
    await expect.poll(() => eventsIn(s.received()).at(-1), { timeout: 10_000 }).toBe(behindAt - 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsIn(s.received()).at(-1)).toBe(behindAt - 1);
  });

  it('writes a value with line breaks as several data lines (one event)', async () => {
    const s = await open();
    s.client.resume();
    s.out.snapshot('tally', 'a\nb\r\nc\rd');
    await expect.poll(() => s.received().includes('event: tally\ndata: a\ndata: b\ndata: c\ndata: d\n\n'), { timeout: 5000 }).toBe(true);
  });
});
