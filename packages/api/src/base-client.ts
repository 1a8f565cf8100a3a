// The plumbing every mo gRPC client shares (client.ts): a deadline per call (capped so it survives
// the wire), error mapping to MoError, a dial timeout grpc-js lacks, stream adapters, close, and
// following the leader among several schedulers (leader-choice.ts decides where to go).
import * as grpc from '@grpc/grpc-js';
import { MoError, NotLeaderError, fromServiceError } from './errors.js';
import {
  FIRST_ROUND,
  addressList,
  chooseAfterFailure,
  failureOf,
  following,
  learnAddress,
  retrySafe,
} from './leader-choice.js';
import { sleep } from './timers.js';
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
  /**
   * Interval between keepalive PINGs while a call is in flight (default KEEPALIVE_TIME_MS). The
   * agent's heartbeat stream takes a longer one: the scheduler's answers are its keepalive.
   */
  keepaliveTimeMs?: number;
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
  const keepalive: grpc.ChannelOptions =
    options.keepaliveTimeMs === undefined ? {} : { 'grpc.keepalive_time_ms': options.keepaliveTimeMs };
  if (!tls) {
    if (!options.insecure) throw new Error('ClientOptions: give tls (certificates) or insecure: true');
    return { credentials: () => grpc.credentials.createInsecure(), channelOptions: keepalive };
  }
  const peer = options.peer ?? defaultPeer;
  if (!peer) throw new Error('ClientOptions: peer (the agent node to expect) is needed with tls');
  return {
    credentials: () => channelCredentials(tls, peer, address),
    channelOptions: { ...tlsChannelOptions(peer), ...keepalive },
  };
}

export type Unary<Req, Res> = (
  req: Req,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

/** A call option deadline `ms` from now, at most MAX_DEADLINE_MS (longer ones expire at once). */
export function deadlineIn(ms: number): number {
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

/** One scheduler address and the channel to it (re-dialed by watchDial). */
interface Slot<C> {
  readonly address: string;
  raw: C;
  readonly dial: () => C;
}

/**
 * Shared call plumbing: deadline per call, error mapping, a dial timeout, close; and, given
 * several scheduler addresses (`"a:1,b:2"` or a list), following the leader (leader-choice.ts):
 * a follower's redirect is followed at once, a refusal while no leader is known goes round the
 * others, a connection failure moves a read or an idempotent call to the next address. With one
 * address a call takes the path it always took; only a follower's refusal (which a single
 * scheduler never gives) sends it on.
 */
export abstract class BaseClient<C extends grpc.Client> {
  protected readonly deadlineMs: number;
  protected raw: C;
  private closed = false;
  private readonly token: string | undefined;
  /** Every address known, in the order given; leaders learned from redirects are added. */
  private readonly known: string[];
  /** How many of `known` were given (the rest were learned, at most MAX_LEARNED_ADDRESSES). */
  private readonly given: number;
  /** Channels by address, dialed on first use (a follower-first list costs no dial up front). */
  private readonly slots = new Map<string, Slot<C>>();
  private current: Slot<C>;
  private readonly makeSlot: (address: string) => Slot<C>;
  /**
   * `connect` makes a raw client for an address with the given credentials (read again at each
   * re-dial) and channel options (to merge into its own).
   */
  constructor(
    address: string | readonly string[],
    connect: (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => C,
    options: ClientOptions,
    defaultPeer?: ExpectedPeer,
  ) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.token = options.token;
    this.known = typeof address === 'string' && !address.includes(',') ? [address] : addressList(address);
    this.given = this.known.length;
    this.makeSlot = (a) => {
      const dialing = credentialsFor(a, options, defaultPeer);
      const dial = () => connect(a, dialing.credentials(), dialing.channelOptions);
      const slot: Slot<C> = { address: a, raw: dial(), dial };
      this.watchDial(slot, slot.raw);
      return slot;
    };
    this.current = this.slotOf(this.known[0]!);
    this.raw = this.current.raw;
  }

  /** The address calls go to now (the leader, once one answered). */
  get address(): string {
    return this.current.address;
  }

  /** Every scheduler address this client knows, in order (leaders learned from redirects last). */
  get addresses(): readonly string[] {
    return this.known;
  }

  private slotOf(address: string): Slot<C> {
    let slot = this.slots.get(address);
    if (!slot) {
      slot = this.makeSlot(address);
      this.slots.set(address, slot);
      const dropped = learnAddress(this.known, this.given, address, this.current?.address ?? address);
      if (dropped !== undefined) {
        this.slots.get(dropped)?.raw.close();
        this.slots.delete(dropped);
      }
    }
    return slot;
  }

  /** Calls go to `address` from now on. */
  private moveTo(address: string): void {
    if (this.closed || this.current.address === address) return;
    this.current = this.slotOf(address);
    this.raw = this.current.raw;
  }

  /**
   * grpc-js has no connect timeout: a dial into a silent partition waits for the kernel's SYN
   * retries (up to 2 min), and every call waits with it, also after the heal. A channel still
   * CONNECTING after CONNECT_TIMEOUT_MS is replaced by a new one (its waiting calls fail
   * UNAVAILABLE), so the next call dials afresh.
   */
  private watchDial(slot: Slot<C>, raw: C): void {
    const channel = raw.getChannel();
    try {
      const state = channel.getConnectivityState(false);
      if (state === grpc.connectivityState.SHUTDOWN) return;
      const connecting = state === grpc.connectivityState.CONNECTING;
      channel.watchConnectivityState(state, connecting ? Date.now() + CONNECT_TIMEOUT_MS : Infinity, (err) => {
        if (this.closed || raw !== slot.raw) return;
        if (!err) return this.watchDial(slot, raw);
        slot.raw = slot.dial();
        if (this.current === slot) this.raw = slot.raw;
        this.watchDial(slot, slot.raw);
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
    if (this.known.length > 1) return this.callFollowing(method, req, deadlineIn(deadlineMs));
    return new Promise((resolve, reject) => {
      const deadline = deadlineIn(deadlineMs);
      method.call(this.raw, req, this.metadata(), { deadline }, (err, res) => {
        if (err) {
          const failure = this.failure(err);
          // A follower's refusal (only several schedulers give one): go where it points.
          if (failure instanceof NotLeaderError) {
            this.callFollowing(method, req, deadline, { err: failure, at: this.address }).then(resolve, reject);
          } else reject(failure);
        } else if (res === undefined) reject(fromServiceError(new Error('empty response'), this.address));
        else resolve(res);
      });
    });
  }

  /** One attempt at `slot`'s address. */
  private callAt<Req, Res>(slot: Slot<C>, method: Unary<Req, Res>, req: Req, deadline: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(slot.raw, req, this.metadata(), { deadline }, (err, res) => {
        if (err) reject(this.failure(err, slot.address));
        else if (res === undefined) reject(fromServiceError(new Error('empty response'), slot.address));
        else resolve(res);
      });
    });
  }

  /** A call that follows the leader (leader-choice.ts) until `deadline` (ms since the epoch). */
  private async callFollowing<Req, Res>(
    method: Unary<Req, Res>,
    req: Req,
    deadline: number,
    failed?: { err: MoError; at: string },
  ): Promise<Res> {
    const safe = retrySafe((method as { path?: string }).path ?? '', req);
    let round = FIRST_ROUND;
    let at = failed?.at ?? this.current.address;
    let err: unknown = failed?.err;
    for (;;) {
      if (err === undefined) {
        try {
          const res = await this.callAt(this.slotOf(at), method, req, deadline);
          this.moveTo(at);
          return res;
        } catch (e) {
          err = e;
        }
      }
      const failure = failureOf(err);
      const addresses = this.known;
      const choice = chooseAfterFailure({ addresses, at, failure, safe, round, remainingMs: deadline - Date.now() });
      if (choice.kind === 'fail' || this.closed) {
        if (choice.kind === 'fail') this.moveTo(choice.next);
        throw err;
      }
      // Held (ref): a CLI waiting for an election stays alive until it answers or the deadline.
      if (choice.waitMs > 0) await sleep(choice.waitMs, undefined, { ref: true });
      // Closed meanwhile: dial nothing new (a channel made now would never be closed).
      if (this.closed) throw err;
      round = choice.round;
      at = choice.address;
      err = undefined;
    }
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
    for (const slot of this.slots.values()) slot.raw.close();
  }

  /** A call's error as MoError. */
  protected failure(err: unknown, address = this.address): MoError {
    const e = err as Partial<grpc.ServiceError>;
    // A call queued on a channel that watchDial replaced: say why, not grpc-js's words for it.
    if (!this.closed && e.code === grpc.status.UNAVAILABLE && e.details === 'Channel closed before call started') {
      const details = `No connection established within ${CONNECT_TIMEOUT_MS} ms`;
      return fromServiceError({ code: grpc.status.UNAVAILABLE, details }, address);
    }
    return fromServiceError(err, address);
  }

  /** Adapts a server stream to an async generator; `signal` cancels it quietly. */
  protected async *stream<T>(
    call: grpc.ClientReadableStream<T>,
    signal?: AbortSignal,
    address = this.address,
  ): AsyncGenerator<T> {
    const onAbort = () => call.cancel();
    if (signal?.aborted) call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const item of call as AsyncIterable<T>) yield item;
    } catch (err) {
      if (signal?.aborted && (err as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw this.failure(err, address);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  /**
   * A server stream (a watch, logs) opened with `open` on the leader: a follower's refusal at
   * open, or a connection that fails before the first message, opens it again where
   * leader-choice.ts says (streams only read), for at most the client's deadline. Once messages
   * came, a failure ends the stream as before (the caller resumes it, e.g. followWatch); a lost
   * connection sends the next open to the next address.
   */
  protected async *openStream<T>(
    open: (raw: C) => grpc.ClientReadableStream<T>,
    signal?: AbortSignal,
  ): AsyncGenerator<T> {
    const deadline = Date.now() + this.deadlineMs;
    let round = FIRST_ROUND;
    let at = this.current.address;
    for (;;) {
      const slot = this.slotOf(at);
      let received = false;
      try {
        for await (const item of this.stream(open(slot.raw), signal, at)) {
          if (!received) this.moveTo(at);
          received = true;
          yield item;
        }
        this.moveTo(at);
        return;
      } catch (err) {
        const failure = failureOf(err);
        if (received || this.closed) {
          if (failure.kind === 'unreachable') this.moveTo(following(this.known, at));
          throw err;
        }
        const remainingMs = deadline - Date.now();
        const choice = chooseAfterFailure({ addresses: this.known, at, failure, safe: true, round, remainingMs });
        if (choice.kind === 'fail') {
          this.moveTo(choice.next);
          throw err;
        }
        if (choice.waitMs > 0) await sleep(choice.waitMs, signal, { ref: true });
        if (signal?.aborted) return;
        if (this.closed) throw err;
        round = choice.round;
        at = choice.address;
      }
    }
  }
}
