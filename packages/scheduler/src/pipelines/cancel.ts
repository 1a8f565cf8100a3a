// Going down: what a failure for good or a cancel does to the steps under way. Running steps are
// stopped (they end cancelled when their workload does), retrying and gated ones are cancelled at
// once, waiting ones are left to readiness (dag.ts: `when: success` skips, `failure`/`always` run).
// A pending pipeline has nothing under way: a cancel ends it there. Pure (actions.ts).
import type { Ending, PipelineAction } from './actions.js';
import { PIPELINE_TERMINAL, type PipelineRecord } from './record.js';

/** The pipeline goes down as `ending` because of `why`; a second reason is ignored. */
export function decideGoDown(p: PipelineRecord, ending: Ending, why: string): PipelineAction[] {
  if (p.ending) return [];
  const actions: PipelineAction[] = [{ do: 'mark-ending', ending, reason: why, announce: true }];
  for (const s of p.steps) {
    if (s.state === 'running') {
      actions.push({ do: 'stop-step', stepId: s.id, why: 'cancel' });
    } else if (s.state === 'retrying' || s.state === 'awaiting_approval') {
      actions.push({ do: 'set-step', stepId: s.id, state: 'cancelled', reason: `cancelled: ${why}`, ended: true });
    }
  }
  actions.push({ do: 'advance' });
  return actions;
}

/** A client cancels the pipeline (`reason`: theirs, may be empty). Ended or ending: nothing. */
export function decideCancel(p: PipelineRecord, reason: string): PipelineAction[] {
  if (PIPELINE_TERMINAL.has(p.state) || p.ending) return [];
  const why = `cancelled${reason ? `: ${reason}` : ' by request'}`;
  if (p.state !== 'pending') return decideGoDown(p, 'cancelled', why);
  const before = 'the pipeline was cancelled before it started';
  return [
    ...p.steps.map((s): PipelineAction => ({
      do: 'set-step',
      stepId: s.id,
      state: 'cancelled',
      reason: before,
      ended: false,
    })),
    { do: 'finish', state: 'cancelled', reason: why },
    { do: 'admit' },
  ];
}
