/**
 * @mo/api/wire — the scheduler calls of short-lived tools (the CLI), without grpc-js or protobufjs.
 *
 * ```ts
 * import { WireSchedulerClient } from '@mo/api/wire';
 * const c = new WireSchedulerClient('127.0.0.1:7600', { deadlineMs: 5000, tls: readClientTls(files) });
 * const status = await c.getClusterStatus({ recentWorkloads: 10 }); // same shape as SchedulerClient's
 * c.close();
 * ```
 *
 * Loading @mo/api's full client (grpc-js, protobufjs, the descriptor) takes ~100 ms; `mo status`
 * should feel instant. This entry point is a small HTTP/2 transport (`WireChannel`: unary calls and
 * server streams) and a
 * codec driven by the same generated descriptor, producing objects identical to the full
 * client's (tested against it). Errors are the full client's MoErrors (a WireCallError, with the
 * gRPC code and details, is their cause; WireChannel's own calls throw it as it is). The
 * session has the keepalive and connect timeout of every mo connection (../keepalive.ts).
 * Lists are paged: `listAll*` and `getFullClusterStatus` follow next_page_token (`followPages`).
 * Given several scheduler addresses (`"a:1,b:2"`), calls follow the leader as the full clients'
 * do (../leader-choice.ts).
 */
import type { ClusterStatus__Output } from '../generated/mo/v1/ClusterStatus.js';
import type { GetClusterStatusRequest } from '../generated/mo/v1/GetClusterStatusRequest.js';
import type { ListNodesRequest } from '../generated/mo/v1/ListNodesRequest.js';
import type { ListNodesResponse__Output } from '../generated/mo/v1/ListNodesResponse.js';
import type { ListWorkloadsRequest } from '../generated/mo/v1/ListWorkloadsRequest.js';
import type { ListWorkloadsResponse__Output } from '../generated/mo/v1/ListWorkloadsResponse.js';
import type { ScheduledWorkload__Output } from '../generated/mo/v1/ScheduledWorkload.js';
import type { SubmitWorkloadRequest } from '../generated/mo/v1/SubmitWorkloadRequest.js';
import type { SubmitWorkloadResponse__Output } from '../generated/mo/v1/SubmitWorkloadResponse.js';
import type { StopScheduledWorkloadRequest } from '../generated/mo/v1/StopScheduledWorkloadRequest.js';
import type { WatchRequest } from '../generated/mo/v1/WatchRequest.js';
import type { ClusterEvent__Output } from '../generated/mo/v1/ClusterEvent.js';
import { MoError, NotLeaderError, fromServiceError } from '../errors.js';
import { FIRST_ROUND, addressList, chooseAfterFailure, failureOf, retrySafe } from '../leader-choice.js';
import { sleep } from '../timers.js';
import { MAX_DEADLINE_MS } from './timeout.js';
import { allNodes, allWorkloads, fullClusterStatusOf } from '../paging/collect.js';
import { decodeMessage, encodeMessage, prepareDecoder } from './codec.js';
import { WireChannel, type WireChannelOptions } from './channel.js';

export { WireCallError, WireChannel, type WireChannelOptions } from './channel.js';
// Not loadClientTls (node:crypto, ~5 ms to load): @mo/api/tls-check has it.
export { readClientTls, CLI_TLS_LABELS, type ClientFiles, type ClientTls } from '../tls/client.js';
export { TlsFileError } from '../tls/pem.js';
export type { TlsFiles } from '../tls/material.js';
export { grpcTimeoutHeader } from './timeout.js';
export { PROXY_VARIABLES } from './proxy.js';
export { decodeMessage, encodeMessage } from './codec.js';
export { followPages, PagingError } from '../paging/follow.js';

/**
 * The Scheduler service calls the CLI's common commands make (status, nodes, ps, start, stop, the
 * watch behind --wait), over the wire transport. Same methods, arguments and results as the full
 * SchedulerClient, and the same errors: MoErrors mapped by fromServiceError (the WireCallError is
 * their cause).
 */
export class WireSchedulerClient {
  private channel: WireChannel;
  private readonly deadlineMs: number;
  /** Every scheduler address known, in the order given (leaders learned from redirects last). */
  private readonly known: string[];
  private readonly channels = new Map<string, WireChannel>();
  private readonly openChannel: (address: string) => WireChannel;
  private closed = false;

  /** `address`: one scheduler, or several (`"a:1,b:2"` or a list): calls follow the leader. */
  constructor(
    address: string | readonly string[],
    options: { deadlineMs?: number } & Pick<WireChannelOptions, 'tls' | 'token' | 'env'> & { insecure?: boolean },
  ) {
    if (!options.tls === !options.insecure)
      throw new Error('WireSchedulerClient: give exactly one of tls and insecure');
    const channelOptions: WireChannelOptions = {
      ...(options.tls ? { tls: options.tls, peer: { kind: 'scheduler' as const } } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.env ? { env: options.env } : {}),
    };
    this.openChannel = (a) => new WireChannel(a, channelOptions);
    this.known = typeof address === 'string' && !address.includes(',') ? [address] : addressList(address);
    this.channel = this.channelOf(this.known[0]!);
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  /** The address calls go to now (the leader, once one answered). */
  get address(): string {
    return this.channel.address;
  }

  private channelOf(address: string): WireChannel {
    let c = this.channels.get(address);
    if (!c) {
      c = this.openChannel(address);
      this.channels.set(address, c);
      if (!this.known.includes(address)) this.known.push(address);
    }
    return c;
  }

  private async call<T>(
    method: string,
    reqType: string,
    resType: string,
    req: object,
    deadlineMs = this.deadlineMs,
  ): Promise<T> {
    // The TLS handshake's round trips (and the server's side of it) overlap the encoding, and the
    // server's work the response decoder's compilation: each is a few ms of a CLI's first call.
    this.channel.connect();
    const body = encodeMessage(reqType, req);
    const deadline = Date.now() + Math.min(deadlineMs, MAX_DEADLINE_MS);
    const path = `/mo.v1.Scheduler/${method}`;
    const pending = this.channel.call(path, body, deadlineMs);
    prepareDecoder(resType);
    let res: Buffer;
    try {
      res = await pending;
    } catch (err) {
      const failure = fromServiceError(err, this.address);
      // One scheduler: as always, unless it is a follower (leader-choice.ts).
      if (this.known.length === 1 && !(failure instanceof NotLeaderError)) throw failure;
      res = await this.follow(path, req, body, deadline, failure);
    }
    return decodeMessage<T>(resType, res);
  }

  /** The rest of a call whose first attempt failed with `first`: as leader-choice.ts says. */
  private async follow(path: string, req: object, body: Buffer, deadline: number, first: MoError): Promise<Buffer> {
    const safe = retrySafe(path, req);
    let round = FIRST_ROUND;
    let at = this.channel.address;
    let err: MoError = first;
    for (;;) {
      const failure = failureOf(err);
      const choice = chooseAfterFailure({
        addresses: this.known,
        at,
        failure,
        safe,
        round,
        remainingMs: deadline - Date.now(),
      });
      if (choice.kind === 'fail' || this.closed) {
        if (choice.kind === 'fail' && !this.closed) this.channel = this.channelOf(choice.next);
        throw err;
      }
      if (choice.waitMs > 0) await sleep(choice.waitMs, undefined, { ref: true });
      // Closed meanwhile: dial nothing new (a session opened now would never be closed).
      if (this.closed) throw err;
      round = choice.round;
      at = choice.address;
      const channel = this.channelOf(at);
      try {
        const res = await channel.call(path, body, Math.max(1, deadline - Date.now()));
        this.channel = channel;
        return res;
      } catch (e) {
        err = fromServiceError(e, at);
      }
    }
  }

  submitWorkload(req: SubmitWorkloadRequest): Promise<SubmitWorkloadResponse__Output> {
    return this.call('SubmitWorkload', 'SubmitWorkloadRequest', 'SubmitWorkloadResponse', req);
  }

  /** Resolves once the workload has ended on its node, so the deadline covers the grace. */
  stopWorkload(workloadId: string, gracePeriodMs = 0): Promise<ScheduledWorkload__Output> {
    const deadline = Math.max(this.deadlineMs, gracePeriodMs + this.deadlineMs);
    const req: StopScheduledWorkloadRequest = { workloadId, gracePeriodMs };
    return this.call('StopScheduledWorkload', 'StopScheduledWorkloadRequest', 'ScheduledWorkload', req, deadline);
  }

  /**
   * Cluster events until `signal` aborts (no deadline: a watch is meant to last). A follower's
   * refusal, or a failed connection, before the first event opens it where leader-choice.ts says.
   */
  async *watch(req: WatchRequest = {}, signal?: AbortSignal): AsyncGenerator<ClusterEvent__Output> {
    const body = encodeMessage('WatchRequest', req);
    const deadline = Date.now() + this.deadlineMs;
    let round = FIRST_ROUND;
    for (;;) {
      const channel = this.channel;
      const messages = channel.stream('/mo.v1.Scheduler/Watch', body, { ...(signal ? { signal } : {}) });
      let received = false;
      try {
        for await (const m of messages) {
          received = true;
          yield decodeMessage<ClusterEvent__Output>('ClusterEvent', m);
        }
        return;
      } catch (e) {
        const err = fromServiceError(e, channel.address);
        if (received || (this.known.length === 1 && !(err instanceof NotLeaderError))) throw err;
        const choice = chooseAfterFailure({
          addresses: this.known,
          at: channel.address,
          failure: failureOf(err),
          safe: true,
          round,
          remainingMs: deadline - Date.now(),
        });
        if (this.closed) throw err;
        this.channel = this.channelOf(choice.kind === 'fail' ? choice.next : choice.address);
        if (choice.kind === 'fail') throw err;
        if (choice.waitMs > 0) await sleep(choice.waitMs, signal, { ref: true });
        if (signal?.aborted) return;
        if (this.closed) throw err;
        round = choice.round;
      }
    }
  }

  getClusterStatus(req: GetClusterStatusRequest = {}): Promise<ClusterStatus__Output> {
    return this.call('GetClusterStatus', 'GetClusterStatusRequest', 'ClusterStatus', req);
  }

  /** The status with every node and `recentWorkloads` recent workloads (follows the tokens). */
  getFullClusterStatus(req: GetClusterStatusRequest = {}): Promise<ClusterStatus__Output> {
    return fullClusterStatusOf(this, req);
  }

  listNodes(req: ListNodesRequest = {}): Promise<ListNodesResponse__Output> {
    return this.call('ListNodes', 'ListNodesRequest', 'ListNodesResponse', req);
  }

  /** Every node, by name, at most `max` (follows next_page_token). */
  listAllNodes(max = Infinity): Promise<ListNodesResponse__Output> {
    return allNodes((r) => this.listNodes(r), max);
  }

  getWorkload(workloadId: string): Promise<ScheduledWorkload__Output> {
    return this.call('GetScheduledWorkload', 'GetScheduledWorkloadRequest', 'ScheduledWorkload', { workloadId });
  }

  listWorkloads(req: ListWorkloadsRequest = {}): Promise<ListWorkloadsResponse__Output> {
    return this.call('ListWorkloads', 'ListWorkloadsRequest', 'ListWorkloadsResponse', req);
  }

  /** Every matching workload, at most `max` (follows next_page_token). */
  listAllWorkloads(req: ListWorkloadsRequest = {}, max = Infinity): Promise<ListWorkloadsResponse__Output> {
    return allWorkloads((r) => this.listWorkloads(r), req, max);
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels.values()) c.close();
  }
}
