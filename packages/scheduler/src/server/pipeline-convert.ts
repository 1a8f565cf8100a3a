// Pipeline records -> wire messages (the Pipelines service's, gRPC and HTTP alike).
import type { Pipeline, PipelineEvent, PipelineState, StepState } from '@mo/api';
import type { PipelineEvent as EngineEvent } from '../pipelines/manager.js';
import type { PipelineRecord, PipelineStateName, StepStateName } from '../pipelines/record.js';
import { PRIORITY_ENUM } from '../workloads/record.js';

export const PIPELINE_STATE_ENUM: Record<PipelineStateName, PipelineState> = {
  pending: 'PIPELINE_STATE_PENDING',
  running: 'PIPELINE_STATE_RUNNING',
  awaiting_approval: 'PIPELINE_STATE_AWAITING_APPROVAL',
  compensating: 'PIPELINE_STATE_COMPENSATING',
  succeeded: 'PIPELINE_STATE_SUCCEEDED',
  failed: 'PIPELINE_STATE_FAILED',
  cancelled: 'PIPELINE_STATE_CANCELLED',
};
export const PIPELINE_STATE_NAMES = new Map(Object.entries(PIPELINE_STATE_ENUM).map(([k, v]) => [v as string, k]));

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

export function toEvent(e: EngineEvent): PipelineEvent {
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
