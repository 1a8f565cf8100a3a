// The saga: how a pipeline that goes down ends. Once every step has ended, the succeeded steps'
// `compensate` workloads run one at a time, in reverse dependency order (the last thing done is
// undone first), and the pipeline then ends failed or cancelled. A cancel compensates only with
// `onCancel: compensate`. Also how a compensation's end is read (timed out, could not submit).
// Pure: a decision reads the record and returns actions (actions.ts).
import type { Ending, PipelineAction } from './actions.js';
import { specOf, type CompensationRecord, type PipelineRecord } from './record.js';

/** The steps to compensate, in the order they run: succeeded ones with a `compensate`, last first. */
export function compensationOrder(p: PipelineRecord): string[] {
  const out: string[] = [];
  for (let i = p.steps.length - 1; i >= 0; i--) {
    const s = p.steps[i]!;
    if (s.state === 'succeeded' && p.spec.steps[i]!.compensate) out.push(s.id);
  }
  return out;
}

/** The next compensation to run (none has run for it yet), or undefined when all have. */
export function nextCompensation(p: PipelineRecord): string | undefined {
  const done = new Set(p.compensations.map((c) => c.stepId));
  return compensationOrder(p).find((id) => !done.has(id));
}

const COMPENSATING = '; compensating';

/**
 * Every step has ended and the pipeline goes down (`ending`, `reason`): run the next compensation,
 * wait for the running one, or end.
 */
export function decideSaga(p: PipelineRecord, ending: Ending, reason: string): PipelineAction[] {
  if (ending === 'cancelled' && !p.spec.compensateOnCancel) return [{ do: 'finish', state: 'cancelled', reason }];
  if (p.compensations.at(-1)?.state === 'running') return [];
  // While compensating, the reason says so; the pipeline's end keeps only why it went down.
  const cause = reason.endsWith(COMPENSATING) ? reason.slice(0, -COMPENSATING.length) : reason;
  const next = nextCompensation(p);
  if (!next) return [{ do: 'finish', state: ending, reason: cause }];
  const actions: PipelineAction[] = [];
  if (p.state !== 'compensating') {
    actions.push({ do: 'set-pipeline', state: 'compensating', reason: `${cause}${COMPENSATING}` });
  }
  actions.push({ do: 'compensate', stepId: next });
  return actions;
}

/** A running compensation's workload ended (`state`, `reason`: the workload's). */
export function decideCompensationEnded(
  p: PipelineRecord,
  c: CompensationRecord,
  workload: { state: string; reason: string },
): PipelineAction[] {
  const state = workload.state === 'succeeded' && !c.timedOut ? 'succeeded' : 'failed';
  const reason = c.timedOut ? `timed out after ${specOf(p, c.stepId).compensate!.timeoutMs} ms` : workload.reason;
  return [
    { do: 'compensation-ended', stepId: c.stepId, state, reason },
    { do: 'event', stepId: c.stepId, state: `compensation ${state}`, reason: workload.reason },
    { do: 'advance' },
  ];
}

/** A compensation's workload could not be submitted: it failed (and the saga goes on). */
export function decideCompensationSubmitFailed(c: CompensationRecord, message: string): PipelineAction[] {
  const reason = `could not submit: ${message}`;
  return [
    { do: 'compensation-ended', stepId: c.stepId, state: 'failed', reason },
    { do: 'event', stepId: c.stepId, state: 'compensation failed', reason },
    { do: 'advance' },
  ];
}

/** The timeout of compensation `c` (its workload `workloadId`) fired: stop it, unless it moved on. */
export function decideCompensationTimeout(
  p: PipelineRecord,
  c: CompensationRecord,
  workloadId: string,
): PipelineAction[] {
  if (c.state !== 'running' || c.workloadId !== workloadId) return [];
  const reason = `timed out after ${specOf(p, c.stepId).compensate!.timeoutMs} ms`;
  return [
    { do: 'event', stepId: c.stepId, state: 'compensation timing out', reason },
    { do: 'stop-compensation', stepId: c.stepId },
  ];
}
