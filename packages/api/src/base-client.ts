// The plumbing every mo gRPC client shares (client.ts): a deadline per call (capped so it survives
// the wire), error mapping to MoError, a dial timeout grpc-js lacks, stream adapters, close.
import * as grpc from '@grpc/grpc-js';
import { MoError, fromServiceError } from './errors.js';
import { CONNECT_TIMEOUT_MS } from './keepalive.js';
import { MAX_DEADLINE_MS } from './wire/timeout.js';
import { getDefaultHighWaterMark, setDefaultHighWaterMark } from 'node:stream';
import type { ClientTls } from './tls/client.js';
import { channelCredentials, tlsChannelOptions } from './tls/grpc.js';
import type { ExpectedPeer } from './tls/peer.js';

/**
 * How a client reaches a daemon. Credentials are explicit: `tls` (the cluster's CA and this
 * caller's certificate), or `insecure: true` for a daemon started with --insecure; a client given
 * neither refuses to be built.
 */
export interface ClientOptions {
  /** Deadline for each unary call, in ms (default 10 s). */
  deadlineMs?: number;
  tls?: ClientTls;
  /** Plaintext (only a daemon run with --insecure accepts it). */
  insecure?: boolean;
  /**
   * The role the server must prove: the scheduler for scheduler clients (default), and for an
   * AgentClient the node it dials (`{ kind: 'agent', node }`): another node cannot answer for it.
   */
  peer?: ExpectedPeer;
  /** A bearer token sent on every call (`authorization: Bearer …`). */
  token?: string;
}

/** How to dial for `options`: fresh credentials per dial, and channel options. */
interface Dialing {
  credentials: () => grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
}

/** Channel credentials for `options`; throws when neither tls nor insecure is given. */
export function credentialsFor(address: string, options: ClientOptions, defaultPeer?: ExpectedPeer): Dialing {
  if (options.tls && options.insecure) throw new Error('ClientOptions: tls and insecure both given');
  const tls = options.tls;
  if (!tls) {
    if (!options.insecure) throw new Error('ClientOptions: give tls (certificates) or insecure: true');
    return { credentials: () => grpc.credentials.createInsecure(), channelOptions: {} };
  }
  const peer = options.peer ?? defaultPeer;
  if (!peer) throw new Error('ClientOptions: peer (the agent node to expect) is needed with tls');
  return { credentials: () => channelCredentials(tls, peer, address), channelOptions: tlsChannelOptions(peer) };
}

export type Unary<Req, Res> = (
  req: Req,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

/** A call option deadline `ms` from now, at most MAX_DEADLINE_MS (longer ones expire at once). */
export function deadlineIn(ms: number): grpc.Deadline {
  return Date.now() + Math.min(ms, MAX_DEADLINE_MS);
}

/**
 * Opens a server-streaming call whose Readable reads at most `messages` ahead of its consumer.
 * grpc-js builds the stream with Node's default for object streams (16 messages) and takes no
 * option for it: a daemon that relays a stream (the scheduler's log proxy) then holds 16 chunks
 * of every stream whose client stalled. The default is read when `open` constructs the stream
 * (synchronously), so it is changed around that call only.
 */
export function withReadAhead<T>(messages: number, open: () => T): T {
  const before = getDefaultHighWaterMark(true);
  setDefaultHighWaterMark(true, messages);
  try {
    return open();
  } finally {
    setDefaultHighWaterMark(true, before);
  }
}

/** Shared call plumbing: deadline per call, error mapping, a dial timeout, close. */
export abstract class BaseClient<C extends grpc.Client> {
  protected readonly deadlineMs: number;
  protected raw: C;
  private closed = false;
  private readonly token: string | undefined;
  private readonly dial: () => C;
  /**
   * `connect` makes a raw client with the given credentials (read again at each re-dial) and
   * channel options (to merge into its own).
   */
  constructor(
    readonly address: string,
    connect: (credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => C,
    options: ClientOptions,
    defaultPeer?: ExpectedPeer,
  ) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.token = options.token;
    const dialing = credentialsFor(address, options, defaultPeer);
    this.dial = () => connect(dialing.credentials(), dialing.channelOptions);
    this.raw = this.dial();
    this.watchDial(this.raw);
  }

  /**
   * grpc-js has no connect timeout: a dial into a silent partition waits for the kernel's SYN
   * retries (up to 2 min), and every call waits with it, also after the heal. A channel still
   * CONNECTING after CONNECT_TIMEOUT_MS is replaced by a new one (its waiting calls fail
   * UNAVAILABLE), so the next call dials afresh.
   */
  private watchDial(raw: C): void {
    const channel = raw.getChannel();
    try {
      const state = channel.getConnectivityState(false);
      if (state === grpc.connectivityState.SHUTDOWN) return;
      const connecting = state === grpc.connectivityState.CONNECTING;
      channel.watchConnectivityState(state, connecting ? Date.now() + CONNECT_TIMEOUT_MS : Infinity, (err) => {
        if (this.closed || raw !== this.raw) return;
        if (!err) return this.watchDial(raw);
        this.raw = this.dial();
        this.watchDial(this.raw);
        raw.close();
      });
    } catch {
      // Closed meanwhile: nothing to watch.
    }
  }

  /** Call metadata: the bearer token, when this client has one. */
  protected metadata(): grpc.Metadata {
    const m = new grpc.Metadata();
    if (this.token !== undefined) m.set('authorization', `Bearer ${this.token}`);
    return m;
  }

  protected call<Req, Res>(method: Unary<Req, Res>, req: Req, deadlineMs = this.deadlineMs): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.raw, req, this.metadata(), { deadline: deadlineIn(deadlineMs) }, (err, res) => {
        if (err) reject(this.failure(err));
        else if (res === undefined) reject(fromServiceError(new Error('empty response'), this.address));
        else resolve(res);
      });
    });
  }

  /** Resolves once connected, or rejects with UnavailableError after `timeoutMs`. */
  waitForReady(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.waitForReady(Date.now() + timeoutMs, (err) =>
        err
          ? reject(fromServiceError({ code: grpc.status.UNAVAILABLE, details: err.message }, this.address))
          : resolve(),
      );
    });
  }

  close(): void {
    this.closed = true;
    this.raw.close();
  }

  /** A call's error as MoError. */
  protected failure(err: unknown): MoError {
    const e = err as Partial<grpc.ServiceError>;
    // A call queued on a channel that watchDial replaced: say why, not grpc-js's words for it.
    if (!this.closed && e.code === grpc.status.UNAVAILABLE && e.details === 'Channel closed before call started') {
      const details = `No connection established within ${CONNECT_TIMEOUT_MS} ms`;
      return fromServiceError({ code: grpc.status.UNAVAILABLE, details }, this.address);
    }
    return fromServiceError(err, this.address);
  }

  /** Adapts a server stream to an async generator; `signal` cancels it quietly. */
  protected async *stream<T>(call: grpc.ClientReadableStream<T>, signal?: AbortSignal): AsyncGenerator<T> {
    const onAbort = () => call.cancel();
    if (signal?.aborted) call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const item of call as AsyncIterable<T>) yield item;
    } catch (err) {
      if (signal?.aborted && (err as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw this.failure(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }
}
