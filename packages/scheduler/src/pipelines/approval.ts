// Approval gates: a step with `approval: true` waits in awaiting_approval (dag.ts) until a caller
// decides. Approved: its first attempt starts. Rejected: the step fails, which brings the pipeline
// down like any failure. Deciding a step that is not at its gate is refused. Pure (actions.ts).
import { FailedPreconditionError, NotFoundError } from '@mo/api';
import type { PipelineAction } from './actions.js';
import { attemptReason } from './attempts.js';
import { specOf, stepOf, type PipelineRecord } from './record.js';

export interface ApprovalDecision {
  stepId: string;
  approved: boolean;
  /** The caller's identity as the service found it ('' = anonymous). */
  by: string;
  reason: string;
}

/** Throws NotFoundError for an unknown step, FailedPreconditionError for one not at its gate. */
export function decideApproval(p: PipelineRecord, d: ApprovalDecision, now: number): PipelineAction[] {
  const s = stepOf(p, d.stepId);
  if (!s) throw new NotFoundError('step_id', `step of pipeline ${p.id}`, d.stepId);
  if (s.state !== 'awaiting_approval') {
    throw new FailedPreconditionError(`step ${d.stepId} is ${s.state.replace('_', ' ')}, not awaiting approval`);
  }
  const who = d.by || 'anonymous';
  const because = d.reason ? `: ${d.reason}` : '';
  const record: PipelineAction = {
    do: 'record-approval',
    stepId: s.id,
    approval: { approved: d.approved, by: who, reason: d.reason, atMs: now },
  };
  if (d.approved) {
    return [
      record,
      { do: 'event', stepId: s.id, state: 'approved', reason: `approved by ${who}${because}` },
      { do: 'start-attempt', stepId: s.id, reason: attemptReason(s.attempt + 1, specOf(p, s.id).retries.maxAttempts) },
      { do: 'advance' },
    ];
  }
  const why = `rejected by ${who}${because}`;
  return [
    record,
    { do: 'set-step', stepId: s.id, state: 'failed', reason: why, ended: true },
    { do: 'go-down', ending: 'failed', reason: `step ${s.id} ${why}` },
    { do: 'advance' },
  ];
}
