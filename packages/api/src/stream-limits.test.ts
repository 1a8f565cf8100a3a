// Stream bounds (stream-limits.ts): the caps as pure logic, then the bounded writer and the idle
// bound on a real grpc-js server over real sockets, read by grpc-js clients and a raw HTTP/2 one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { ResourceExhaustedError } from './errors.js';
import { createMoServer, type MoServer } from './server.js';
import { after, sleep } from './timers.js';
import {
  BoundedWriter,
  MAX_BUFFERED_BYTES,
  MAX_CONCURRENT_STREAMS_PER_CONNECTION,
  StreamClosedError,
  StreamLimits,
  parseStreamCaps,
  readWithIdleTimeout,
} from './stream-limits.js';

describe('StreamLimits', () => {
  it('admits up to the cap of a kind, then refuses with RESOURCE_EXHAUSTED naming the kind and cap', () => {
    const limits = new StreamLimits({ logs: 2 });
    const a = limits.acquire('logs');
    limits.acquire('logs');
    expect(() => limits.acquire('logs')).toThrow(ResourceExhaustedError);
    expect(() => limits.acquire('logs')).toThrow(/logs streams .*at most 2/);
    // Other kinds have their own count.
    expect(() => limits.acquire('upload')).not.toThrow();
    a.release();
    a.release(); // idempotent: frees one slot, not two
    expect(limits.open('logs')).toBe(1);
    limits.acquire('logs');
    expect(() => limits.acquire('logs')).toThrow(ResourceExhaustedError);
    const logs = limits.stats().find((s) => s.kind === 'logs')!;
    expect(logs).toMatchObject({ open: 2, cap: 2, refused: 3, cutOff: 0 });
    expect(limits.stats().map((s) => s.kind)).toEqual(expect.arrayContaining(['upload', 'download', 'heartbeat']));
  });

  it('a cap of 0 refuses every stream of the kind', () => {
    expect(() => new StreamLimits({ upload: 0 }).acquire('upload')).toThrow(ResourceExhaustedError);
  });

  it.each([
    [{ logs: -1 }, {}],
    [{ logs: 1.5 }, {}],
    [{}, { stallTimeoutMs: 0 }],
  ])('refuses a bad setting %j %j', (caps, options) => {
    expect(() => new StreamLimits(caps, options)).toThrow(RangeError);
  });

  it('parses --max-streams, naming the flag and the bad part', () => {
    expect(parseStreamCaps('logs=10, upload=0,', '--max-streams')).toEqual({ logs: 10, upload: 0 });
    expect(() => parseStreamCaps('logs=ten', '--max-streams')).toThrow(/--max-streams: expected KIND=N/);
    expect(() => parseStreamCaps('upload=1', '--max-streams (MO_MAX_STREAMS)', ['logs'])).toThrow(
      /--max-streams \(MO_MAX_STREAMS\): unknown stream kind "upload" \(known: logs\)/,
    );
  });
});

// A test service with raw bytes as messages: no proto needed.
const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const SERVICE: grpc.ServiceDefinition = {
  Flood: {
    path: '/test.Streams/Flood',
    requestStream: false,
    responseStream: true,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
  Collect: {
    path: '/test.Streams/Collect',
    requestStream: true,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
};
const STALL_MS = 400;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

interface FloodOutcome {
  error?: Error;
  maxBuffered: number;
  written: number;
}

let server: MoServer;
let address: string;
const limits = new StreamLimits({ logs: 3 }, { stallTimeoutMs: STALL_MS });
/** Each Flood call's outcome, once it ends on the server. */
const floods: Array<Promise<FloodOutcome>> = [];
const collects: Array<Promise<Error | undefined>> = [];

beforeAll(async () => {
  // Plaintext on purpose: a made-up service outside mo's access table; what is tested is the
  // stream bounds, which TLS does not change.
  server = createMoServer({ services: [], insecure: true });
  server.server.addService(SERVICE, {
    // Writes 64 KiB chunks as fast as the reader takes them, `count` of them (0 = forever).
    Flood(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      const slot = limits.admit('logs', call);
      if (!slot) return;
      // The request: [count (0 = forever)] [stall bound in ms (default the limits')], uint32 each.
      const count = call.request.length >= 4 ? call.request.readUInt32BE(0) : 0;
      const stallTimeoutMs = call.request.length >= 8 ? call.request.readUInt32BE(4) : undefined;
      const out = new BoundedWriter<Buffer>(call, { what: 'flood', slot, ...(stallTimeoutMs && { stallTimeoutMs }) });
      floods.push(
        (async () => {
          const o: FloodOutcome = { maxBuffered: 0, written: 0 };
          try {
            while (count === 0 || o.written < count) {
              await out.write(CHUNK, CHUNK.length);
              o.written++;
              o.maxBuffered = Math.max(o.maxBuffered, out.bufferedBytes);
            }
            out.end();
          } catch (err) {
            o.error = err as Error;
            out.fail(err);
          }
          return o;
        })(),
      );
    },
    Collect(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      const slot = limits.admit('upload', call, callback);
      if (!slot) return;
      collects.push(
        (async () => {
          let n = 0;
          try {
            for await (const m of readWithIdleTimeout<Buffer>(call, { what: 'collect', slot })) n += m.length;
            callback(null, Buffer.from(String(n)));
            return undefined;
          } catch (err) {
            callback(err as grpc.ServiceError);
            return err as Error;
          }
        })(),
      );
    },
  });
  address = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  await server.close(1000);
});

const Client = grpc.makeGenericClientConstructor(SERVICE, 'Streams');
function client() {
  return new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Flood(req: Buffer): grpc.ClientReadableStream<Buffer>;
    Collect(cb: (err: grpc.ServiceError | null, res?: Buffer) => void): grpc.ClientWritableStream<Buffer>;
  };
}
const countOf = (n: number, stallMs = 0) => {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(n, 0);
  b.writeUInt32BE(stallMs, 4);
  return b;
};
/** The call's final status (its 'error' is the same status, as an event that must be heard). */
const ended = (call: grpc.ClientReadableStream<Buffer>) =>
  new Promise<grpc.StatusObject>((resolve) => {
    call.on('error', () => undefined);
    call.on('status', resolve);
  });
/** Polls for a condition, failing with `what` after 5 s. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !cond(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}
/** The outcome of the server call number `index` (counted from 0), once it has started. */
async function nth<T>(list: Array<Promise<T>>, index: number): Promise<T> {
  await until(`server call ${index} to start`, () => list.length > index);
  return list[index]!;
}

describe('BoundedWriter on a real server', () => {
  it('a reader that stops reading is cut off with RESOURCE_EXHAUSTED; the server buffered a bounded amount', async () => {
    const c = client();
    try {
      const index = floods.length;
      const call = c.Flood(Buffer.alloc(0));
      const status = ended(call);
      call.on('data', () => call.pause()); // takes one message, then nothing more
      const s = await status;
      expect(s.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      const outcome = await nth(floods, index);
      expect(outcome.error).toBeInstanceOf(ResourceExhaustedError);
      expect(outcome.error?.message).toMatch(/flood: the reader took nothing for 400 ms/);
      // The bound and the one write that crossed it.
      expect(outcome.maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + CHUNK.length);
      expect(limits.stats().find((k) => k.kind === 'logs')).toMatchObject({ open: 0 });
      expect(limits.stats().find((k) => k.kind === 'logs')!.cutOff).toBeGreaterThanOrEqual(1);
    } finally {
      c.close();
    }
  });

  it('a raw HTTP/2 client that never reads gets RST_STREAM ENHANCE_YOUR_CALM', async () => {
    const session = http2.connect(`http://${address}`);
    const index = floods.length;
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/test.Streams/Flood',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stream.end(Buffer.from([0, 0, 0, 0, 0])); // one empty message: flood forever
      stream.pause(); // and never read: the flow-control window fills and stays full
      stream.on('error', () => undefined); // the reset, heard as an error event too
      const code = await new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode ?? -1)));
      expect(code).toBe(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      expect((await nth(floods, index)).error).toBeInstanceOf(ResourceExhaustedError);
    } finally {
      session.destroy();
    }
  });

  it('a reader that keeps reading gets everything, many buffers through', async () => {
    const c = client();
    try {
      const index = floods.length;
      // 12.5 MiB, 400 bounds' worth of buffer. The stall bound is wall-clock time: this one is set
      // long, as a loaded test machine may not run this reader for 400 ms.
      const call = c.Flood(countOf(200, 10_000));
      let got = 0;
      call.on('data', (m: Buffer) => {
        got += m.length;
        // A pause now and then, as a reader with other work to do.
        if (got % (16 * CHUNK.length) === 0) {
          call.pause();
          setImmediate(() => call.resume());
        }
      });
      expect((await ended(call)).code).toBe(grpc.status.OK);
      expect(got).toBe(200 * CHUNK.length);
      expect((await nth(floods, index)).error).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it("a reader that keeps reading is not cut off for time the server's own loop was held up", async () => {
    const c = client();
    try {
      const index = floods.length;
      const call = c.Flood(countOf(100)); // the limits' stall bound (STALL_MS)
      let got = 0;
      let held = false;
      call.on('data', (m: Buffer) => {
        got += m.length;
        if (held) return;
        // This process (the server's loop, and the reader) held up for 3 stall bounds: the
        // server's watchdog then fires late, ahead of the reader's progress queued behind it.
        held = true;
        for (const end = performance.now() + 3 * STALL_MS; performance.now() < end;);
      });
      expect((await ended(call)).code).toBe(grpc.status.OK);
      expect(got).toBe(100 * CHUNK.length);
      expect((await nth(floods, index)).error).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('a cancelled call ends the writer with StreamClosedError and frees the slot', async () => {
    const c = client();
    try {
      const index = floods.length;
      const call = c.Flood(Buffer.alloc(0));
      call.on('error', () => undefined);
      await new Promise((resolve) => call.once('data', resolve));
      call.cancel();
      const outcome = await nth(floods, index);
      expect(outcome.error).toBeInstanceOf(StreamClosedError);
      await until('the slot to be freed', () => limits.open('logs') === 0);
    } finally {
      c.close();
    }
  });

  it('past the cap a call gets RESOURCE_EXHAUSTED at once; a freed slot admits the next', async () => {
    const c = client();
    const open = [0, 1, 2].map(() => c.Flood(Buffer.alloc(0)));
    for (const call of open) call.on('error', () => undefined);
    try {
      await Promise.all(open.map((call) => new Promise((resolve) => call.once('data', resolve))));
      const refused = c.Flood(countOf(1));
      refused.on('data', () => undefined);
      const s = await ended(refused);
      expect(s.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(s.details).toMatch(/too many logs streams open on this daemon \(at most 3\)/);
      open[0]!.cancel();
      await until('a slot to be freed', () => limits.open('logs') <= 2);
      const next = c.Flood(countOf(1));
      next.on('data', () => undefined);
      expect((await ended(next)).code).toBe(grpc.status.OK);
    } finally {
      for (const call of open) call.cancel();
      c.close();
    }
  });
});

describe('readWithIdleTimeout on a real server', () => {
  it('a client stream that goes silent is ended with RESOURCE_EXHAUSTED after the idle bound', async () => {
    const c = client();
    try {
      const res = new Promise<grpc.ServiceError | null>((resolve) => {
        const call = c.Collect((err) => resolve(err));
        call.write(Buffer.from('hello')); // then nothing, and never the end
      });
      const err = await res;
      expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(err?.details).toMatch(/collect: no message for 400 ms/);
      expect(await collects.at(-1)!).toBeInstanceOf(ResourceExhaustedError);
    } finally {
      c.close();
    }
  });

  it('a client stream that keeps sending and ends is read whole', async () => {
    const c = client();
    try {
      const res = new Promise<Buffer | undefined>((resolve, reject) => {
        const call = c.Collect((err, r) => (err ? reject(err) : resolve(r)));
        let n = 0;
        const tick = () => {
          if (n++ === 5) return call.end();
          call.write(Buffer.from('abc'));
          after(STALL_MS / 4, tick);
        };
        tick();
      });
      expect(String(await res)).toBe('15');
    } finally {
      c.close();
    }
  });

  it('a client stream whose client disconnects ends with StreamClosedError', async () => {
    const session = http2.connect(`http://${address}`);
    session.on('error', () => undefined);
    const index = collects.length;
    const stream = session.request({
      ':method': 'POST',
      ':path': '/test.Streams/Collect',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => undefined);
    stream.write(Buffer.from([0, 0, 0, 0, 1, 120])); // one message, "x"; no end
    await until('the server to have the call', () => collects.length > index);
    const outcome = nth(collects, index);
    session.destroy(); // the connection goes, without END_STREAM
    expect(await outcome).toBeInstanceOf(StreamClosedError);
  });
});

it(`every mo server announces at most ${MAX_CONCURRENT_STREAMS_PER_CONNECTION} concurrent streams per connection`, async () => {
  const session = http2.connect(`http://${address}`);
  try {
    await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(MAX_CONCURRENT_STREAMS_PER_CONNECTION);
  } finally {
    session.destroy();
  }
});
