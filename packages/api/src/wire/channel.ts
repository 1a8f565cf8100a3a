// Minimal gRPC calls over node:http2, unary and server-streaming: length-prefixed protobuf in,
// grpc-status trailers out. Used by the wire client (the CLI's common commands), where loading
// grpc-js costs more than the call, and by AgentClient for the scheduler's unary calls to agents
// (the hot path).
// TLS with the caller's certificate when given (the server's role checked, not its host name), no
// compression, no retries. Keepalive and a connect timeout as every mo connection has
// (../keepalive.ts): a session that does not answer a PING in time, or does not connect in time,
// is destroyed with its calls failed UNAVAILABLE, and the next call dials a new one.
import { after, type Timer } from '../timers.js';
import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { FrameError, FrameReader } from './frames.js';
import { proxyFor, tunnel, type ProxyInfo } from './proxy.js';
import { CONNECT_TIMEOUT_MS, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS } from '../keepalive.js';
import { MAX_DEADLINE_MS, grpcTimeoutHeader } from './timeout.js';
import { secureContextOf, type ClientTls } from '../tls/client.js';
import { checkPeerRole, type ExpectedPeer } from '../tls/peer.js';

/**
 * A failed call, shaped like grpc-js's ServiceError (code, details, and the one trailer mo reads:
 * a follower scheduler's `mo-leader`) so the usual mapping applies.
 */
export class WireCallError extends Error {
  /** The trailers fromServiceError reads, as grpc-js's Metadata.get gives them. */
  readonly metadata: { get(key: string): string[] } | undefined;
  constructor(
    readonly code: number,
    readonly details: string,
    leader?: string,
  ) {
    super(details);
    this.name = 'WireCallError';
    this.metadata = leader === undefined ? undefined : { get: (key) => (key === LEADER_TRAILER ? [leader] : []) };
  }
}

/** A follower scheduler's trailer naming the leader (../leader.ts; not imported: no grpc-js here). */
const LEADER_TRAILER = 'mo-leader';

export interface WireChannelOptions {
  /** Interval between keepalive PINGs (default KEEPALIVE_TIME_MS). */
  keepaliveTimeMs?: number;
  /** A PING not answered within this drops the session (default KEEPALIVE_TIMEOUT_MS). */
  keepaliveTimeoutMs?: number;
  /** A session not connected within this is dropped (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Dial over TLS with this material, accepting only a server in the role `peer`. */
  tls?: ClientTls;
  peer?: ExpectedPeer;
  /** A bearer token sent with every call. */
  token?: string;
  /** Where grpc_proxy/https_proxy/http_proxy and no_proxy are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const { NGHTTP2_CANCEL } = constants;
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;
const INTERNAL = 13;
const RESOURCE_EXHAUSTED = 8;
/** Same cap as MAX_MESSAGE_BYTES for the full client. */
const MAX_RESPONSE = 4 * 1024 * 1024;

/** One HTTP/2 session and the calls in flight on it. */
interface Connection {
  readonly session: ClientHttp2Session;
  /** Told (with the details) when the session fails: one listener for all calls, not one per call
   * (with many calls in flight that would trip Node's listener-leak warning). */
  readonly waiting: Set<(details: string) => void>;
  /** The connect timeout, then the keepalive timer (interval, or the wait for an answer). */
  timer?: Timer;
  /** Connected with no call waiting: no PINGs until the next call (keepalive.ts says why). */
  parked?: boolean;
  dropped: boolean;
  /** The session's last error (a TLS alert arrives as one, sometimes after its streams ended). */
  lastError?: string;
}

export class WireChannel {
  private conn: Connection | undefined;
  private readonly keepaliveTimeMs: number;
  private readonly keepaliveTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly tls: { tls: ClientTls; peer: ExpectedPeer } | undefined;
  private readonly token: string | undefined;
  /** The HTTP CONNECT proxy to dial through, as grpc-js would pick it (proxy.ts). */
  private readonly proxy: ProxyInfo | undefined;

  constructor(
    readonly address: string,
    options: WireChannelOptions = {},
  ) {
    if (options.tls && !options.peer) throw new Error('WireChannel: tls needs peer (the role the server must prove)');
    this.tls = options.tls && options.peer ? { tls: options.tls, peer: options.peer } : undefined;
    this.token = options.token;
    this.keepaliveTimeMs = options.keepaliveTimeMs ?? KEEPALIVE_TIME_MS;
    this.keepaliveTimeoutMs = options.keepaliveTimeoutMs ?? KEEPALIVE_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.proxy = proxyFor(address, options.env ?? process.env);
  }

  private open(): Connection {
    const current = this.conn;
    if (current && !current.dropped && !current.session.destroyed && !current.session.closed) return current;
    let session: ClientHttp2Session;
    const { proxy, address } = this;
    if (this.tls) {
      const tls = {
        secureContext: secureContextOf(this.tls.tls.material()),
        // No SNI name of our own (grpc-js sends peerServerName; no mo server reads it): Node checks
        // a servername against its IPv6 regular expression, whose compilation was ~5 ms of each
        // `mo status`. A host name in the address is still sent, as Node does.
        checkServerIdentity: checkPeerRole(this.tls.peer, address),
      };
      session = connect(`https://${address}`, {
        ...tls,
        // Through a proxy, TLS runs inside its tunnel (end to end with the scheduler).
        ...(proxy && {
          createConnection: () => tlsConnect({ ...tls, socket: tunnel(proxy, address), ALPNProtocols: ['h2'] }),
        }),
      });
    } else {
      session = connect(`http://${address}`, proxy && { createConnection: () => tunnel(proxy, address) });
    }
    const conn: Connection = { session, waiting: new Set(), dropped: false };
    session.on('error', (err) => {
      conn.lastError = err.message;
      for (const fail of conn.waiting) fail(`No connection established. Last error: ${err.message}`);
    });
    session.once('close', () => conn.timer?.cancel());
    // A dial into a partition hangs (its SYNs vanish): give it up, so the next call dials again.
    conn.timer = after(this.connectTimeoutMs, () =>
      this.drop(conn, `No connection established within ${this.connectTimeoutMs} ms`),
    );
    session.once('connect', () => {
      conn.timer?.cancel();
      this.keepalive(conn);
    });
    this.conn = conn;
    return conn;
  }

  /**
   * Arms the next PING; an answer re-arms it, silence or an error drops the session. With no call
   * waiting it parks instead, and the next call re-arms it (so that call still learns of a dead
   * connection within KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS).
   */
  private keepalive(conn: Connection): void {
    conn.parked = false;
    conn.timer = after(this.keepaliveTimeMs, () => {
      if (conn.dropped || conn.session.destroyed || conn.session.closed) return;
      if (conn.waiting.size === 0) {
        conn.timer = undefined;
        conn.parked = true;
        return;
      }
      conn.timer = after(this.keepaliveTimeoutMs, () =>
        this.drop(conn, `connection lost: keepalive PING not answered within ${this.keepaliveTimeoutMs} ms`),
      );
      let sent = false;
      try {
        sent = conn.session.ping((err) => {
          if (conn.dropped) return;
          conn.timer?.cancel();
          if (err) this.drop(conn, `connection lost: keepalive PING failed: ${err.message}`);
          else this.keepalive(conn);
        });
      } catch (err) {
        return this.drop(conn, `connection lost: keepalive PING failed: ${(err as Error).message}`);
      }
      if (!sent) this.drop(conn, 'connection lost: keepalive PING could not be sent');
    });
  }

  /** A call waits on `conn` from now: a parked keepalive runs again. */
  private wait(conn: Connection, onSessionError: (details: string) => void): void {
    conn.waiting.add(onSessionError);
    if (conn.parked) this.keepalive(conn);
  }

  /** Fails the session's calls with UNAVAILABLE and destroys it; idempotent. */
  private drop(conn: Connection, details: string): void {
    if (conn.dropped) return;
    conn.dropped = true;
    conn.timer?.cancel();
    if (this.conn === conn) this.conn = undefined;
    for (const fail of conn.waiting) fail(details);
    conn.session.destroy();
  }

  /** Starts connecting now (if not connected): a caller then prepares its request meanwhile. */
  connect(): void {
    this.open();
  }

  /** One unary call: `path` is "/mo.v1.Scheduler/GetClusterStatus". */
  call(path: string, request: Buffer, deadlineMs: number): Promise<Buffer> {
    const timeoutMs = Math.min(deadlineMs, MAX_DEADLINE_MS);
    return new Promise((resolve, reject) => {
      const conn = this.open();
      const { session, waiting } = conn;
      let settled = false;
      const fail = (code: number, details: string, leader?: string) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        waiting.delete(onSessionError);
        reject(new WireCallError(code, details, leader));
      };
      // Held (ref): a call in flight keeps a CLI alive until it answers or its deadline passes.
      const timer = after(
        timeoutMs,
        () => {
          req.close();
          fail(DEADLINE_EXCEEDED, `Deadline exceeded after ${timeoutMs} ms`);
        },
        { ref: true },
      );
      const onSessionError = (details: string) => fail(UNAVAILABLE, details);
      this.wait(conn, onSessionError);
      const req = session.request(this.headers(path, timeoutMs));
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE + 5) {
          req.close();
          fail(RESOURCE_EXHAUSTED, `response larger than ${MAX_RESPONSE} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      onOutcome(req, conn, this.address, fail, () => {
        const body = Buffer.concat(chunks);
        if (body.length < 5 || body[0] !== 0) return fail(INTERNAL, 'malformed or compressed response message');
        const len = body.readUInt32BE(1);
        if (body.length < 5 + len) return fail(INTERNAL, 'truncated response message');
        settled = true;
        timer.cancel();
        waiting.delete(onSessionError);
        resolve(body.subarray(5, 5 + len));
      });
      req.end(frameOf(request));
    });
  }

  /**
   * A server-streaming call: its messages until the server ends it (OK), as they come. At most
   * `readAhead` messages are held ahead of the consumer (the HTTP/2 stream is paused meanwhile, so
   * flow control holds the server back). A non-OK status is thrown as a WireCallError after the
   * messages before it. Aborting `signal`, or leaving the loop, cancels the call (no error).
   * No deadline unless `deadlineMs` is given: the session's keepalive notices a dead peer.
   */
  async *stream(
    path: string,
    request: Buffer,
    { signal, deadlineMs, readAhead = 16 }: { signal?: AbortSignal; deadlineMs?: number; readAhead?: number } = {},
  ): AsyncGenerator<Buffer> {
    if (signal?.aborted) return;
    const conn = this.open();
    const { session, waiting } = conn;
    const timeoutMs = deadlineMs === undefined ? undefined : Math.min(deadlineMs, MAX_DEADLINE_MS);
    const queue: Buffer[] = [];
    let failure: WireCallError | undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const fail = (code: number, details: string, leader?: string) => {
      if (ended || failure) return;
      failure = new WireCallError(code, details, leader);
      if (!req.closed) req.close(NGHTTP2_CANCEL);
      notify();
    };
    const timer =
      timeoutMs === undefined
        ? undefined
        : after(timeoutMs, () => fail(DEADLINE_EXCEEDED, `Deadline exceeded after ${timeoutMs} ms`), { ref: true });
    const onSessionError = (details: string) => fail(UNAVAILABLE, details);
    this.wait(conn, onSessionError);
    const req = session.request(this.headers(path, timeoutMs));
    const frames = new FrameReader(MAX_RESPONSE);
    req.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        queue.push(...frames.push(chunk));
      } catch (err) {
        return fail(err instanceof FrameError ? err.code : INTERNAL, (err as Error).message);
      }
      if (queue.length >= readAhead) req.pause();
      notify();
    });
    onOutcome(req, conn, this.address, fail, () => {
      if (frames.buffered > 0) return fail(INTERNAL, 'truncated response message');
      ended = true;
      notify();
    });
    signal?.addEventListener('abort', notify, { once: true });
    req.end(frameOf(request));
    try {
      for (;;) {
        if (signal?.aborted) return;
        const next = queue.shift();
        if (next) {
          if (queue.length < readAhead && req.isPaused()) req.resume();
          yield next;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal?.removeEventListener('abort', notify);
      timer?.cancel();
      waiting.delete(onSessionError);
      if (!req.closed) req.close(NGHTTP2_CANCEL);
    }
  }

  /** The request headers of a call to `path`; no grpc-timeout without a deadline (a watch). */
  private headers(path: string, timeoutMs: number | undefined): OutgoingHttpHeaders {
    return {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(timeoutMs !== undefined ? { 'grpc-timeout': grpcTimeoutHeader(timeoutMs) } : {}),
      ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}),
    };
  }

  /** Drops the connection at once (no GOAWAY round trip): callers close after their last call. */
  close(): void {
    if (this.conn) this.drop(this.conn, 'the channel was closed');
  }
}

/**
 * How a call ends, for unary calls and streams alike: an HTTP status other than 200, a non-OK
 * grpc-status (from the headers of a trailers-only response, or the trailers), a stream error or
 * a response that ended without a status are `fail`ed; `ok` runs once it ended with status 0.
 */
function onOutcome(
  req: ClientHttp2Stream,
  conn: Connection,
  address: string,
  fail: (code: number, details: string, leader?: string) => void,
  ok: () => void,
): void {
  let status: number | undefined;
  let message = '';
  let leader: string | undefined;
  let responded = false;
  const takeStatus = (headers: Record<string, unknown>) => {
    if (headers['grpc-status'] !== undefined) status = Number(headers['grpc-status']);
    if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
    if (headers[LEADER_TRAILER] !== undefined) leader = String(headers[LEADER_TRAILER]);
  };
  req.on('response', (headers) => {
    responded = true;
    if (headers[':status'] !== 200)
      return fail(UNAVAILABLE, `HTTP status ${String(headers[':status'])} from ${address}`);
    takeStatus(headers); // a trailers-only response carries the status here
  });
  req.on('trailers', (trailers) => takeStatus(trailers));
  req.on('error', (err) => {
    // A refused connection shows as "pending stream canceled" with the real error as cause.
    const cause = (err as Error & { cause?: Error }).cause;
    fail(UNAVAILABLE, `No connection established. Last error: ${(cause ?? err).message}`);
  });
  req.on('end', () => {
    if (status === undefined && !responded) return unanswered(conn, (details) => fail(UNAVAILABLE, details));
    if (status === undefined) return fail(...endedWithoutStatus(conn));
    if (status !== 0) return fail(status, message, leader);
    ok();
  });
}

/** One request message, length-prefixed and uncompressed. */
function frameOf(request: Buffer): Buffer {
  const frame = Buffer.alloc(5 + request.length);
  frame.writeUInt32BE(request.length, 1);
  request.copy(frame, 5);
  return frame;
}

/**
 * The server hung up before answering: over TLS, it refused this client's certificate (TLS 1.3
 * reports the alert only after the client has sent its request). The alert comes as the
 * session's error, maybe a moment later: wait for it, briefly, then `fail` with what is known.
 */
function unanswered(conn: Connection, fail: (details: string) => void): void {
  const report = () => fail(`No connection established. Last error: ${conn.lastError ?? 'closed before any response'}`);
  if (conn.lastError || conn.session.destroyed) return report();
  conn.session.once('close', report);
  after(100, report);
}

/**
 * A response that ended without a grpc-status: cut off with its connection (the server went away
 * mid-call, as grpc-js says "Connection dropped": UNAVAILABLE, worth another try), or else a
 * server that broke the protocol (INTERNAL).
 */
function endedWithoutStatus(conn: Connection): [code: number, details: string] {
  if (conn.session.closed || conn.session.destroyed)
    return [
      UNAVAILABLE,
      `connection lost: the server closed the connection${conn.lastError ? `: ${conn.lastError}` : ''}`,
    ];
  return [INTERNAL, 'the response ended without a grpc-status'];
}
