// Typed, promise-based clients. Every call has a deadline; errors come back as MoError.
// Over ~450 lines: one class per service, each a list of one-line calls; the shared plumbing is
// already in base-client.ts (TokenClient lives in token-client.ts), so a split would only scatter them.
import * as grpc from '@grpc/grpc-js';
import { MoError, fromServiceError } from './errors.js';
import type { GetNodeStatusRequest } from './generated/mo/v1/GetNodeStatusRequest.js';
import type { LogChunk__Output } from './generated/mo/v1/LogChunk.js';
import type { NodeAgentClient } from './generated/mo/v1/NodeAgent.js';
import type { NodeStatus__Output } from './generated/mo/v1/NodeStatus.js';
import type { StartWorkloadRequest } from './generated/mo/v1/StartWorkloadRequest.js';
import type { StartWorkloadResponse__Output } from './generated/mo/v1/StartWorkloadResponse.js';
import type { StartResult__Output } from './generated/mo/v1/StartResult.js';
import type { StartWorkloadsRequest } from './generated/mo/v1/StartWorkloadsRequest.js';
import type { StartWorkloadsResponse__Output } from './generated/mo/v1/StartWorkloadsResponse.js';
import type { StopWorkloadRequest } from './generated/mo/v1/StopWorkloadRequest.js';
import type { StopWorkloadResponse__Output } from './generated/mo/v1/StopWorkloadResponse.js';
import type { StreamLogsRequest } from './generated/mo/v1/StreamLogsRequest.js';
import type { WorkloadSpec } from './generated/mo/v1/WorkloadSpec.js';
import type { WorkloadStatus__Output } from './generated/mo/v1/WorkloadStatus.js';
import type { ClusterEvent__Output } from './generated/mo/v1/ClusterEvent.js';
import type { ClusterStatus__Output } from './generated/mo/v1/ClusterStatus.js';
import type { GetClusterStatusRequest } from './generated/mo/v1/GetClusterStatusRequest.js';
import type { HeartbeatRequest } from './generated/mo/v1/HeartbeatRequest.js';
import type { HeartbeatResponse__Output } from './generated/mo/v1/HeartbeatResponse.js';
import type { ListNodesRequest } from './generated/mo/v1/ListNodesRequest.js';
import type { ListNodesResponse__Output } from './generated/mo/v1/ListNodesResponse.js';
import type { ListWorkloadsRequest } from './generated/mo/v1/ListWorkloadsRequest.js';
import type { ListWorkloadsResponse__Output } from './generated/mo/v1/ListWorkloadsResponse.js';
import type { NodeRegistryClient } from './generated/mo/v1/NodeRegistry.js';
import type { ArtifactChunk__Output } from './generated/mo/v1/ArtifactChunk.js';
import type { ArtifactRef__Output } from './generated/mo/v1/ArtifactRef.js';
import type { ArtifactUpload } from './generated/mo/v1/ArtifactUpload.js';
import type { DownloadArtifactRequest } from './generated/mo/v1/DownloadArtifactRequest.js';
import type { ArtifactReplicaReport } from './generated/mo/v1/ArtifactReplicaReport.js';
import type { ArtifactReplicaAck__Output } from './generated/mo/v1/ArtifactReplicaAck.js';
import type { RegisterRequest } from './generated/mo/v1/RegisterRequest.js';
import type { RegisterResponse__Output } from './generated/mo/v1/RegisterResponse.js';
import type { RemoveNodeResponse__Output } from './generated/mo/v1/RemoveNodeResponse.js';
import type { DrainNodeRequest } from './generated/mo/v1/DrainNodeRequest.js';
import type { DrainNodeResponse__Output } from './generated/mo/v1/DrainNodeResponse.js';
import type { SetNodeEligibilityResponse__Output } from './generated/mo/v1/SetNodeEligibilityResponse.js';
import type { SyncInventoryRequest } from './generated/mo/v1/SyncInventoryRequest.js';
import type { SyncInventoryResponse__Output } from './generated/mo/v1/SyncInventoryResponse.js';
import type { ScheduledWorkload__Output } from './generated/mo/v1/ScheduledWorkload.js';
import type { SchedulerClient as RawSchedulerClient } from './generated/mo/v1/Scheduler.js';
import type { StreamWorkloadLogsRequest } from './generated/mo/v1/StreamWorkloadLogsRequest.js';
import type { SubmitWorkloadRequest } from './generated/mo/v1/SubmitWorkloadRequest.js';
import type { SubmitWorkloadResponse__Output } from './generated/mo/v1/SubmitWorkloadResponse.js';
import type { WatchRequest } from './generated/mo/v1/WatchRequest.js';
import type { ApproveStepRequest } from './generated/mo/v1/ApproveStepRequest.js';
import type { CancelPipelineRequest } from './generated/mo/v1/CancelPipelineRequest.js';
import type { ListPipelinesRequest } from './generated/mo/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse__Output } from './generated/mo/v1/ListPipelinesResponse.js';
import type { Pipeline__Output } from './generated/mo/v1/Pipeline.js';
import type { PipelineEvent__Output } from './generated/mo/v1/PipelineEvent.js';
import type { PipelinesClient as RawPipelinesClient } from './generated/mo/v1/Pipelines.js';
import type { StreamStepLogsRequest } from './generated/mo/v1/StreamStepLogsRequest.js';
import type { SubmitPipelineRequest } from './generated/mo/v1/SubmitPipelineRequest.js';
import type { SubmitPipelineResponse__Output } from './generated/mo/v1/SubmitPipelineResponse.js';
import { decodeMessage, encodeMessage } from './wire/codec.js';
import { allNodes, allPipelines, allWorkloads, fullClusterStatusOf, fullNodeStatus } from './paging/collect.js';
import { WireCallError, WireChannel, type WireChannelOptions } from './wire/channel.js';
import { BaseClient, deadlineIn, withReadAhead, type ClientOptions } from './base-client.js';
import { channelOptions } from './grpc-options.js';
import { moProto } from './proto.js';
import { sleep } from './timers.js';

export type { ClientOptions } from './base-client.js';

/** The wire transport's options for the same credentials (AgentClient's unary calls). */
function wireOptionsOf(options: ClientOptions): WireChannelOptions {
  const common = {
    ...(options.token ? { token: options.token } : {}),
    ...(options.keepaliveTimeMs !== undefined ? { keepaliveTimeMs: options.keepaliveTimeMs } : {}),
  };
  if (!options.tls) return common;
  if (!options.peer) throw new Error('ClientOptions: peer (the agent node to expect) is needed with tls');
  return { tls: options.tls, peer: options.peer, ...common };
}

/** Log chunks (≤ 16 KiB each) an agent log stream reads ahead of its consumer. */
const LOG_READ_AHEAD = 2;

/** Client for one agent's NodeAgent service. */
export class AgentClient extends BaseClient<NodeAgentClient> {
  /**
   * Unary calls go over the wire transport (node:http2 + the descriptor-driven codec): starting a
   * workload is the hot path, and grpc-js adds ~0.3-0.6 ms per call on each side of it. Streams
   * (logs) stay on grpc-js.
   */
  private readonly wire: WireChannel;

  /** The calling leader's epoch, sent with every start and stop (0: a single scheduler). */
  readonly leaderEpoch: number;

  constructor(address: string, options: ClientOptions & { leaderEpoch?: number }) {
    const Ctor = moProto().mo.v1.NodeAgent;
    super(address, (a, creds, extra) => new Ctor(a, creds, { ...channelOptions(), ...extra }), options);
    this.wire = new WireChannel(address, wireOptionsOf(options));
    this.leaderEpoch = options.leaderEpoch ?? 0;
  }

  private async unary<Res>(
    method: string,
    reqType: string,
    resType: string,
    req: object,
    deadlineMs = this.deadlineMs,
  ): Promise<Res> {
    try {
      const res = await this.wire.call(`/mo.v1.NodeAgent/${method}`, encodeMessage(reqType, req), deadlineMs);
      return decodeMessage<Res>(resType, res);
    } catch (err) {
      throw fromServiceError(err instanceof WireCallError ? err : new Error((err as Error).message), this.address);
    }
  }

  async startWorkload(spec: WorkloadSpec): Promise<WorkloadStatus__Output> {
    const res = await this.unary<StartWorkloadResponse__Output>(
      'StartWorkload',
      'StartWorkloadRequest',
      'StartWorkloadResponse',
      { spec, leaderEpoch: this.leaderEpoch } satisfies StartWorkloadRequest,
    );
    return required(res.workload, 'workload', this.address);
  }

  /**
   * Several starts in one call. Resolves with one result per spec, in order: the workload, or the
   * error (as MoError) that StartWorkload would have rejected with.
   */
  async startWorkloads(specs: WorkloadSpec[]): Promise<Array<WorkloadStatus__Output | MoError>> {
    const res = await this.unary<StartWorkloadsResponse__Output>(
      'StartWorkloads',
      'StartWorkloadsRequest',
      'StartWorkloadsResponse',
      { specs, leaderEpoch: this.leaderEpoch } satisfies StartWorkloadsRequest,
    );
    if (res.results.length !== specs.length) {
      throw fromServiceError(new Error(`${res.results.length} results for ${specs.length} starts`), this.address);
    }
    return res.results.map((r: StartResult__Output) =>
      r.errorCode !== 0 || !r.workload ? new MoError(r.errorCode || grpc.status.UNKNOWN, r.errorMessage) : r.workload,
    );
  }

  /** Resolves after the workload has ended (grace + kill), so allow grace + slack as deadline. */
  async stopWorkload(workloadId: string, gracePeriodMs = 0): Promise<WorkloadStatus__Output> {
    const deadline = Math.max(this.deadlineMs, gracePeriodMs + this.deadlineMs);
    const res = await this.unary<StopWorkloadResponse__Output>(
      'StopWorkload',
      'StopWorkloadRequest',
      'StopWorkloadResponse',
      { workloadId, gracePeriodMs, leaderEpoch: this.leaderEpoch } satisfies StopWorkloadRequest,
      deadline,
    );
    return required(res.workload, 'workload', this.address);
  }

  getWorkload(workloadId: string): Promise<WorkloadStatus__Output> {
    return this.unary('GetWorkload', 'GetWorkloadRequest', 'WorkloadStatus', { workloadId });
  }

  /** One page of the node's workloads (see `getFullNodeStatus` for all of them). */
  getNodeStatus(req: GetNodeStatusRequest = {}): Promise<NodeStatus__Output> {
    return this.unary('GetNodeStatus', 'GetNodeStatusRequest', 'NodeStatus', req);
  }

  /** The node's status with every workload: follows next_page_token. */
  getFullNodeStatus(req: GetNodeStatusRequest = {}): Promise<NodeStatus__Output> {
    return fullNodeStatus((r) => this.getNodeStatus(r), req);
  }

  override close(): void {
    this.wire.close();
    super.close();
  }

  /**
   * Streams log chunks. Without `follow` the call ends after the tail; with it, when the
   * workload ends or `signal` aborts. No deadline on followed streams: they are meant to last.
   */
  streamLogs(req: StreamLogsRequest, signal?: AbortSignal): AsyncGenerator<LogChunk__Output> {
    const opts: grpc.CallOptions = req.follow ? {} : { deadline: deadlineIn(this.deadlineMs) };
    // The scheduler relays these: two chunks read ahead (not 16) per stream it holds for a client.
    const call = withReadAhead(LOG_READ_AHEAD, () => this.raw.streamLogs(req, this.metadata(), opts));
    return this.stream(call, signal);
  }
}

/**
 * For command-line tools: grpc-js's own log lines ("rejected by server because of excess pings",
 * proxy notes) go nowhere, since every failure reaches the user as a MoError instead; unless they
 * were asked for with GRPC_VERBOSITY, GRPC_NODE_VERBOSITY or GRPC_TRACE.
 */
export function quietGrpcLogs(env: NodeJS.ProcessEnv): void {
  if (env.GRPC_VERBOSITY || env.GRPC_NODE_VERBOSITY || env.GRPC_TRACE) return;
  grpc.setLogVerbosity(grpc.logVerbosity.NONE);
}

/** Client for the scheduler's Scheduler service (what `mo` uses). */
export class SchedulerClient extends BaseClient<RawSchedulerClient> {
  /** `address`: one scheduler, or several (`"a:1,b:2"` or a list): calls follow the leader. */
  constructor(address: string | readonly string[], options: ClientOptions) {
    const Ctor = moProto().mo.v1.Scheduler;
    super(address, (a, creds, extra) => new Ctor(a, creds, { ...channelOptions(), ...extra }), options, {
      kind: 'scheduler',
    });
  }

  submitWorkload(req: SubmitWorkloadRequest): Promise<SubmitWorkloadResponse__Output> {
    return this.call(this.raw.submitWorkload, req);
  }

  /** Resolves once the workload has ended on its node, so the deadline covers the grace. */
  stopWorkload(workloadId: string, gracePeriodMs = 0): Promise<ScheduledWorkload__Output> {
    const deadline = Math.max(this.deadlineMs, gracePeriodMs + this.deadlineMs);
    return this.call(this.raw.stopScheduledWorkload, { workloadId, gracePeriodMs }, deadline);
  }

  getWorkload(workloadId: string): Promise<ScheduledWorkload__Output> {
    return this.call(this.raw.getScheduledWorkload, { workloadId });
  }

  /** One page (see `listAllWorkloads`). */
  listWorkloads(req: ListWorkloadsRequest = {}): Promise<ListWorkloadsResponse__Output> {
    return this.call(this.raw.listWorkloads, req);
  }

  /** Every matching workload, at most `max` (follows next_page_token; one deadline per page). */
  listAllWorkloads(req: ListWorkloadsRequest = {}, max = Infinity): Promise<ListWorkloadsResponse__Output> {
    return allWorkloads((r) => this.listWorkloads(r), req, max);
  }

  /** One page (see `listAllNodes`). */
  listNodes(req: ListNodesRequest = {}): Promise<ListNodesResponse__Output> {
    return this.call(this.raw.listNodes, req);
  }

  /** Every node, by name, at most `max`. */
  listAllNodes(max = Infinity): Promise<ListNodesResponse__Output> {
    return allNodes((r) => this.listNodes(r), max);
  }

  /** The status with its first nodes and recent workloads (see `getFullClusterStatus`). */
  getClusterStatus(req: GetClusterStatusRequest = {}): Promise<ClusterStatus__Output> {
    return this.call(this.raw.getClusterStatus, req);
  }

  /** The status with every node and `recentWorkloads` recent workloads (follows the tokens). */
  getFullClusterStatus(req: GetClusterStatusRequest = {}): Promise<ClusterStatus__Output> {
    return fullClusterStatusOf(this, req);
  }

  /** Forgets a down node, by name or id (FAILED_PRECONDITION while it is up). */
  removeNode(node: string): Promise<RemoveNodeResponse__Output> {
    return this.call(this.raw.removeNode, { node });
  }

  /** Drains a node, by name or id (force: everything now; cancel: end the drain, eligible again). */
  drainNode(req: DrainNodeRequest): Promise<DrainNodeResponse__Output> {
    return this.call(this.raw.drainNode, req);
  }

  /** Makes a node eligible for new work, or not (refused while it drains: cancel the drain). */
  setNodeEligibility(node: string, eligible: boolean): Promise<SetNodeEligibilityResponse__Output> {
    return this.call(this.raw.setNodeEligibility, { node, eligible });
  }

  streamLogs(req: StreamWorkloadLogsRequest, signal?: AbortSignal): AsyncGenerator<LogChunk__Output> {
    const opts: grpc.CallOptions = req.follow ? {} : { deadline: deadlineIn(this.deadlineMs) };
    return this.openStream((raw) => raw.streamWorkloadLogs(req, this.metadata(), opts), signal);
  }

  /** Cluster events until `signal` aborts (no deadline: a watch is meant to last). */
  watch(req: WatchRequest = {}, signal?: AbortSignal): AsyncGenerator<ClusterEvent__Output> {
    return this.openStream((raw) => raw.watch(req, this.metadata(), {}), signal);
  }

  /** watch(), resumed after a broken stream with no gap and no duplicate: see followWatch. */
  follow(req: WatchRequest = {}, options: FollowOptions = {}): AsyncGenerator<ClusterEvent__Output> {
    return followWatch((r, signal) => this.watch(r, signal), req, options);
  }
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Told before each reconnect: the error (undefined: the stream ended) and the resume point. */
  onReconnect?: (err: MoError | undefined, afterSeq: number) => void;
  /** Longest wait between reconnects (default 5 s; the first is 100 ms, doubling). */
  maxDelayMs?: number;
}

/** Codes after which a watch is refused for good (anything else is worth another try). */
const FINAL_WATCH_CODES = new Set<number>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.OUT_OF_RANGE,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.UNIMPLEMENTED,
  grpc.status.FAILED_PRECONDITION,
]);

/**
 * Follows a Watch across broken streams (a cut-off slow reader, a network blip, a scheduler going
 * away): each reconnect asks for after_seq = the last seq received, so nothing is missed or seen
 * twice. Ends when `signal` aborts, or throws the error of a final refusal: OUT_OF_RANGE means the
 * scheduler no longer keeps what was missed (it restarted, or the gap outgrew its window): relist.
 */
export async function* followWatch(
  open: (req: WatchRequest, signal?: AbortSignal) => AsyncIterable<ClusterEvent__Output>,
  req: WatchRequest,
  options: FollowOptions = {},
): AsyncGenerator<ClusterEvent__Output> {
  const { signal } = options;
  const maxDelay = options.maxDelayMs ?? 5000;
  let last: number | undefined;
  let caughtUp = false;
  let delay = 100;
  while (!signal?.aborted) {
    // A resume replays after the last seq; before any (or at 0, a new scheduler), the whole window.
    // A snapshot cut short is asked for again (its entries are state, not events).
    const next: WatchRequest =
      last === undefined || (req.initialState && !caughtUp)
        ? req
        : last > 0
          ? { workloadId: req.workloadId ?? '', afterSeq: last }
          : { workloadId: req.workloadId ?? '', replayRetained: true };
    let failure: MoError | undefined;
    try {
      for await (const e of open(next, signal)) {
        last = e.seq;
        caughtUp ||= e.caughtUp;
        delay = 100;
        yield e;
      }
    } catch (err) {
      const e = err instanceof MoError ? err : fromServiceError(err, '');
      if (FINAL_WATCH_CODES.has(e.code) || last === undefined) throw e;
      failure = e;
    }
    if (signal?.aborted) return;
    if (last === undefined) throw new MoError(grpc.status.UNAVAILABLE, 'the watch ended before its first event');
    options.onReconnect?.(failure, last);
    await sleep(delay, signal, { ref: true });
    delay = Math.min(maxDelay, delay * 2);
  }
}

/** Client for the scheduler's Pipelines service (same address as the Scheduler service). */
export class PipelineClient extends BaseClient<RawPipelinesClient> {
  /** `address`: one scheduler, or several (`"a:1,b:2"` or a list): calls follow the leader. */
  constructor(address: string | readonly string[], options: ClientOptions) {
    const Ctor = moProto().mo.v1.Pipelines;
    super(address, (a, creds, extra) => new Ctor(a, creds, { ...channelOptions(), ...extra }), options, {
      kind: 'scheduler',
    });
  }

  submit(req: SubmitPipelineRequest): Promise<SubmitPipelineResponse__Output> {
    return this.call(this.raw.submitPipeline, req);
  }

  get(pipelineId: string): Promise<Pipeline__Output> {
    return this.call(this.raw.getPipeline, { pipelineId });
  }

  /** One page (see `listAll`). */
  list(req: ListPipelinesRequest = {}): Promise<ListPipelinesResponse__Output> {
    return this.call(this.raw.listPipelines, req);
  }

  /** Every matching pipeline, newest first, at most `max` (follows next_page_token). */
  listAll(req: ListPipelinesRequest = {}, max = Infinity): Promise<ListPipelinesResponse__Output> {
    return allPipelines((r) => this.list(r), req, max);
  }

  cancel(req: CancelPipelineRequest): Promise<Pipeline__Output> {
    return this.call(this.raw.cancelPipeline, req);
  }

  /** Approves a step at its gate, or rejects it with `reject: true` (the pipeline then fails). */
  approve(req: ApproveStepRequest): Promise<Pipeline__Output> {
    return this.call(this.raw.approveStep, req);
  }

  /** Retained events after `afterSeq`, then live ones, until `signal` aborts (no deadline). */
  watch(
    req: { pipelineId?: string; afterSeq?: number } = {},
    signal?: AbortSignal,
  ): AsyncGenerator<PipelineEvent__Output> {
    return this.openStream((raw) => raw.watchPipelines(req, this.metadata(), {}), signal);
  }

  stepLogs(req: StreamStepLogsRequest, signal?: AbortSignal): AsyncGenerator<LogChunk__Output> {
    const opts: grpc.CallOptions = req.follow ? {} : { deadline: deadlineIn(this.deadlineMs) };
    return this.openStream((raw) => raw.streamStepLogs(req, this.metadata(), opts), signal);
  }
}

/** Client for the scheduler's NodeRegistry service (what agents use). */
export class RegistryClient extends BaseClient<NodeRegistryClient> {
  /** `address`: one scheduler, or several (`"a:1,b:2"` or a list): calls follow the leader. */
  constructor(address: string | readonly string[], options: ClientOptions) {
    const Ctor = moProto().mo.v1.NodeRegistry;
    super(address, (a, creds, extra) => new Ctor(a, creds, { ...channelOptions(), ...extra }), options, {
      kind: 'scheduler',
    });
  }

  register(req: RegisterRequest): Promise<RegisterResponse__Output> {
    return this.call(this.raw.register, req);
  }

  /** One further inventory page of a registration that said `inventoryFollows`. */
  syncInventory(req: SyncInventoryRequest): Promise<SyncInventoryResponse__Output> {
    return this.call(this.raw.syncInventory, req);
  }

  /** Opens the heartbeat stream (no deadline). The caller writes requests and reads responses. */
  heartbeat(): grpc.ClientDuplexStream<HeartbeatRequest, HeartbeatResponse__Output> {
    return this.raw.heartbeat(this.metadata(), {});
  }

  /**
   * Streams one artifact to the scheduler: `messages` yields the header message first, then data
   * chunks, then the one with the sha256. Resolves with what the scheduler stored.
   */
  async uploadArtifact(messages: AsyncIterable<ArtifactUpload>, deadlineMs: number): Promise<ArtifactRef__Output> {
    // The call can end at any moment (the scheduler dies, the deadline passes, it refuses the
    // artifact): then writing stops, a wait for 'drain' ends too, and this rejects with the call's
    // error. Until it is returned, `done` must have a handler, or its rejection while a chunk is
    // being read would be unhandled (and end the process).
    let ended = false;
    let wake: (() => void) | undefined;
    let call!: grpc.ClientWritableStream<ArtifactUpload>;
    const done = new Promise<ArtifactRef__Output>((resolve, reject) => {
      call = this.raw.uploadArtifact(this.metadata(), { deadline: deadlineIn(deadlineMs) }, (err, res) => {
        ended = true;
        wake?.();
        if (err) reject(this.failure(err));
        else if (!res) reject(fromServiceError(new Error('empty response'), this.address));
        else resolve(res);
      });
    });
    void done.catch(() => undefined);
    const drained = () =>
      new Promise<void>((resolve) => {
        if (ended) return resolve();
        const onDrain = () => {
          wake = undefined;
          resolve();
        };
        wake = () => {
          call.off('drain', onDrain);
          resolve();
        };
        call.once('drain', onDrain);
      });
    try {
      for await (const m of messages) {
        if (ended) break;
        // Back-pressure: wait for the buffer to drain before the next chunk.
        if (!call.write(m)) await drained();
      }
      if (!ended) call.end();
    } catch (err) {
      call.cancel();
      throw err;
    }
    return done;
  }

  downloadArtifact(
    req: DownloadArtifactRequest,
    deadlineMs: number,
    signal?: AbortSignal,
  ): AsyncGenerator<ArtifactChunk__Output> {
    const deadline = deadlineIn(deadlineMs);
    return this.openStream((raw) => raw.downloadArtifact(req, this.metadata(), { deadline }), signal);
  }

  /** A follower's artifact mirror to the leader: what it stored since its last report (scheduler identity). */
  reportArtifactReplicas(req: ArtifactReplicaReport): Promise<ArtifactReplicaAck__Output> {
    return this.call(this.raw.reportArtifactReplicas, req);
  }
}

function required<T>(value: T | null | undefined, field: string, address: string): T {
  if (value === null || value === undefined) {
    throw fromServiceError(new Error(`response is missing ${field}`), address);
  }
  return value;
}
