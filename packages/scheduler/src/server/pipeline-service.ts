// The Pipelines gRPC service: thin handlers over PipelineCalls (service/, the rules both transports
// share). Watch streams replay retained events after a sequence number, then go live.
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  countedUnary,
  identityOf,
  moProto,
  type StreamLimits,
  toServiceError,
  type PipelineEvent,
  type PipelinesHandlers,
  type WatchPipelinesRequest__Output,
} from '@mo/api';
import { QueueWatchSource } from '../events/queue-watch.js';
import { defaultWatchLimits, pumpWatch } from '../events/watch-stream.js';
import type { PipelineManager, PipelineEvent as EngineEvent } from '../pipelines/manager.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeTable } from '../registry/nodes.js';
import type { WorkloadManager } from '../workloads/manager.js';
import { PipelineCalls } from '../service/pipeline-calls.js';
import { proxyLogs } from './logs-proxy.js';
import { toEvent } from './pipeline-convert.js';

export { PIPELINE_STATE_ENUM, toPipeline } from './pipeline-convert.js';

export interface PipelineServiceContext {
  pipelines: PipelineManager;
  workloads: WorkloadManager;
  nodes: NodeTable;
  agents: AgentPool;
  /** Caps on open streams and the stall bound (logs here; shared with the other services). */
  streams?: StreamLimits;
  /** The calls to serve (the daemon shares one with the HTTP API); default: made from this context. */
  calls?: PipelineCalls;
  onRequest?: (method: string, code: string) => void;
}

/** Live events queued per watcher (count, encoded bytes) before it counts as too slow and is cut off. */
export const WATCH_QUEUE = 10_000;
export const WATCH_QUEUE_BYTES = 8 * 1024 * 1024;
/** Encoded bytes a stream may have written and not yet sent. */
const WATCH_BUFFER_BYTES = 16 * 1024;

function pipelineEventBytes(e: PipelineEvent): number {
  return moProto().mo.v1.Pipelines.service.WatchPipelines.responseSerialize(e).length;
}

export class PipelineService {
  private lastEvent: EngineEvent | undefined;
  private lastWire: { message: PipelineEvent; bytes: number } | undefined;

  /** The rules of every unary method (shared with the HTTP API). */
  readonly calls: PipelineCalls;

  constructor(private readonly ctx: PipelineServiceContext) {
    this.calls = ctx.calls ?? new PipelineCalls(ctx);
  }

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.Pipelines.service, this.handlers());
  }

  private handlers(): PipelinesHandlers {
    const { calls } = this;
    const counted = countedUnary(this.ctx.onRequest);
    return {
      SubmitPipeline: counted('SubmitPipeline', (req) => calls.submitPipeline(req)),
      GetPipeline: counted('GetPipeline', (req) => calls.getPipeline(req)),
      ListPipelines: counted('ListPipelines', (req) => calls.listPipelines(req)),
      CancelPipeline: counted('CancelPipeline', (req) => calls.cancelPipeline(req)),
      ApproveStep: counted('ApproveStep', (req, call) => calls.approveStep(req, identityOf(call))),
      WatchPipelines: (call) => this.watch(call),
      StreamStepLogs: (call) =>
        proxyLogs(this.ctx, 'StreamStepLogs', call, 'step_id', (req) => calls.stepLogsTarget(req)),
    };
  }

  /**
   * An event in wire form. The engine pushes each event to every watcher in one synchronous loop,
   * so the last one converted is reused: a whole pipeline is converted once per event, not once
   * per watcher (each `mo pipeline run --wait` is one).
   */
  private wire(e: EngineEvent): { message: PipelineEvent; bytes: number } {
    if (e !== this.lastEvent) {
      const message = toEvent(e);
      this.lastEvent = e;
      this.lastWire = { message, bytes: pipelineEventBytes(message) };
    }
    return this.lastWire!;
  }

  private watch(call: grpc.ServerWritableStream<WatchPipelinesRequest__Output, PipelineEvent>): void {
    const { pipelineId, afterSeq } = call.request;
    const { pipelines } = this.ctx;
    let replay: EngineEvent[];
    try {
      replay = this.calls.watchReplay(call.request);
    } catch (err) {
      call.emit('error', toServiceError(err));
      return;
    }
    const slot = (this.ctx.streams ?? defaultWatchLimits()).admit('watch_pipelines', call);
    if (!slot) return;
    const source = new QueueWatchSource<EngineEvent, PipelineEvent>({
      what: 'watch of pipelines',
      afterSeq,
      replay,
      // Live events are converted once for every watcher; replayed ones (older) when sent.
      toMessage: (e) => this.wire(e),
      maxQueued: WATCH_QUEUE,
      maxQueuedBytes: WATCH_QUEUE_BYTES,
    });
    // Subscribed in the same tick as the replay was taken, so nothing falls between (seq dedupes).
    const unsubscribe = pipelines.watch({ ...(pipelineId ? { pipelineId } : {}), push: (e) => source.push(e) });
    const out = new BoundedWriter<PipelineEvent>(call, {
      what: 'watch of pipelines',
      slot,
      maxBufferedBytes: WATCH_BUFFER_BYTES,
    });
    void pumpWatch(out, source).finally(unsubscribe);
  }
}
