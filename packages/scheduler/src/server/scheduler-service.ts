// The Scheduler gRPC service (the client API): thin handlers over the WorkloadManager and the node
// table. Streams (logs, watch) end with a proper status; errors are mapped in one place.
import * as grpc from '@grpc/grpc-js';
import {
  countedUnary,
  InvalidArgumentError,
  moProto,
  toServiceError,
  type StreamLimits,
  validateGrace,
  validateWorkloadId,
  type ClusterEvent,
  type SchedulerHandlers,
  type WatchRequest__Output,
} from '@mo/api';
import type { EventBus } from '../events/bus.js';
import type { PlacementEngine } from '../placement/index.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { WorkloadManager } from '../workloads/manager.js';
import type { WorkloadRecord } from '../workloads/record.js';
import { STATE_NAMES, toNode, toScheduledWorkload } from './convert.js';
import { MAX_LIST, parseListRequest } from './list-request.js';
import { proxyLogs } from './logs-proxy.js';

export interface SchedulerServiceContext {
  manager: WorkloadManager;
  nodes: NodeTable;
  engine: PlacementEngine;
  agents: AgentPool;
  bus: EventBus<WorkloadRecord, NodeEntry>;
  version: string;
  startedAtMs: number;
  onRequest?: (method: string, code: string) => void;
  /** Caps on open streams and the stall bound (logs here; shared with the other services). */
  streams?: StreamLimits;
}

/** Events buffered per watcher before it counts as too slow and is dropped. */
const WATCH_BUFFER = 10_000;

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
        const { record, existing } = await manager.submit(req);
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
        const { limit, states } = parseListRequest(req, (s) => STATE_NAMES[s]);
        const { workloads, total } = manager.list({
          limit,
          ...(states ? { states } : {}),
          ...(req.nodeId ? { nodeId: req.nodeId } : {}),
        });
        return { workloads: workloads.map((w) => toScheduledWorkload(w, !req.omitEvents)), total };
      }),
      ListNodes: counted('ListNodes', () => ({
        nodes: nodes
          .list()
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((n) => this.nodeMessage(n)),
      })),
      GetClusterStatus: counted('GetClusterStatus', (req) => {
        const recentN = req.recentWorkloads || 10;
        if (!Number.isSafeInteger(recentN) || recentN < 0 || recentN > 1000) {
          throw new InvalidArgumentError('recent_workloads', `must be between 0 and 1000, got ${req.recentWorkloads}`);
        }
        const counts: Record<string, number> = {};
        for (const [state, n] of manager.stateCounts()) if (n > 0) counts[state] = n;
        return {
          nodes: nodes
            .list()
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((n) => this.nodeMessage(n)),
          workloadCounts: counts,
          recent: manager.list({ limit: recentN }).workloads.map((w) => toScheduledWorkload(w, false)),
          queueDepth: manager.queueDepth(),
          schedulerVersion: this.ctx.version,
          startedAtMs: this.ctx.startedAtMs,
        };
      }),
      StreamWorkloadLogs: (call) =>
        proxyLogs(this.ctx, 'StreamWorkloadLogs', call, 'workload_id', (req) => {
          validateWorkloadId('workload_id', req.workloadId);
          return { record: manager.get(req.workloadId), kind: 'workload', id: req.workloadId };
        }),
      Watch: (call) => this.watch(call),
    };
  }

  private watch(call: grpc.ServerWritableStream<WatchRequest__Output, ClusterEvent>): void {
    const { workloadId, initialState } = call.request;
    const { bus, manager, nodes } = this.ctx;
    try {
      if (workloadId) validateWorkloadId('workload_id', workloadId);
      if (workloadId && initialState) manager.get(workloadId);
    } catch (err) {
      call.emit('error', toServiceError(err));
      return;
    }
    let buffered = 0;
    const send = (event: ClusterEvent): boolean => {
      if (call.cancelled) return true;
      if (!call.write(event)) buffered++;
      return buffered < WATCH_BUFFER;
    };
    call.on('drain', () => (buffered = 0));
    const unsubscribe = bus.subscribe({
      ...(workloadId ? { filterWorkloadId: workloadId } : {}),
      push: (e) =>
        send({
          seq: e.seq,
          atMs: e.atMs,
          ...(e.workload ? { workload: toScheduledWorkload(e.workload) } : { node: this.nodeMessage(e.node!) }),
        }),
      onDropped: () =>
        call.emit('error', {
          code: grpc.status.RESOURCE_EXHAUSTED,
          details: `watcher fell more than ${WATCH_BUFFER} events behind; watch again`,
        }),
    });
    call.on('cancelled', unsubscribe);
    call.on('close', unsubscribe);
    if (initialState) {
      const now = Date.now();
      if (workloadId) {
        send({ seq: bus.nextSeq(), atMs: now, workload: toScheduledWorkload(manager.get(workloadId)) });
      } else {
        for (const n of nodes.list()) send({ seq: bus.nextSeq(), atMs: now, node: this.nodeMessage(n) });
        for (const w of manager.list({ limit: MAX_LIST }).workloads) {
          send({ seq: bus.nextSeq(), atMs: now, workload: toScheduledWorkload(w) });
        }
      }
    }
  }
}
