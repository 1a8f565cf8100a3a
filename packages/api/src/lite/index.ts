/**
 * @mo/api/lite — read-only scheduler calls without grpc-js or protobufjs, for short-lived tools.
 *
 * ```ts
 * import { LiteSchedulerClient } from '@mo/api/lite';
 * const c = new LiteSchedulerClient('127.0.0.1:7600', { deadlineMs: 5000, tls: readClientTls(files) });
 * const status = await c.getClusterStatus({ recentWorkloads: 10 }); // same shape as SchedulerClient's
 * c.close();
 * ```
 *
 * Loading @mo/api's full client (grpc-js, protobufjs, the descriptor) takes ~100 ms; `mo status`
 * should feel instant. This entry point is a small HTTP/2 unary transport (`LiteChannel`) and a
 * codec driven by the same generated descriptor, producing objects identical to the full
 * client's (tested against it). Errors are `LiteCallError` with a gRPC code and details. The
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
import { allNodes, allWorkloads, fullClusterStatus } from '../paging/collect.js';
import { decodeMessage, encodeMessage } from './codec.js';
import { LiteChannel, type LiteChannelOptions } from './unary.js';

export { LiteCallError, LiteChannel, type LiteChannelOptions } from './unary.js';
// Not loadClientTls (node:crypto, ~5 ms to load): @mo/api/tls-check has it.
export { readClientTls, CLI_TLS_LABELS, type ClientFiles, type ClientTls } from '../tls/client.js';
export { TlsFileError } from '../tls/pem.js';
export type { TlsFiles } from '../tls/material.js';
export { grpcTimeoutHeader } from './timeout.js';
export { decodeMessage, encodeMessage } from './codec.js';
export { followPages, PagingError } from '../paging/follow.js';

/** The read-only part of the Scheduler service, over the lite transport. */
export class LiteSchedulerClient {
  private readonly channel: LiteChannel;
  private readonly deadlineMs: number;

  constructor(
    readonly address: string,
    options: { deadlineMs?: number } & Pick<LiteChannelOptions, 'tls' | 'token'> & { insecure?: boolean },
  ) {
    if (!options.tls === !options.insecure)
      throw new Error('LiteSchedulerClient: give exactly one of tls and insecure');
    this.channel = new LiteChannel(address, {
      ...(options.tls ? { tls: options.tls, peer: { kind: 'scheduler' as const } } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  private async call<T>(method: string, reqType: string, resType: string, req: object): Promise<T> {
    const res = await this.channel.call(`/mo.v1.Scheduler/${method}`, encodeMessage(reqType, req), this.deadlineMs);
    return decodeMessage<T>(resType, res);
  }

  getClusterStatus(req: GetClusterStatusRequest = {}): Promise<ClusterStatus__Output> {
    return this.call('GetClusterStatus', 'GetClusterStatusRequest', 'ClusterStatus', req);
  }

  /** The status with every node and `recentWorkloads` recent workloads (follows the tokens). */
  getFullClusterStatus(req: GetClusterStatusRequest = {}): Promise<ClusterStatus__Output> {
    return fullClusterStatus(
      {
        getClusterStatus: (r) => this.getClusterStatus(r),
        listNodes: (r) => this.listNodes(r),
        listWorkloads: (r) => this.listWorkloads(r),
      },
      req,
    );
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
