// The Scheduler gRPC service (the client API): thin handlers over the WorkloadManager and the node
// table. Streams (logs, watch) end with a proper status; errors are mapped in one place.
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  countedUnary,
  InvalidArgumentError,
  MoError,
  PAGE_BYTES,
  moProto,
  parsePageSize,
  stateFromWire,
  toServiceError,
  type StreamLimits,
  validateGrace,
  validateWorkloadId,
  type ClusterEvent,
  type SchedulerHandlers,
  type WatchRequest__Output,
} from '@mo/api';
import { clusterEventBytes, type ClusterEvents } from '../events/cluster-events.js';
import { ClusterWatchSource, type SnapshotItem } from '../events/cluster-watch.js';
import { defaultWatchLimits, pumpWatch } from '../events/watch-stream.js';
import type { PlacementEngine } from '../placement/index.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { WorkloadManager } from '../workloads/manager.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { toNode, toScheduledWorkload } from './convert.js';
import { MAX_LIST, parseListRequest, parseWorkloadSearch } from './list-request.js';
import { nodePage, workloadPage } from './pages.js';
import { proxyLogs } from './logs-proxy.js';

export interface SchedulerServiceContext {
  manager: WorkloadManager;
  nodes: NodeTable;
  engine: PlacementEngine;
  agents: AgentPool;
  events: ClusterEvents;
  /** Caps on open streams and the stall bound (logs here; shared with the other services). */
  streams?: StreamLimits;
  version: string;
  startedAtMs: number;
  /** `mo node rm`: forgets a down node by name or id (registry/nodes.ts removeDown). */
  removeNode: (nameOrId: string) => NodeEntry;
  onRequest?: (method: string, code: string) => void;
}

/**
 * Encoded bytes a Watch stream may have written and not yet sent (the reader's TCP window aside).
 * Small: what a watcher has not been sent yet stays in the shared window, not in its stream.
 */
const WATCH_BUFFER_BYTES = 16 * 1024;

export class SchedulerService {
  constructor(private readonly ctx: SchedulerServiceContext) {}

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.Scheduler.service, this.handlers());
  }

  nodeMessage(n: NodeEntry) {
    return toNode(n, this.ctx.engine.reservedOf(n.id), this.ctx.manager.runningOn(n.id));
  }

  private handlers(): SchedulerHandlers {
    const { manager, nodes } = this.ctx;
    const counted = countedUnary(this.ctx.onRequest);

    return {
      SubmitWorkload: counted('SubmitWorkload', async (req) => {
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
      }),
      StopScheduledWorkload: counted('StopScheduledWorkload', async (req) => {
        validateWorkloadId('workload_id', req.workloadId);
        const grace = validateGrace('grace_period_ms', req.gracePeriodMs);
        return toScheduledWorkload(await manager.stop(req.workloadId, grace));
      }),
      GetScheduledWorkload: counted('GetScheduledWorkload', (req) => {
        validateWorkloadId('workload_id', req.workloadId);
        return toScheduledWorkload(manager.get(req.workloadId));
      }),
      ListWorkloads: counted('ListWorkloads', (req) => {
        const { pageSize, states } = parseListRequest(req, stateFromWire);
        if (req.groupId) validateWorkloadId('group_id', req.groupId);
        const filter = {
          ...(states ? { states } : {}),
          ...(req.nodeId ? { nodeId: req.nodeId } : {}),
          ...(req.groupId ? { groupId: req.groupId } : {}),
          ...parseWorkloadSearch(req),
        };
        const page = workloadPage(manager, filter, { pageSize, pageToken: req.pageToken, withEvents: !req.omitEvents });
        return { workloads: page.items, total: manager.countMatching(filter), nextPageToken: page.nextPageToken };
      }),
      ListNodes: counted('ListNodes', (req) => {
        const page = nodePage(nodes, { pageSize: parsePageSize(req), pageToken: req.pageToken }, (n) =>
          this.nodeMessage(n),
        );
        return { nodes: page.items, nextPageToken: page.nextPageToken };
      }),
      GetClusterStatus: counted('GetClusterStatus', (req) => {
        const recentN = req.recentWorkloads || 10;
        if (!Number.isSafeInteger(recentN) || recentN < 0 || recentN > 1000) {
          throw new InvalidArgumentError('recent_workloads', `must be between 0 and 1000, got ${req.recentWorkloads}`);
        }
        const counts: Record<string, number> = {};
        for (const [state, n] of manager.stateCounts()) if (n > 0) counts[state] = n;
        // Nodes take up to half the byte budget, recent workloads the rest: the whole stays bounded.
        const nodeList = nodePage(
          nodes,
          { pageSize: parsePageSize({ pageSize: req.maxNodes }, 'max_nodes'), pageToken: '', maxBytes: PAGE_BYTES / 2 },
          (n) => this.nodeMessage(n),
        );
        const recent = workloadPage(
          manager,
          {},
          { pageSize: recentN, pageToken: '', withEvents: false, maxBytes: PAGE_BYTES - nodeList.bytes },
        );
        return {
          nodes: nodeList.items,
          nodesTotal: nodes.size,
          nodesNextPageToken: nodeList.nextPageToken,
          workloadCounts: counts,
          recent: recent.items,
          recentNextPageToken: recent.nextPageToken,
          queueDepth: manager.queueDepth(),
          schedulerVersion: this.ctx.version,
          startedAtMs: this.ctx.startedAtMs,
        };
      }),
      RemoveNode: counted('RemoveNode', (req) => {
        if (!req.node) throw new InvalidArgumentError('node', 'is required (a node name or id)');
        if (req.node.length > 253)
          throw new InvalidArgumentError('node', `is ${req.node.length} characters, at most 253`);
        const node = this.ctx.removeNode(req.node);
        return { node: this.nodeMessage(node) };
      }),
      StreamWorkloadLogs: (call) =>
        proxyLogs(this.ctx, 'StreamWorkloadLogs', call, 'workload_id', (req) => {
          validateWorkloadId('workload_id', req.workloadId);
          if (req.allocationId) validateWorkloadId('allocation_id', req.allocationId);
          return {
            record: manager.get(req.workloadId),
            kind: 'workload',
            id: req.workloadId,
            choice: { allocationId: req.allocationId, previous: req.previous },
          };
        }),
      Watch: (call) => this.watch(call),
    };
  }

  private watch(call: grpc.ServerWritableStream<WatchRequest__Output, ClusterEvent>): void {
    const { workloadId, initialState, replayRetained } = call.request;
    const { journal } = this.ctx.events;
    let afterSeq: number;
    let snapshot: Array<SnapshotItem<ClusterEvent>> | undefined;
    try {
      afterSeq = this.watchStart(call.request);
      if (initialState) snapshot = this.snapshot(workloadId);
    } catch (err) {
      call.emit('error', toServiceError(err));
      return;
    }
    const slot = (this.ctx.streams ?? defaultWatchLimits()).admit('watch', call);
    if (!slot) return;
    const source = new ClusterWatchSource<ClusterEvent>(journal, {
      key: workloadId || undefined,
      afterSeq: afterSeq || (replayRetained ? journal.ring.oldestSeq - 1 : journal.latestSeq),
      snapshot,
      caughtUp: (seq) => ({ seq, atMs: Date.now(), caughtUp: true }),
      sizeOf: clusterEventBytes,
    });
    const out = new BoundedWriter<ClusterEvent>(call, { what: 'watch', slot, maxBufferedBytes: WATCH_BUFFER_BYTES });
    void pumpWatch(out, source);
  }

  /** Validates a WatchRequest; returns its after_seq (0: none), checked against the window. */
  private watchStart(req: WatchRequest__Output): number {
    const { workloadId, initialState, afterSeq, replayRetained } = req;
    if (workloadId) validateWorkloadId('workload_id', workloadId);
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
    if (afterSeq > 0) {
      const check = this.ctx.events.journal.ring.check(afterSeq);
      if (!check.ok) {
        const why =
          check.reason === 'ahead'
            ? `is ahead of the latest event (${check.latest}; a restarted scheduler numbers events anew above its old ones)`
            : `is older than the retained events (the oldest kept is ${check.oldest}, the latest ${check.latest}); relist, then watch from the latest`;
        throw new MoError(grpc.status.OUT_OF_RANGE, `after_seq ${afterSeq} ${why}`);
      }
    }
    if (workloadId && initialState) this.ctx.manager.get(workloadId); // NOT_FOUND before the stream opens
    return afterSeq;
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
