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
import { fromServiceError } from '../errors.js';
import { allNodes, allWorkloads, fullClusterStatusOf } from '../paging/collect.js';
import { decodeMessage, encodeMessage, prepareDecoder } from './codec.js';
import { WireChannel, type WireChannelOptions } from './channel.js';

export { WireCallError, WireChannel, type WireChannelOptions } from './channel.js';
// Not loadClientTls (node:crypto, ~5 ms to load): @mo/api/tls-check has it.
export { readClientTls, CLI_TLS_LABELS, type ClientFiles, type ClientTls } from '../tls/client.js';
export { TlsFileError } from '../tls/pem.js';
export type { TlsFiles } from '../tls/material.js';
export { grpcTimeoutHeader } from './timeout.js';
export { decodeMessage, encodeMessage } from './codec.js';
export { followPages, PagingError } from '../paging/follow.js';

/**
 * The Scheduler service calls the CLI's common commands make (status, nodes, ps, start, stop, the
 * watch behind --wait), over the wire transport. Same methods, arguments and results as the full
 * SchedulerClient, and the same errors: MoErrors mapped by fromServiceError (the WireCallError is
 * their cause).
 */
export class WireSchedulerClient {
  private readonly channel: WireChannel;
  private readonly deadlineMs: number;

  constructor(
    readonly address: string,
    options: { deadlineMs?: number } & Pick<WireChannelOptions, 'tls' | 'token'> & { insecure?: boolean },
  ) {
    if (!options.tls === !options.insecure)
      throw new Error('WireSchedulerClient: give exactly one of tls and insecure');
    this.channel = new WireChannel(address, {
      ...(options.tls ? { tls: options.tls, peer: { kind: 'scheduler' as const } } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
    this.deadlineMs = options.deadlineMs ?? 10_000;
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
    const pending = this.channel.call(`/mo.v1.Scheduler/${method}`, body, deadlineMs);
    prepareDecoder(resType);
    let res: Buffer;
    try {
      res = await pending;
    } catch (err) {
      throw fromServiceError(err, this.address);
    }
    return decodeMessage<T>(resType, res);
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

  /** Cluster events until `signal` aborts (no deadline: a watch is meant to last). */
  async *watch(req: WatchRequest = {}, signal?: AbortSignal): AsyncGenerator<ClusterEvent__Output> {
    const messages = this.channel.stream('/mo.v1.Scheduler/Watch', encodeMessage('WatchRequest', req), {
      ...(signal ? { signal } : {}),
    });
    try {
      for await (const m of messages) yield decodeMessage<ClusterEvent__Output>('ClusterEvent', m);
    } catch (err) {
      throw fromServiceError(err, this.address);
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
    this.channel.close();
  }
}
