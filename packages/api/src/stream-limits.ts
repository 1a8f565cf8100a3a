// Bounds on what a stream can make a daemon hold: how many streams of a kind are open at once
// (StreamLimits), how much a server stream buffers for a reader that falls behind and for how long
// (BoundedWriter), and how long a client stream may go silent (readWithIdleTimeout).
// Over ~400 lines: the three bounds share one slot (its cap, stall timeout and counters), and the
// usage block below is the API's documentation.
//
// API (import from '@mo/api'):
//   const limits = new StreamLimits({ logs: 256 }, { stallTimeoutMs: 30_000 });
//                                                        // caps per kind (DEFAULT_STREAM_CAPS fill the rest)
//                                                        //   and the daemon's stall/idle bound (slot.stallTimeoutMs)
//   const slot = limits.admit('logs', call);             // server call: undefined past the cap (the call is
//                                                        //   already ended with RESOURCE_EXHAUSTED); else a
//                                                        //   slot released when the call ends, however it ends
//   const slot = limits.acquire('logs'); slot.release(); // the same without a call: throws ResourceExhaustedError
//   limits.stats()                                       // [{ kind, open, cap, refused, cutOff }] for gauges
//   parseStreamCaps('logs=100,upload=8', '--max-streams')  // a flag's value, errors name the flag
//   const out = new BoundedWriter(call, { what: 'logs of w1', slot });
//   try { for await (const m of source(out.signal)) await out.write(m, m.data.length); out.end(); }
//   catch (err) { out.fail(err); }                       // write() waits while over maxBufferedBytes; a reader
//                                                        //   that takes nothing for stallTimeoutMs is cut off
//                                                        //   (RST_STREAM ENHANCE_YOUR_CALM = RESOURCE_EXHAUSTED)
//   for await (const m of readWithIdleTimeout(call, { what: 'upload' })) …  // client stream: throws
//                                                        //   ResourceExhaustedError after idleMs without a message
import * as grpc from '@grpc/grpc-js';
import type { EventEmitter } from 'node:events';
import { constants as h2 } from 'node:http2';
import { MoError, ResourceExhaustedError, toServiceError } from './errors.js';
import { stallTimer, type Timer } from './timers.js';

/** The kinds of long-lived streams mo counts; any other name works too (cap: DEFAULT_OTHER_CAP). */
export type StreamKind = 'logs' | 'upload' | 'download' | 'heartbeat' | 'watch' | 'watch_pipelines' | (string & {});

/**
 * Streams of a kind open at once in one daemon. Sized so that the worst case (every stream full,
 * MAX_BUFFERED_BYTES each plus a read chunk) stays in the low hundreds of MiB, and well above
 * normal use: a person or script follows a few logs; agents upload one step's artifacts at a time.
 */
export const DEFAULT_STREAM_CAPS: Readonly<Record<string, number>> = {
  logs: 256,
  upload: 64,
  download: 64,
  // One per node: the cap only stops a flood of fake agents.
  heartbeat: 10_000,
  watch: 256,
  watch_pipelines: 256,
};
export const DEFAULT_OTHER_CAP = 256;

/**
 * HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS every mo server announces (grpc-options.ts): calls of one
 * connection at once. Above the largest per-kind cap, so the scheduler's one connection to an agent
 * carries every log stream the agent admits and still has room for other calls; a client that
 * asks for more waits for a free stream (nghttp2 queues it), one that ignores it gets REFUSED_STREAM.
 */
export const MAX_CONCURRENT_STREAMS_PER_CONNECTION = 512;

/** Bytes a server stream may have written but not yet sent before write() waits. */
export const MAX_BUFFERED_BYTES = 32 * 1024;
/** A reader that takes nothing of what is buffered for this long is cut off. */
export const STALL_TIMEOUT_MS = 30_000;
/** A client stream with no message for this long is ended. */
export const IDLE_TIMEOUT_MS = 30_000;

export interface StreamKindStats {
  kind: string;
  open: number;
  cap: number;
  /** Streams refused because the cap was reached, since start. */
  refused: number;
  /** Streams cut off (slow reader, idle client), since start. */
  cutOff: number;
}

/** One admitted stream. release() is idempotent. */
export interface StreamSlot {
  readonly kind: string;
  /** The daemon's bound on a stalled reader or a silent client stream (BoundedWriter's default). */
  readonly stallTimeoutMs: number;
  release(): void;
  /** Counts this stream as cut off (BoundedWriter and readWithIdleTimeout call it). */
  noteCutOff(): void;
}

/** A server call whose end StreamLimits can hear: every grpc-js server stream type. */
type EndingCall = Pick<EventEmitter, 'once' | 'emit'>;

export interface StreamLimitsOptions {
  /** A reader that takes nothing, or a client stream that sends nothing, for this long is cut off (STALL_TIMEOUT_MS). */
  stallTimeoutMs?: number;
}

/** Counts open streams per kind in one daemon and refuses those past the kind's cap. */
export class StreamLimits {
  private readonly caps: Record<string, number>;
  private readonly counts = new Map<string, StreamKindStats>();
  readonly stallTimeoutMs: number;

  constructor(caps: Partial<Record<StreamKind, number>> = {}, options: StreamLimitsOptions = {}) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? STALL_TIMEOUT_MS;
    if (!(this.stallTimeoutMs > 0)) throw new RangeError(`stallTimeoutMs must be positive, got ${this.stallTimeoutMs}`);
    for (const [kind, cap] of Object.entries(caps)) {
      if (cap !== undefined && (!Number.isInteger(cap) || cap < 0)) {
        throw new RangeError(`stream cap for ${kind} must be an integer ≥ 0, got ${cap}`);
      }
    }
    this.caps = { ...DEFAULT_STREAM_CAPS, ...(caps as Record<string, number>) };
  }

  cap(kind: StreamKind): number {
    return this.caps[kind] ?? DEFAULT_OTHER_CAP;
  }

  open(kind: StreamKind): number {
    return this.counts.get(kind)?.open ?? 0;
  }

  /** Every kind seen so far or configured, for a gauge. */
  stats(): StreamKindStats[] {
    for (const kind of Object.keys(this.caps)) this.entry(kind);
    return [...this.counts.values()].map((s) => ({ ...s }));
  }

  /** Takes a slot or throws ResourceExhaustedError naming the kind and its cap. */
  acquire(kind: StreamKind): StreamSlot {
    const s = this.entry(kind);
    if (s.open >= s.cap) {
      s.refused++;
      throw new ResourceExhaustedError(
        `too many ${kind} streams open on this daemon (at most ${s.cap}); try again when one ends`,
      );
    }
    s.open++;
    let released = false;
    return {
      kind,
      stallTimeoutMs: this.stallTimeoutMs,
      release: () => {
        if (released) return;
        released = true;
        s.open--;
      },
      noteCutOff: () => void s.cutOff++,
    };
  }

  /**
   * acquire() for a server call: the slot is released when the call ends (grpc-js emits
   * 'cancelled' at the end of every server call, finished or not). Past the cap the call is
   * ended with RESOURCE_EXHAUSTED and undefined is returned: the handler just returns. For a
   * client-streaming call pass `respond` (the handler's callback) to answer through it.
   */
  admit(kind: StreamKind, call: EndingCall, respond?: (err: grpc.ServiceError) => void): StreamSlot | undefined {
    let slot: StreamSlot;
    try {
      slot = this.acquire(kind);
    } catch (err) {
      const e = toServiceError(err) as grpc.ServiceError;
      if (respond) respond(e);
      else call.emit('error', e);
      return undefined;
    }
    call.once('cancelled', slot.release);
    call.once('close', slot.release);
    return slot;
  }

  private entry(kind: string): StreamKindStats {
    let s = this.counts.get(kind);
    if (!s) {
      s = { kind, open: 0, cap: this.cap(kind), refused: 0, cutOff: 0 };
      this.counts.set(kind, s);
    }
    return s;
  }
}

/**
 * Parses `kind=N[,kind=N…]` (a --max-streams flag) into caps; `name` labels errors. Kinds must be
 * among `known` (default: those of DEFAULT_STREAM_CAPS), N an integer ≥ 0 (0 refuses every stream).
 */
export function parseStreamCaps(
  raw: string,
  name: string,
  known: readonly string[] = Object.keys(DEFAULT_STREAM_CAPS),
): Record<string, number> {
  const caps: Record<string, number> = {};
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const m = /^([a-z_]+)=(\d{1,9})$/.exec(item);
    if (!m) throw new Error(`${name}: expected KIND=N[,KIND=N], got ${JSON.stringify(item.slice(0, 64))}`);
    if (!known.includes(m[1]!)) throw new Error(`${name}: unknown stream kind "${m[1]}" (known: ${known.join(', ')})`);
    caps[m[1]!] = Number(m[2]);
  }
  return caps;
}

/** Thrown by BoundedWriter.write once the call has ended (cancelled, cut off, closed): stop producing. */
export class StreamClosedError extends MoError {
  constructor(what: string) {
    super(grpc.status.CANCELLED, `${what}: the stream has ended`);
  }
}

export interface BoundedWriterOptions {
  /** Names the stream in errors ("logs of w1"). */
  what: string;
  /** Default MAX_BUFFERED_BYTES. */
  maxBufferedBytes?: number;
  /** Default: the slot's, else STALL_TIMEOUT_MS. */
  stallTimeoutMs?: number;
  /** Counted as cut off when the reader stalls. */
  slot?: StreamSlot;
}

type WritableCall<T> = Pick<
  grpc.ServerWritableStream<unknown, T>,
  'write' | 'end' | 'emit' | 'once' | 'destroy' | 'cancelled'
>;

/**
 * A server stream's writer with a bounded buffer. grpc-js's own buffer takes 16 messages whatever
 * their size, and a write after the call ended never calls back (so waiting for 'drain' then hangs
 * forever, holding the source's files). This counts bytes from write() until grpc-js has handed
 * them to HTTP/2 (which waits for the reader's flow-control window), makes write() wait above
 * maxBufferedBytes, and cuts the reader off when nothing buffered moves for stallTimeoutMs.
 */
export class BoundedWriter<T> {
  private pending = 0;
  private readonly abort = new AbortController();
  /** Writers waiting for room (several when producers share the call, e.g. stdout and stderr). */
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private watchdog: Timer | undefined;
  private failure: Error | undefined;
  private readonly max: number;
  private readonly stallMs: number;

  constructor(
    private readonly call: WritableCall<T>,
    private readonly o: BoundedWriterOptions,
  ) {
    this.max = o.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.stallMs = o.stallTimeoutMs ?? o.slot?.stallTimeoutMs ?? STALL_TIMEOUT_MS;
    const ended = () => this.close(new StreamClosedError(o.what));
    call.once('cancelled', ended);
    call.once('close', ended);
    if (call.cancelled) ended();
  }

  /** Aborted once the call has ended: pass it to the source so it stops reading. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Bytes written and not yet taken by HTTP/2. */
  get bufferedBytes(): number {
    return this.pending;
  }

  /**
   * Writes one message of `bytes` (its payload size; any consistent estimate will do) and
   * resolves when the buffer has room for the next. Rejects with StreamClosedError once the call
   * has ended, with ResourceExhaustedError when the reader was cut off.
   */
  async write(message: T, bytes: number): Promise<void> {
    if (this.failure) throw this.failure;
    // The stall clock runs from the last progress, not from the last write.
    if (this.pending === 0) this.armWatchdog();
    this.pending += bytes;
    this.call.write(message, (err: unknown) => {
      this.pending -= bytes;
      if (err) return this.close(new StreamClosedError(this.o.what));
      this.progress();
    });
    if (this.pending <= this.max) return;
    await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Ends the call with OK once everything buffered is sent (the stall bound still applies). */
  end(): void {
    if (this.failure) return;
    this.call.end();
  }

  /**
   * Ends the call with `err`'s status, unless it has ended already (then this does nothing:
   * StreamClosedError and a cut-off need no answer). The status follows what is buffered; a
   * reader that stalls meanwhile is cut off as any other.
   */
  fail(err: unknown): void {
    if (this.failure) return;
    this.call.emit('error', toServiceError(err));
  }

  /** Cuts the reader off now: RST_STREAM(ENHANCE_YOUR_CALM), which clients read as RESOURCE_EXHAUSTED. */
  cutOff(reason: string): void {
    if (this.failure) return;
    this.o.slot?.noteCutOff();
    const err = new ResourceExhaustedError(`${this.o.what}: ${reason}`);
    resetStream(this.call, h2.NGHTTP2_ENHANCE_YOUR_CALM, err);
    this.close(err);
  }

  private armWatchdog(): void {
    if (this.watchdog) return this.watchdog.refresh();
    // Armed while bytes are waiting; refresh() re-arms it after a cancel. A stall timer: when this
    // daemon's own loop was held up, the reader's progress may be queued behind it.
    this.watchdog = stallTimer(this.stallMs, () => {
      if (this.pending > 0) {
        this.cutOff(`the reader took nothing for ${this.stallMs} ms with ${this.pending} bytes waiting`);
      }
    });
  }

  private progress(): void {
    if (this.pending > 0) this.watchdog?.refresh();
    else this.watchdog?.cancel();
    if (this.waiters.length > 0 && this.pending <= this.max) {
      const ready = this.waiters;
      this.waiters = [];
      for (const w of ready) w.resolve();
    }
  }

  private close(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.watchdog?.cancel();
    this.abort.abort(err);
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(err);
  }
}

/**
 * Resets the HTTP/2 stream under a grpc-js server call. A stalled reader cannot be sent a status
 * (trailers queue behind the data it does not read), so the stream is reset instead. grpc-js 1.14
 * keeps the stream on the call's `call` (an interceptor chain ending in BaseServerInterceptingCall,
 * whose `stream` is it); when that shape is not found, the call is ended the ordinary way and
 * destroyed, which still frees its buffers.
 */
function resetStream(call: WritableCall<unknown>, code: number, err: MoError): void {
  let c: unknown = (call as unknown as { call?: unknown }).call;
  for (let depth = 0; c && depth < 8; depth++) {
    const stream = (c as { stream?: { close?: unknown; sendTrailers?: unknown; destroyed?: boolean } }).stream;
    if (stream && typeof stream.close === 'function' && typeof stream.sendTrailers === 'function') {
      if (!stream.destroyed) (stream.close as (code: number) => void).call(stream, code);
      return;
    }
    c = (c as { nextCall?: unknown }).nextCall;
  }
  call.emit('error', toServiceError(err));
  call.destroy();
}

export interface IdleTimeoutOptions {
  /** Names the stream in the error ("upload of p1/build/out.tar"). */
  what: string;
  /** Default: the slot's stallTimeoutMs, else IDLE_TIMEOUT_MS. */
  idleMs?: number;
  slot?: StreamSlot;
  /** Ends the stream early with the signal's reason (if an Error), e.g. when the daemon stops. */
  signal?: AbortSignal;
}

/**
 * The messages of a client stream (grpc-js server readable), ending with ResourceExhaustedError
 * when none arrives for idleMs, and with StreamClosedError when the call ends without the client's
 * half-close (disconnected, reset). Either way the stream is destroyed, so nothing of it is held.
 * A grpc-js client's cancel() sends END_STREAM before its RST_STREAM (in another packet), so a
 * cancelled stream can look finished: judge completeness by content (an upload's trailing sha256).
 */
export async function* readWithIdleTimeout<T>(
  call: NodeJS.ReadableStream &
    Pick<grpc.ServerReadableStream<unknown, unknown>, 'once' | 'cancelled'> & {
      destroy(err?: Error): void;
    },
  o: IdleTimeoutOptions,
): AsyncGenerator<T> {
  const idleMs = o.idleMs ?? o.slot?.stallTimeoutMs ?? IDLE_TIMEOUT_MS;
  const it = (call as AsyncIterable<T>)[Symbol.asyncIterator]();
  let stop: ((err: Error) => void) | undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  void stopped.catch(() => undefined);
  const timer = stallTimer(idleMs, () => {
    o.slot?.noteCutOff();
    stop!(new ResourceExhaustedError(`${o.what}: no message for ${idleMs} ms; an idle upload is not kept open`));
  });
  const cancelled = () => stop!(new StreamClosedError(o.what));
  call.once('cancelled', cancelled);
  const aborted = () => {
    const reason: unknown = o.signal?.reason;
    stop!(reason instanceof Error ? reason : new StreamClosedError(o.what));
  };
  if (o.signal?.aborted) aborted();
  o.signal?.addEventListener('abort', aborted, { once: true });
  let complete = false;
  try {
    for (;;) {
      const pending = it.next();
      // The race may be lost to the timer: the read then settles later, with nobody waiting.
      pending.catch(() => undefined);
      const next = await Promise.race([pending, stopped]);
      if (next.done) {
        complete = true;
        return;
      }
      timer.refresh();
      yield next.value;
    }
  } catch (err) {
    // A destroyed readable rejects its iterator with a premature close: that is a cancel.
    if (err instanceof MoError) throw err;
    if (call.cancelled) throw new StreamClosedError(o.what);
    throw err;
  } finally {
    timer.cancel();
    o.signal?.removeEventListener('abort', aborted);
    // Ended early (idle, cancelled, the consumer stopped): drop whatever the client still sends.
    if (!complete) call.destroy();
  }
}
