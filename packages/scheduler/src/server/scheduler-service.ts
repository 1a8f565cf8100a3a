// The Scheduler gRPC service (the client API): thin handlers over SchedulerCalls (service/, the
// rules both transports share). Streams (logs, watch) end with a proper status; errors are mapped
// in one place.
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  countedUnary,
  moProto,
  toServiceError,
  type StreamLimits,
  type ClusterEvent,
  type SchedulerHandlers,
  type WatchRequest__Output,
} from '@mo/api';
import { defaultWatchLimits, pumpWatch } from '../events/watch-stream.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeEntry } from '../registry/nodes.js';
import {
  SchedulerCalls,
  workloadLogsTarget,
  type SchedulerCallsContext,
  type WatchStart,
} from '../service/scheduler-calls.js';
import { proxyLogs } from './logs-proxy.js';

export interface SchedulerServiceContext extends SchedulerCallsContext {
  agents: AgentPool;
  /** Caps on open streams and the stall bound (logs here; shared with the other services). */
  streams?: StreamLimits;
  /** The calls to serve (the daemon shares one with the HTTP API); default: made from this context. */
  calls?: SchedulerCalls;
  onRequest?: (method: string, code: string) => void;
}

/**
 * Encoded bytes a Watch stream may have written and not yet sent (the reader's TCP window aside).
 * Small: what a watcher has not been sent yet stays in the shared window, not in its stream.
 */
const WATCH_BUFFER_BYTES = 16 * 1024;

export class SchedulerService {
  /** The rules of every unary method (shared with the HTTP API). */
  readonly calls: SchedulerCalls;

  constructor(private readonly ctx: SchedulerServiceContext) {
    this.calls = ctx.calls ?? new SchedulerCalls(ctx);
  }

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.Scheduler.service, this.handlers());
  }

  nodeMessage(n: NodeEntry) {
    return this.calls.nodeMessage(n);
  }

  private handlers(): SchedulerHandlers {
    const { manager } = this.ctx;
    const { calls } = this;
    const counted = countedUnary(this.ctx.onRequest);

    return {
      SubmitWorkload: counted('SubmitWorkload', (req) => calls.submitWorkload(req)),
      StopScheduledWorkload: counted('StopScheduledWorkload', (req) => calls.stopWorkload(req)),
      GetScheduledWorkload: counted('GetScheduledWorkload', (req) => calls.getWorkload(req)),
      ListWorkloads: counted('ListWorkloads', (req) => calls.listWorkloads(req)),
      ListNodes: counted('ListNodes', (req) => calls.listNodes(req)),
      GetClusterStatus: counted('GetClusterStatus', (req) => calls.getClusterStatus(req)),
      RemoveNode: counted('RemoveNode', (req) => calls.removeNode(req)),
      DrainNode: counted('DrainNode', (req) => calls.drainNode(req)),
      SetNodeEligibility: counted('SetNodeEligibility', (req) => calls.setNodeEligibility(req)),
      StreamWorkloadLogs: (call) =>
        proxyLogs(this.ctx, 'StreamWorkloadLogs', call, 'workload_id', (req) => workloadLogsTarget(manager, req)),
      Watch: (call) => this.watch(call),
    };
  }

  private watch(call: grpc.ServerWritableStream<WatchRequest__Output, ClusterEvent>): void {
    let start: WatchStart;
    try {
      start = this.calls.watchStart(call.request);
    } catch (err) {
      call.emit('error', toServiceError(err));
      return;
    }
    const slot = (this.ctx.streams ?? defaultWatchLimits()).admit('watch', call);
    if (!slot) return;
    const source = this.calls.watchSource(start);
    const out = new BoundedWriter<ClusterEvent>(call, { what: 'watch', slot, maxBufferedBytes: WATCH_BUFFER_BYTES });
    void pumpWatch(out, source);
  }
}
