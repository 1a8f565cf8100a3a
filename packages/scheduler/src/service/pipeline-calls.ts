// The Pipelines API's rules, once for both transports (see scheduler-calls.ts): decoded request
// message and the caller's identity in, response message out.
import {
  describeIdentity,
  InvalidArgumentError,
  NotFoundError,
  type ApproveStepRequest__Output,
  type CancelPipelineRequest__Output,
  type GetPipelineRequest__Output,
  type Identity,
  type ListPipelinesRequest__Output,
  type ListPipelinesResponse,
  type Pipeline,
  type StreamStepLogsRequest__Output,
  type SubmitPipelineRequest__Output,
  type SubmitPipelineResponse,
  type WatchPipelinesRequest__Output,
} from '@mo/api';
import type { PipelineManager, PipelineEvent as EngineEvent } from '../pipelines/manager.js';
import type { PipelineStateName } from '../pipelines/record.js';
import type { WorkloadManager } from '../workloads/manager.js';
import { parseListRequest } from '../server/list-request.js';
import { pipelinePage } from '../server/pages.js';
import { PIPELINE_STATE_NAMES, toPipeline } from '../server/pipeline-convert.js';

const ID_FIELD_MAX = 128;

function requireId(field: string, v: string): void {
  if (!v) throw new InvalidArgumentError(field, 'is required');
  if (v.length > ID_FIELD_MAX) throw new InvalidArgumentError(field, 'is too long');
}

/** What the read methods ask of pipelines (the leader's manager, or a follower's cache). */
export type PipelineReadsSource = Pick<PipelineManager, 'get' | 'newestFirst' | 'countMatching'>;

/** GetPipeline and ListPipelines: records only, so a follower answers them too (ha/). */
export class PipelineReads {
  constructor(protected readonly reads: { pipelines: PipelineReadsSource }) {}

  getPipeline(req: GetPipelineRequest__Output): Pipeline {
    requireId('pipeline_id', req.pipelineId);
    return toPipeline(this.reads.pipelines.get(req.pipelineId));
  }

  listPipelines(req: ListPipelinesRequest__Output): ListPipelinesResponse {
    const { pipelines } = this.reads;
    const { pageSize, states } = parseListRequest(
      req,
      (s) => PIPELINE_STATE_NAMES.get(s) as PipelineStateName | undefined,
    );
    const filter = { ...(states ? { states } : {}), ...(req.name ? { name: req.name } : {}) };
    const page = pipelinePage(pipelines, filter, { pageSize, pageToken: req.pageToken }, (p) => toPipeline(p, false));
    return { pipelines: page.items, total: pipelines.countMatching(filter), nextPageToken: page.nextPageToken };
  }
}

export interface PipelineCallsContext {
  pipelines: PipelineManager;
  workloads: WorkloadManager;
}

export class PipelineCalls extends PipelineReads {
  constructor(private readonly ctx: PipelineCallsContext) {
    super(ctx);
  }

  async submitPipeline(req: SubmitPipelineRequest__Output): Promise<SubmitPipelineResponse> {
    const { pipeline, existing } = await this.ctx.pipelines.submit(req.spec, req.idempotencyKey);
    return { pipeline: toPipeline(pipeline), existing };
  }

  cancelPipeline(req: CancelPipelineRequest__Output): Pipeline {
    requireId('pipeline_id', req.pipelineId);
    return toPipeline(this.ctx.pipelines.cancel(req.pipelineId, req.reason.slice(0, 1024)));
  }

  /** Approves or rejects (req.reject) a step's gate as `caller` (undefined: an insecure daemon). */
  approveStep(req: ApproveStepRequest__Output, caller: Identity | undefined): Pipeline {
    requireId('pipeline_id', req.pipelineId);
    requireId('step_id', req.stepId);
    if (req.reason.length > 4096) throw new InvalidArgumentError('reason', 'is longer than 4096 characters');
    // The approver is who the guard admitted, never the request's free-text `by` (ignored).
    const by = caller ? describeIdentity(caller) : 'insecure';
    return toPipeline(this.ctx.pipelines.approve(req.pipelineId, req.stepId, !req.reject, by, req.reason));
  }

  /** Validates a WatchPipelinesRequest; the retained events after its after_seq (the replay). */
  watchReplay(req: WatchPipelinesRequest__Output): EngineEvent[] {
    const { pipelineId, afterSeq } = req;
    if (pipelineId.length > ID_FIELD_MAX) throw new InvalidArgumentError('pipeline_id', 'is too long');
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
      throw new InvalidArgumentError(
        'after_seq',
        `must be a non-negative integer, got ${String(afterSeq).slice(0, 32)}`,
      );
    }
    return this.ctx.pipelines.eventsAfter(afterSeq, pipelineId || undefined);
  }

  /**
   * A watch: the request checked, the retained events after its after_seq, and `push` subscribed
   * to live ones in the same tick, so nothing falls between (a source drops seqs it has, by seq).
   */
  watch(
    req: WatchPipelinesRequest__Output,
    push: (e: EngineEvent) => void,
  ): { replay: EngineEvent[]; unsubscribe: () => void } {
    const replay = this.watchReplay(req);
    const unsubscribe = this.ctx.pipelines.watch({ ...(req.pipelineId ? { pipelineId: req.pipelineId } : {}), push });
    return { replay, unsubscribe };
  }

  /** What StreamStepLogs reads: the step's workload (logs-proxy.ts resolves). */
  stepLogsTarget(req: StreamStepLogsRequest__Output) {
    requireId('pipeline_id', req.pipelineId);
    requireId('step_id', req.stepId);
    const p = this.ctx.pipelines.get(req.pipelineId);
    const step = p.steps.find((s) => s.id === req.stepId);
    if (!step) throw new NotFoundError('step_id', `step of pipeline ${p.id}`, req.stepId);
    if (!step.workloadId) {
      throw new NotFoundError('step_id', 'logs of step', step.id, `it has not run: ${step.reason}`);
    }
    return { record: this.ctx.workloads.get(step.workloadId), kind: 'step', id: step.id };
  }
}
