// Readiness: after any change, which waiting steps start, which are skipped (their `when` does not
// hold) and which stop at their approval gate; whether the pipeline as a whole waits for an
// approval; and, once every step has ended, how it ends (saga.ts when it goes down). Pure: a
// decision reads the record and returns actions (actions.ts); the manager applies them.
import type { Ending, PipelineAction } from './actions.js';
import { attemptReason } from './attempts.js';
import { PIPELINE_TERMINAL, STEP_TERMINAL, stepIndexOf, type PipelineRecord, type StepStateName } from './record.js';
import { decideSaga } from './saga.js';
import type { WhenName } from './spec.js';

export interface NeedState {
  id: string;
  state: StepStateName;
}

export type WhenVerdict = { run: true } | { run: false; reason: string };

export const GATE_REASON = 'waiting for approval (mo pipeline approve)';

/**
 * Whether a waiting step whose needs have all ended runs, per its `when`, or why it is skipped.
 * `success` needs every need succeeded and the pipeline not going down; `failure` needs a failed
 * need or a failing pipeline; `always` runs whatever happened.
 */
export function whenVerdict(when: WhenName, needs: readonly NeedState[], ending: Ending | undefined): WhenVerdict {
  const allOk = needs.every((n) => n.state === 'succeeded');
  const anyFailed = ending === 'failed' || needs.some((n) => n.state === 'failed');
  const run = when === 'always' ? true : when === 'failure' ? anyFailed : allOk && ending === undefined;
  if (run) return { run: true };
  if (when === 'failure') return { run: false, reason: 'skipped: nothing failed upstream' };
  if (ending)
    return { run: false, reason: `skipped: the pipeline is ${ending === 'failed' ? 'failing' : 'cancelled'}` };
  const why = needs.filter((n) => n.state !== 'succeeded').map((n) => `${n.id} ${n.state}`);
  return { run: false, reason: `skipped: ${why.join(', ')}` };
}

/**
 * Re-evaluates a pipeline after any change: starts the steps whose needs have ended (per their
 * `when` and approval gate), and once nothing is left to run, ends it (or compensates first).
 */
export function decideAdvance(p: PipelineRecord): PipelineAction[] {
  if (PIPELINE_TERMINAL.has(p.state) || p.state === 'pending') return [];
  if (p.state === 'compensating') return decideSaga(p, p.ending ?? 'failed', p.reason);
  const actions: PipelineAction[] = [];
  // The states as this pass leaves them: steps are in dependency order, so a step skipped here
  // is seen ended by its dependents later in the same pass.
  const states = p.steps.map((s) => s.state);
  for (const [i, s] of p.steps.entries()) {
    if (states[i] !== 'waiting') continue;
    const spec = p.spec.steps[i]!;
    const needs = spec.needs.map((id) => ({ id, state: states[stepIndexOf(p, id)!]! }));
    if (needs.some((n) => !STEP_TERMINAL.has(n.state))) continue;
    const verdict = whenVerdict(spec.when, needs, p.ending);
    if (!verdict.run) {
      actions.push({ do: 'set-step', stepId: s.id, state: 'skipped', reason: verdict.reason, ended: true });
      states[i] = 'skipped';
    } else if (spec.approval && !s.approval) {
      actions.push({ do: 'set-step', stepId: s.id, state: 'awaiting_approval', reason: GATE_REASON, ended: false });
      states[i] = 'awaiting_approval';
    } else {
      actions.push({
        do: 'start-attempt',
        stepId: s.id,
        reason: attemptReason(s.attempt + 1, spec.retries.maxAttempts),
      });
      states[i] = 'running';
    }
  }
  if (!states.every((st) => STEP_TERMINAL.has(st))) {
    const wait = approvalWait(p.state, states);
    if (wait) actions.push(wait);
    return actions;
  }
  return [...actions, ...decideOutcome(p, states)];
}

/** The pipeline waits for approval while a gate holds and nothing else runs; it runs again after. */
export function approvalWait(
  state: PipelineRecord['state'],
  steps: readonly StepStateName[],
): PipelineAction | undefined {
  const busy = steps.some((st) => st === 'running' || st === 'retrying');
  const gated = steps.some((st) => st === 'awaiting_approval');
  if (!busy && gated && state !== 'awaiting_approval') {
    return { do: 'set-pipeline', state: 'awaiting_approval', reason: 'a step waits for approval' };
  }
  if (busy && state === 'awaiting_approval') return { do: 'set-pipeline', state: 'running', reason: 'running' };
  return undefined;
}

/**
 * Every step has ended (`steps`: their states): success if none failed and nothing brought the
 * pipeline down; otherwise it goes down as failed (unless already cancelling), named after the
 * first failed step, and the saga decides the rest.
 */
export function decideOutcome(p: PipelineRecord, steps: readonly StepStateName[]): PipelineAction[] {
  const i = steps.indexOf('failed');
  const failed = i < 0 ? undefined : p.steps[i];
  if (!p.ending && !failed) {
    return [{ do: 'finish', state: 'succeeded', reason: 'every step succeeded or was skipped' }];
  }
  const ending = p.ending ?? 'failed';
  const reason = ending === 'failed' && failed && p.reason === 'running' ? `step ${failed.id} failed` : p.reason;
  const actions: PipelineAction[] = [];
  if (ending !== p.ending || reason !== p.reason) actions.push({ do: 'mark-ending', ending, reason, announce: false });
  return [...actions, ...decideSaga(p, ending, reason)];
}
