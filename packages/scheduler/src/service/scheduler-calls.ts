// The Scheduler API's rules, once for both transports: each method takes the decoded request
// message (as gRPC hands it to a handler, or as the HTTP API builds it from JSON) and returns the
// response message. Request checks that name a field live here; the gRPC service (server/) and
// the HTTP API (http-api/) only adapt their transport to these calls.
import * as grpc from '@grpc/grpc-js';
import {
  InvalidArgumentError,
  MoError,
  validateGrace,
  validateWorkloadId,
  type ClusterEvent,
  type RemoveNodeRequest__Output,
  type DrainNodeRequest__Output,
  type DrainNodeResponse,
  type SetNodeEligibilityRequest__Output,
  type SetNodeEligibilityResponse,
  type RemoveNodeResponse,
  type ScheduledWorkload,
  type StopScheduledWorkloadRequest__Output,
  type SubmitWorkloadRequest__Output,
  type SubmitWorkloadResponse,
  type StreamWorkloadLogsRequest__Output,
  type WatchRequest__Output,
} from '@mo/api';
import { clusterEventBytes, jobEventKey, pipelineEventKey, type ClusterEvents } from '../events/cluster-events.js';
import { ClusterWatchSource, type SnapshotItem } from '../events/cluster-watch.js';
import type { PlacementEngine } from '../placement/index.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { NodeDrains } from '../drain/manager.js';
import type { WorkloadManager } from '../workloads/manager.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { toScheduledWorkload } from '../server/convert.js';
import { MAX_LIST } from '../server/list-request.js';
import { SchedulerReads } from './scheduler-reads.js';

export interface SchedulerCallsContext {
  manager: WorkloadManager;
  nodes: NodeTable;
  engine: PlacementEngine;
  events: ClusterEvents;
  version: string;
  startedAtMs: number;
  /** `mo node rm`: forgets a down node by name or id (registry/nodes.ts removeDown). */
  removeNode: (nameOrId: string) => NodeEntry;
  /** Node drain and eligibility (drain/manager.ts). */
  drains: Pick<NodeDrains, 'drain' | 'setEligibility'>;
}

/** Where a watch starts: after `afterSeq` (0: none given), optionally with the current state first. */
export interface WatchStart {
  afterSeq: number;
  snapshot?: Array<SnapshotItem<ClusterEvent>>;
  /** The journal key the stream follows (a workload's, a pipeline's), if one. */
  key?: string;
  /** Events the stream does not send: pipeline events unless it asked for them. */
  skip?: (e: ClusterEvent) => boolean;
}

/** Pipeline ids are ULIDs; this only bounds what a caller may make us compare. */
const PIPELINE_ID_MAX = 128;

/** Events a stream sends only when asked: pipelines' (include_pipelines) and jobs' (include_jobs). */
function skipOf(pipelines: boolean, jobs: boolean): ((e: ClusterEvent) => boolean) | undefined {
  if (pipelines && jobs) return undefined;
  return (e) => (!pipelines && e.pipeline != null) || (!jobs && e.job != null);
}

export class SchedulerCalls extends SchedulerReads {
  constructor(private readonly ctx: SchedulerCallsContext) {
    super(ctx);
  }

  async submitWorkload(req: SubmitWorkloadRequest__Output): Promise<SubmitWorkloadResponse> {
    const { manager } = this.ctx;
    if (req.count !== 0) {
      // An array answers with ids only (see SubmitWorkloadResponse), and member 0 without events.
      const a = await manager.submitArray(req, { bounded: true });
      return {
        ...(a.first && { workload: toScheduledWorkload(a.first, false) }),
        existing: a.existing,
        groupId: a.groupId,
        workloadIds: a.workloadIds,
      };
    }
    const { record, existing } = await manager.submit(req, { bounded: true });
    return { workload: toScheduledWorkload(record), existing };
  }

  async stopWorkload(req: StopScheduledWorkloadRequest__Output): Promise<ScheduledWorkload> {
    validateWorkloadId('workload_id', req.workloadId);
    const grace = validateGrace('grace_period_ms', req.gracePeriodMs);
    return toScheduledWorkload(await this.ctx.manager.stop(req.workloadId, grace));
  }

  removeNode(req: RemoveNodeRequest__Output): RemoveNodeResponse {
    if (!req.node) throw new InvalidArgumentError('node', 'is required (a node name or id)');
    if (req.node.length > 253) throw new InvalidArgumentError('node', `is ${req.node.length} characters, at most 253`);
    return { node: this.nodeMessage(this.ctx.removeNode(req.node)) };
  }

  async drainNode(req: DrainNodeRequest__Output): Promise<DrainNodeResponse> {
    checkNodeField(req.node);
    const n = await this.ctx.drains.drain(req.node, {
      deadlineMs: Number(req.deadlineMs),
      force: req.force,
      cancel: req.cancel,
    });
    return { node: this.nodeMessage(n) };
  }

  async setNodeEligibility(req: SetNodeEligibilityRequest__Output): Promise<SetNodeEligibilityResponse> {
    checkNodeField(req.node);
    return { node: this.nodeMessage(await this.ctx.drains.setEligibility(req.node, req.eligible)) };
  }

  /** What StreamWorkloadLogs reads (logs-proxy.ts resolves it): throws for a bad request. */
  logsTarget(req: StreamWorkloadLogsRequest__Output) {
    return workloadLogsTarget(this.ctx.manager, req);
  }

  /**
   * Validates a WatchRequest and says where its stream starts: after_seq checked against the
   * journal's window (OUT_OF_RANGE outside it), the snapshot when initial_state asks for one.
   */
  watchStart(req: WatchRequest__Output): WatchStart {
    const { workloadId, initialState, afterSeq, replayRetained, pipelineId } = req;
    const job = req.job ?? '';
    if (workloadId) validateWorkloadId('workload_id', workloadId);
    if (job) {
      if (job.length > 63) throw new InvalidArgumentError('job', `is longer than 63 characters`);
      if (workloadId || pipelineId)
        throw new InvalidArgumentError('job', 'cannot be combined with workload_id or pipeline_id');
      if (initialState)
        throw new InvalidArgumentError('initial_state', 'is the state of workloads and nodes: not with job');
    }
    if (pipelineId) {
      if (pipelineId.length > PIPELINE_ID_MAX)
        throw new InvalidArgumentError('pipeline_id', `is longer than ${PIPELINE_ID_MAX} characters`);
      if (workloadId) throw new InvalidArgumentError('pipeline_id', 'cannot be combined with workload_id');
      if (initialState)
        throw new InvalidArgumentError('initial_state', 'is the state of workloads and nodes: not with pipeline_id');
    }
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
      throw new InvalidArgumentError(
        'after_seq',
        `must be a non-negative integer, got ${String(afterSeq).slice(0, 32)}`,
      );
    }
    if (initialState && (afterSeq > 0 || replayRetained)) {
      throw new InvalidArgumentError('initial_state', 'cannot be combined with after_seq or replay_retained');
    }
    if (replayRetained && afterSeq > 0) {
      throw new InvalidArgumentError('replay_retained', 'cannot be combined with after_seq');
    }
    const { journal } = this.ctx.events;
    if (afterSeq > 0) {
      const check = journal.ring.check(afterSeq);
      if (!check.ok) {
        const why =
          check.reason === 'ahead'
            ? `is ahead of the latest event (${check.latest}; a restarted scheduler numbers events anew above its old ones)`
            : `is older than the retained events (the oldest kept is ${check.oldest}, the latest ${check.latest}); relist, then watch from the latest`;
        throw new MoError(grpc.status.OUT_OF_RANGE, `after_seq ${afterSeq} ${why}`);
      }
    }
    if (workloadId && initialState) this.ctx.manager.get(workloadId); // NOT_FOUND before the stream opens
    const start = afterSeq || (replayRetained ? journal.ring.oldestSeq - 1 : journal.latestSeq);
    const key = pipelineId ? pipelineEventKey(pipelineId) : job ? jobEventKey(job) : workloadId || undefined;
    const skip = skipOf(Boolean(pipelineId || req.includePipelines), Boolean(job || req.includeJobs));
    return {
      afterSeq: start,
      ...(initialState ? { snapshot: this.snapshot(workloadId) } : {}),
      ...(key ? { key } : {}),
      ...(skip ? { skip } : {}),
    };
  }

  /** The stream of a started watch (after its slot is taken: it subscribes to the journal now). */
  watchSource(start: WatchStart): ClusterWatchSource<ClusterEvent> {
    return new ClusterWatchSource<ClusterEvent>(this.ctx.events.journal, {
      key: start.key,
      skip: start.skip,
      afterSeq: start.afterSeq,
      snapshot: start.snapshot,
      caughtUp: (seq) => ({ seq, atMs: Date.now(), caughtUp: true }),
      sizeOf: clusterEventBytes,
    });
  }

  /** The current state as snapshot entries, built as they are sent. */
  private snapshot(workloadId: string): Array<SnapshotItem<ClusterEvent>> {
    const { manager, nodes } = this.ctx;
    const workload = (r: WorkloadRecord): SnapshotItem<ClusterEvent> => ({
      key: r.id,
      build: (seq) => ({ seq, atMs: Date.now(), snapshot: true, workload: toScheduledWorkload(r) }),
    });
    if (workloadId) return [workload(manager.get(workloadId))];
    return [
      ...nodes.list().map((n): SnapshotItem<ClusterEvent> => ({
        key: `node:${n.id}`,
        build: (seq) => ({ seq, atMs: Date.now(), snapshot: true, node: this.nodeMessage(n) }),
      })),
      ...manager.list({ limit: MAX_LIST }).workloads.map(workload),
    ];
  }
}

/** A request's `node`: a name or id, required, bounded. */
function checkNodeField(node: string): void {
  if (!node) throw new InvalidArgumentError('node', 'is required (a node name or id)');
  if (node.length > 253) throw new InvalidArgumentError('node', `is ${node.length} characters, at most 253`);
}

/** What StreamWorkloadLogs reads: the request checked, its workload found (logs-proxy.ts resolves). */
export function workloadLogsTarget(manager: WorkloadManager, req: StreamWorkloadLogsRequest__Output) {
  validateWorkloadId('workload_id', req.workloadId);
  if (req.allocationId) validateWorkloadId('allocation_id', req.allocationId);
  return {
    record: manager.get(req.workloadId),
    kind: 'workload',
    id: req.workloadId,
    choice: { allocationId: req.allocationId, previous: req.previous },
  };
}
