// Who may move which pipeline artifact, decided from the pipeline's record and its steps' current
// workloads (pure: the artifact handlers ask, the ArtifactStore applies). An upload belongs to the
// attempt (workload) that runs its step: only the agent of that workload's node may send it, only
// while that workload has not ended, and the answer names its allocation so the store can check it
// again when the upload completes (an upload opened during a step and finished after it ended is
// refused). A download is for the agent of a step that takes the artifact's step as an input, for
// a client with read access, or for another scheduler (its artifact mirror copies every artifact).
import { FailedPreconditionError, MoError, NotFoundError, quote } from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';
import { PIPELINE_TERMINAL, type PipelineRecord } from './record.js';
import type { StepSpec } from './spec.js';

/**
 * Who is asking: an agent (its certificate's node name), a client whose identity may read, another
 * scheduler (its certificate's role), or anyone (a scheduler run with --insecure cannot tell
 * callers apart).
 */
export type ArtifactCaller =
  { kind: 'agent'; node: string } | { kind: 'client'; name: string } | { kind: 'scheduler' } | { kind: 'anyone' };

export interface ArtifactAccessContext {
  /** The step's spec, by id (undefined: no such step). */
  specOf(p: PipelineRecord, stepId: string): StepSpec | undefined;
  /** A workload's record, or undefined when it is gone. */
  workload(id: string): WorkloadRecord | undefined;
}

function denied(message: string): MoError {
  return new MoError(grpc.status.PERMISSION_DENIED, message);
}

/**
 * Throws unless `caller` may upload `path` for step `stepId` now; returns the allocation (the run
 * of the step's current attempt) the upload belongs to.
 */
export function authorizeUpload(
  ctx: ArtifactAccessContext,
  p: PipelineRecord | undefined,
  pipelineId: string,
  stepId: string,
  path: string,
  caller: ArtifactCaller,
): string {
  if (caller.kind === 'client' || caller.kind === 'scheduler') {
    const who = caller.kind === 'client' ? `client ${quote(caller.name)}` : 'another scheduler';
    throw denied(`only the agent running step ${quote(stepId)} may upload its artifacts, not ${who}`);
  }
  if (!p || PIPELINE_TERMINAL.has(p.state))
    throw new FailedPreconditionError(`pipeline ${quote(pipelineId)} is not running`);
  const spec = ctx.specOf(p, stepId);
  const s = p.steps.find((x) => x.id === stepId);
  if (!spec || !s) throw new NotFoundError('step_id', `step of pipeline ${pipelineId}`, stepId);
  if (s.state !== 'running') throw new FailedPreconditionError(`step ${stepId} is ${s.state}, not running`);
  if (!spec.artifacts.includes(path)) {
    throw new FailedPreconditionError(`step ${stepId} does not declare the artifact ${quote(path)}`);
  }
  const w = s.workloadId ? ctx.workload(s.workloadId) : undefined;
  if (!w || TERMINAL_STATES.has(w.state) || !w.allocationId) {
    throw new FailedPreconditionError(`step ${stepId} has no running attempt to upload for`);
  }
  if (caller.kind === 'agent' && caller.node !== w.nodeName) {
    throw denied(
      `step ${stepId} runs on node ${quote(w.nodeName || '(not placed)')}; agent ${quote(caller.node)} may not upload its artifacts`,
    );
  }
  return w.allocationId;
}

/** Throws unless `caller` may download the artifacts of step `stepId` now. */
export function authorizeDownload(
  ctx: ArtifactAccessContext,
  p: PipelineRecord | undefined,
  pipelineId: string,
  stepId: string,
  caller: ArtifactCaller,
): void {
  // Clients with read access, other schedulers (any step: they mirror them all), anyone when insecure.
  if (caller.kind !== 'agent') return;
  if (!p) throw new NotFoundError('pipeline_id', 'pipeline', pipelineId);
  const takers = p.steps.filter((s) => {
    if (s.state !== 'running' || !ctx.specOf(p, s.id)?.inputs.includes(stepId)) return false;
    const w = s.workloadId ? ctx.workload(s.workloadId) : undefined;
    return !!w && !TERMINAL_STATES.has(w.state) && w.nodeName === caller.node;
  });
  if (takers.length === 0) {
    throw denied(
      `agent ${quote(caller.node)} runs no step of pipeline ${pipelineId} that takes the artifacts of ${quote(stepId)} as an input`,
    );
  }
}
