// The wire transport's server streams (WireChannel.stream), against a gRPC peer written on
// node:http2 over a real socket, so each way a stream can go is produced on purpose: messages split
// across DATA frames and packed into one, an error status after messages, oversized and compressed
// messages, a deadline, a cancel (abort or leaving the loop) that the server sees, a consumer that
// stops reading (the server is held back by flow control, not buffered without bound), and a
// session that dies mid-stream. The same transport against a real scheduler: wire-client.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { FrameError, FrameReader } from './frames.js';
import { WireCallError, WireChannel } from './channel.js';

function frame(payload: Buffer, compressed = false): Buffer {
  const f = Buffer.alloc(5 + payload.length);
  f[0] = compressed ? 1 : 0;
  f.writeUInt32BE(payload.length, 1);
  payload.copy(f, 5);
  return f;
}

describe('FrameReader', () => {
  it('cuts messages out of chunks split and joined anywhere', () => {
    const msgs = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(70_000, 7)];
    const bytes = Buffer.concat(msgs.map((m) => frame(m)));
    for (const cut of [1, 2, 3, 5, 7, 1000, bytes.length]) {
      const r = new FrameReader(1 << 20);
      const out: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += cut) out.push(...r.push(bytes.subarray(i, i + cut)));
      expect(out.map((m) => m.toString('hex'))).toEqual(msgs.map((m) => m.toString('hex')));
      expect(r.buffered).toBe(0);
    }
  });

  it('refuses an oversized message on its header and a compressed one', () => {
    const big = Buffer.alloc(5);
    big.writeUInt32BE(1001, 1);
    expect(() => new FrameReader(1000).push(big)).toThrow(FrameError);
    expect(() => new FrameReader(1000).push(big)).toThrow(/larger than 1000 bytes/);
    expect(() => new FrameReader(1000).push(frame(Buffer.from('x'), true))).toThrow(/compressed/);
  });
});

/** What each test's handler does with its stream, by path. */
type Handler = (stream: ServerHttp2Stream) => void;
const handlers = new Map<string, Handler>();
let server: Http2Server;
let address: string;

function respond(stream: ServerHttp2Stream): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
}
function finish(stream: ServerHttp2Stream, status = 0, message = ''): void {
  stream.once('wantTrailers', () =>
    stream.sendTrailers({ 'grpc-status': String(status), ...(message ? { 'grpc-message': message } : {}) }),
  );
  stream.end();
}

beforeAll(async () => {
  server = createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const handler = handlers.get(String(headers[':path']));
    // The request is read whole first, as a gRPC server does.
    stream.on('data', () => {});
    stream.once('end', () => (handler ? handler(stream) : stream.close()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function collect(it: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.toString());
  return out;
}

describe('WireChannel.stream', () => {
  it('yields the messages in order, however the server frames them', async () => {
    handlers.set('/t/Order', (s) => {
      respond(s);
      const bytes = Buffer.concat(['one', 'two', 'three', 'four'].map((m) => frame(Buffer.from(m))));
      s.write(bytes.subarray(0, 3)); // part of a header
      s.write(bytes.subarray(3, 12)); // the rest of one, part of two
      s.write(bytes.subarray(12)); // two's end, three and four in one chunk
      finish(s);
    });
    const ch = new WireChannel(address);
    expect(await collect(ch.stream('/t/Order', Buffer.alloc(0)))).toEqual(['one', 'two', 'three', 'four']);
    ch.close();
  });

  it('throws the status after the messages that came before it', async () => {
    handlers.set('/t/Fail', (s) => {
      respond(s);
      s.write(frame(Buffer.from('first')));
      finish(s, 3, encodeURIComponent('workload_id: bad'));
    });
    const ch = new WireChannel(address);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const m of ch.stream('/t/Fail', Buffer.alloc(0))) seen.push(m.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['first']);
    expect(err).toBeInstanceOf(WireCallError);
    expect(err).toMatchObject({ code: 3, details: 'workload_id: bad' });
    ch.close();
  });

  it('fails an oversized message RESOURCE_EXHAUSTED and a compressed one INTERNAL, and cancels the call', async () => {
    let cancelled = 0;
    handlers.set('/t/Big', (s) => {
      s.once('close', () => cancelled++);
      respond(s);
      const head = Buffer.alloc(5);
      head.writeUInt32BE(5 * 1024 * 1024, 1);
      s.write(head);
    });
    handlers.set('/t/Gzip', (s) => {
      s.once('close', () => cancelled++);
      respond(s);
      s.write(frame(Buffer.from('x'), true));
    });
    const ch = new WireChannel(address);
    await expect(collect(ch.stream('/t/Big', Buffer.alloc(0)))).rejects.toMatchObject({ code: 8 });
    await expect(collect(ch.stream('/t/Gzip', Buffer.alloc(0)))).rejects.toMatchObject({ code: 13 });
    await waitUntil(() => cancelled === 2);
    ch.close();
  });

  it('ends with DEADLINE_EXCEEDED when a deadline is given and passes', async () => {
    let timeout: string | undefined;
    handlers.set('/t/Slow', (s) => {
      respond(s);
      s.write(frame(Buffer.from('tick')));
    });
    server.once('stream', (_s, headers) => (timeout = String(headers['grpc-timeout'])));
    const ch = new WireChannel(address);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const m of ch.stream('/t/Slow', Buffer.alloc(0), { deadlineMs: 200 })) seen.push(m.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['tick']);
    expect(err).toMatchObject({ code: 4 });
    expect(timeout).toBe('200m');
    ch.close();
  });

  it('sends no grpc-timeout without a deadline', async () => {
    let timeout: unknown = 'unset';
    server.once('stream', (_s, headers) => (timeout = headers['grpc-timeout']));
    handlers.set('/t/Once', (s) => {
      respond(s);
      s.write(frame(Buffer.from('x')));
      finish(s);
    });
    const ch = new WireChannel(address);
    expect(await collect(ch.stream('/t/Once', Buffer.alloc(0)))).toEqual(['x']);
    expect(timeout).toBeUndefined();
    ch.close();
  });

  it('cancels the call, without an error, on abort and when the loop is left; the channel goes on', async () => {
    const closed: string[] = [];
    handlers.set('/t/Endless', (s) => {
      s.once('close', () => closed.push(String(s.rstCode)));
      respond(s);
      const t = setInterval(() => s.write(frame(Buffer.from('tick'))), 5);
      s.once('close', () => clearInterval(t));
    });
    const ch = new WireChannel(address);
    const abort = new AbortController();
    let n = 0;
    for await (const _ of ch.stream('/t/Endless', Buffer.alloc(0), { signal: abort.signal })) {
      if (++n === 3) abort.abort();
    }
    expect(n).toBe(3);
    for await (const _ of ch.stream('/t/Endless', Buffer.alloc(0))) break;
    await waitUntil(() => closed.length === 2);
    expect(closed).toEqual(['8', '8']); // NGHTTP2_CANCEL
    // An aborted signal before the call: nothing is sent.
    const before = closed.length;
    expect(await collect(ch.stream('/t/Endless', Buffer.alloc(0), { signal: AbortSignal.abort() }))).toEqual([]);
    expect(closed.length).toBe(before);
    handlers.set('/t/After', (s) => {
      respond(s);
      s.write(frame(Buffer.from('still here')));
      finish(s);
    });
    expect(await collect(ch.stream('/t/After', Buffer.alloc(0)))).toEqual(['still here']);
    ch.close();
  });

  it('holds a server back by flow control when the consumer stops reading', async () => {
    let written = 0;
    let blocked = false;
    const message = frame(Buffer.alloc(16 * 1024, 1));
    handlers.set('/t/Flood', (s) => {
      respond(s);
      const pump = () => {
        while (written < 4000 && !s.destroyed) {
          written++;
          if (!s.write(message)) {
            blocked = true;
            s.once('drain', pump);
            return;
          }
        }
        finish(s);
      };
      pump();
    });
    const ch = new WireChannel(address);
    const it = ch.stream('/t/Flood', Buffer.alloc(0), { readAhead: 4 })[Symbol.asyncIterator]();
    await it.next();
    await waitUntil(() => blocked);
    // Then held there: nothing more written over 300 ms (a window that proves a negative; tried
    // again while the windows and buffers that the read-ahead freed may still be taking bytes).
    let stalledAt = -1;
    for (let i = 0; i < 10 && written !== stalledAt; i++) {
      stalledAt = written;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(written).toBe(stalledAt);
    // 4,000 × 16 KiB = 62.5 MiB offered; what was written before the server blocked is bounded
    // by HTTP/2 windows and socket buffers, a few MiB at most.
    expect(written * 16).toBeLessThan(8 * 1024);
    await it.return(undefined);
    ch.close();
  });

  it('fails UNAVAILABLE when the session dies mid-stream', async () => {
    handlers.set('/t/Die', (s) => {
      respond(s);
      // Pacing, not a wait: the session dies a moment after the message went out.
      s.write(frame(Buffer.from('last words')), () => setTimeout(() => s.session?.destroy(), 50));
    });
    const ch = new WireChannel(address);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const m of ch.stream('/t/Die', Buffer.alloc(0))) seen.push(m.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['last words']);
    expect(err).toBeInstanceOf(WireCallError);
    expect(err).toMatchObject({ code: 14, details: expect.stringMatching(/connection lost/) });
    ch.close();
  });
});

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
