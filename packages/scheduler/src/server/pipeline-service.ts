// The Pipelines gRPC service: thin handlers over the PipelineManager, plus the record -> message
// conversion. Watch streams replay retained events after a sequence number, then go live.
import * as grpc from '@grpc/grpc-js';
import {
  BoundedWriter,
  countedUnary,
  describeIdentity,
  identityOf,
  InvalidArgumentError,
  NotFoundError,
  moProto,
  type StreamLimits,
  toServiceError,
  type Pipeline,
  type PipelineEvent,
  type PipelineState,
  type PipelinesHandlers,
  type StepState,
  type WatchPipelinesRequest__Output,
} from '@mo/api';
import { QueueWatchSource } from '../events/queue-watch.js';
import { defaultWatchLimits, pumpWatch } from '../events/watch-stream.js';
import type { PipelineManager, PipelineEvent as EngineEvent } from '../pipelines/manager.js';
import type { PipelineRecord, PipelineStateName, StepStateName } from '../pipelines/record.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeTable } from '../registry/nodes.js';
import type { WorkloadManager } from '../workloads/manager.js';
import { PRIORITY_ENUM } from '../workloads/record.js';
import { parseListRequest } from './list-request.js';
import { proxyLogs } from './logs-proxy.js';
import { pipelinePage } from './pages.js';

export const PIPELINE_STATE_ENUM: Record<PipelineStateName, PipelineState> = {
  pending: 'PIPELINE_STATE_PENDING',
  running: 'PIPELINE_STATE_RUNNING',
  awaiting_approval: 'PIPELINE_STATE_AWAITING_APPROVAL',
  compensating: 'PIPELINE_STATE_COMPENSATING',
  succeeded: 'PIPELINE_STATE_SUCCEEDED',
  failed: 'PIPELINE_STATE_FAILED',
  cancelled: 'PIPELINE_STATE_CANCELLED',
};
const PIPELINE_STATE_NAMES = new Map(Object.entries(PIPELINE_STATE_ENUM).map(([k, v]) => [v as string, k]));

const STEP_STATE_ENUM: Record<StepStateName, StepState> = {
  waiting: 'STEP_STATE_WAITING',
  awaiting_approval: 'STEP_STATE_AWAITING_APPROVAL',
  running: 'STEP_STATE_RUNNING',
  retrying: 'STEP_STATE_RETRYING',
  succeeded: 'STEP_STATE_SUCCEEDED',
  failed: 'STEP_STATE_FAILED',
  skipped: 'STEP_STATE_SKIPPED',
  cancelled: 'STEP_STATE_CANCELLED',
};

export function toPipeline(p: PipelineRecord, withSpec = true): Pipeline {
  return {
    id: p.id,
    name: p.name,
    priority: PRIORITY_ENUM[p.spec.priority],
    idempotencyKey: p.idempotencyKey,
    state: PIPELINE_STATE_ENUM[p.state],
    reason: p.reason,
    steps: p.steps.map((s, i) => {
      const spec = p.spec.steps[i]!; // both in the spec's order
      return {
        id: s.id,
        state: STEP_STATE_ENUM[s.state],
        reason: s.reason,
        needs: spec.needs,
        attempt: s.attempt,
        maxAttempts: spec.retries.maxAttempts,
        workloadId: s.workloadId,
        nodeName: s.nodeName,
        ...(s.exit ? { exit: s.exit } : {}),
        outputs: s.outputs,
        startedAtMs: s.startedAtMs,
        endedAtMs: s.endedAtMs,
        notBeforeMs: s.notBeforeMs,
        approvalRequired: spec.approval,
        ...(s.approval ? { approval: s.approval } : {}),
        when: spec.when,
      };
    }),
    compensations: p.compensations.map((c) => ({
      stepId: c.stepId,
      workloadId: c.workloadId,
      state: STEP_STATE_ENUM[c.state],
      reason: c.reason,
    })),
    concurrency: p.spec.concurrency,
    createdAtMs: p.createdAtMs,
    startedAtMs: p.startedAtMs,
    endedAtMs: p.endedAtMs,
    updatedAtMs: p.updatedAtMs,
    spec: withSpec ? p.specText : '',
  };
}

function toEvent(e: EngineEvent): PipelineEvent {
  return {
    seq: e.seq,
    atMs: e.atMs,
    pipelineId: e.pipeline.id,
    stepId: e.stepId,
    state: e.state,
    reason: e.reason,
    pipeline: toPipeline(e.pipeline, false),
  };
}

export interface PipelineServiceContext {
  pipelines: PipelineManager;
  workloads: WorkloadManager;
  nodes: NodeTable;
  agents: AgentPool;
  /** Caps on open streams and the stall bound (logs here; shared with the other services). */
  streams?: StreamLimits;
  onRequest?: (method: string, code: string) => void;
}

/** Live events queued per watcher (count, encoded bytes) before it counts as too slow and is cut off. */
const WATCH_QUEUE = 10_000;
const WATCH_QUEUE_BYTES = 8 * 1024 * 1024;
/** Encoded bytes a stream may have written and not yet sent. */
const WATCH_BUFFER_BYTES = 16 * 1024;

function pipelineEventBytes(e: PipelineEvent): number {
  return moProto().mo.v1.Pipelines.service.WatchPipelines.responseSerialize(e).length;
}
const ID_FIELD_MAX = 128;

function requireId(field: string, v: string): void {
  if (!v) throw new InvalidArgumentError(field, 'is required');
  if (v.length > ID_FIELD_MAX) throw new InvalidArgumentError(field, 'is too long');
}

export class PipelineService {
  private lastEvent: EngineEvent | undefined;
  private lastWire: { message: PipelineEvent; bytes: number } | undefined;

  constructor(private readonly ctx: PipelineServiceContext) {}

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.Pipelines.service, this.handlers());
  }

  private handlers(): PipelinesHandlers {
    const { pipelines } = this.ctx;
    const counted = countedUnary(this.ctx.onRequest);
    return {
      SubmitPipeline: counted('SubmitPipeline', async (req) => {
        const { pipeline, existing } = await pipelines.submit(req.spec, req.idempotencyKey);
        return { pipeline: toPipeline(pipeline), existing };
      }),
      GetPipeline: counted('GetPipeline', (req) => {
        requireId('pipeline_id', req.pipelineId);
        return toPipeline(pipelines.get(req.pipelineId));
      }),
      ListPipelines: counted('ListPipelines', (req) => {
        const { pageSize, states } = parseListRequest(
          req,
          (s) => PIPELINE_STATE_NAMES.get(s) as PipelineStateName | undefined,
        );
        const filter = { ...(states ? { states } : {}), ...(req.name ? { name: req.name } : {}) };
        const page = pipelinePage(pipelines, filter, { pageSize, pageToken: req.pageToken }, (p) =>
          toPipeline(p, false),
        );
        return { pipelines: page.items, total: pipelines.countMatching(filter), nextPageToken: page.nextPageToken };
      }),
      CancelPipeline: counted('CancelPipeline', (req) => {
        requireId('pipeline_id', req.pipelineId);
        return toPipeline(pipelines.cancel(req.pipelineId, req.reason.slice(0, 1024)));
      }),
      ApproveStep: counted('ApproveStep', (req, call) => {
        requireId('pipeline_id', req.pipelineId);
        requireId('step_id', req.stepId);
        if (req.reason.length > 4096) throw new InvalidArgumentError('reason', 'is longer than 4096 characters');
        // The approver is who the guard admitted, never the request's free-text `by` (ignored).
        const identity = identityOf(call);
        const by = identity ? describeIdentity(identity) : 'insecure';
        return toPipeline(pipelines.approve(req.pipelineId, req.stepId, !req.reject, by, req.reason));
      }),
      WatchPipelines: (call) => this.watch(call),
      StreamStepLogs: (call) =>
        proxyLogs(this.ctx, 'StreamStepLogs', call, 'step_id', (req) => {
          requireId('pipeline_id', req.pipelineId);
          requireId('step_id', req.stepId);
          const p = pipelines.get(req.pipelineId);
          const step = p.steps.find((s) => s.id === req.stepId);
          if (!step) throw new NotFoundError('step_id', `step of pipeline ${p.id}`, req.stepId);
          if (!step.workloadId) {
            throw new NotFoundError('step_id', 'logs of step', step.id, `it has not run: ${step.reason}`);
          }
          return { record: this.ctx.workloads.get(step.workloadId), kind: 'step', id: step.id };
        }),
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
      if (pipelineId.length > ID_FIELD_MAX) throw new InvalidArgumentError('pipeline_id', 'is too long');
      if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
        throw new InvalidArgumentError(
          'after_seq',
          `must be a non-negative integer, got ${String(afterSeq).slice(0, 32)}`,
        );
      }
      replay = pipelines.eventsAfter(afterSeq, pipelineId || undefined);
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
