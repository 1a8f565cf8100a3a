// Readiness as a pure decision: build a pipeline in some state, run decideAdvance, read the plan.
import { describe, expect, it } from '@jest/globals';
import type { Ending } from './actions.js';
import { approvalWait, decideAdvance, GATE_REASON, whenVerdict, type NeedState } from './dag.js';
import { pipelineOf, planOf, settle, stepsOf, withSteps } from './fixtures.js';
import type { StepStateName } from './record.js';
import type { WhenName } from './spec.js';

const diamond = () => pipelineOf(stepsOf({ a: '', b: 'needs: [a]', c: 'needs: [a]', d: 'needs: [b, c]' }));
const needs = (...states: StepStateName[]): NeedState[] => states.map((state, i) => ({ id: `n${i}`, state }));

describe('whenVerdict', () => {
  it.each<[WhenName, StepStateName[], Ending | undefined, string]>([
    ['success', ['succeeded', 'succeeded'], undefined, 'run'],
    ['success', [], undefined, 'run'],
    ['success', ['succeeded', 'failed'], undefined, 'skipped: n1 failed'],
    ['success', ['skipped', 'cancelled'], undefined, 'skipped: n0 skipped, n1 cancelled'],
    ['success', ['succeeded'], 'failed', 'skipped: the pipeline is failing'],
    ['success', ['succeeded'], 'cancelled', 'skipped: the pipeline is cancelled'],
    ['failure', ['succeeded', 'failed'], undefined, 'run'],
    ['failure', ['succeeded'], 'failed', 'run'],
    ['failure', ['succeeded', 'skipped'], undefined, 'skipped: nothing failed upstream'],
    ['failure', ['cancelled'], 'cancelled', 'skipped: nothing failed upstream'],
    ['failure', [], undefined, 'skipped: nothing failed upstream'],
    ['always', ['failed', 'cancelled'], 'failed', 'run'],
    ['always', ['skipped'], 'cancelled', 'run'],
  ])('when: %s after %j (pipeline ending: %s) -> %s', (when, states, ending, want) => {
    const v = whenVerdict(when, needs(...states), ending);
    expect(v.run ? 'run' : v.reason).toBe(want);
  });
});

describe('decideAdvance: readiness', () => {
  it('starts every root step of a fan-out at once, and nothing that needs them', () => {
    const p = pipelineOf(stepsOf({ a: '', b: '', c: '', d: 'needs: [a, b, c]' }));
    expect(planOf(decideAdvance(p))).toEqual(['start a', 'start b', 'start c']);
  });

  it('runs a diamond in dependency order: a, then b and c together, then d once both succeeded', () => {
    const p = diamond();
    expect(planOf(decideAdvance(p))).toEqual(['start a']);
    withSteps(p, { a: 'running' });
    expect(decideAdvance(p)).toEqual([]);
    withSteps(p, { a: 'succeeded' });
    expect(planOf(decideAdvance(p))).toEqual(['start b', 'start c']);
    withSteps(p, { b: 'succeeded', c: 'running' });
    expect(decideAdvance(p)).toEqual([]);
    withSteps(p, { c: 'succeeded' });
    expect(planOf(decideAdvance(p))).toEqual(['start d']);
    withSteps(p, { d: 'succeeded' });
    expect(decideAdvance(p)).toEqual([
      { do: 'finish', state: 'succeeded', reason: 'every step succeeded or was skipped' },
    ]);
  });

  it('fans in only when every need has ended, whichever ends last', () => {
    const p = pipelineOf(stepsOf({ a: '', b: '', c: '', d: 'needs: [a, b, c]' }));
    withSteps(p, { a: 'succeeded', b: 'retrying', c: 'succeeded' });
    expect(decideAdvance(p)).toEqual([]);
    withSteps(p, { b: 'succeeded' });
    expect(planOf(decideAdvance(p))).toEqual(['start d']);
  });

  it('names the attempt when the step may retry', () => {
    const p = pipelineOf(stepsOf({ once: '', thrice: 'retries: 3' }));
    expect(decideAdvance(p)).toEqual([
      { do: 'start-attempt', stepId: 'once', reason: 'submitted' },
      { do: 'start-attempt', stepId: 'thrice', reason: 'attempt 1 of 3' },
    ]);
  });

  it('does nothing for a pending or an ended pipeline', () => {
    const p = diamond();
    for (const state of ['pending', 'succeeded', 'failed', 'cancelled'] as const) {
      p.state = state;
      expect(decideAdvance(p)).toEqual([]);
    }
  });
});

describe('decideAdvance: `when` and skips', () => {
  it('skips a `when: failure` step when nothing failed, and the skip carries on down the chain in one pass', () => {
    const p = pipelineOf(stepsOf({ a: 'when: failure', b: 'needs: [a]', c: 'needs: [b]\nwhen: always' }));
    expect(decideAdvance(p)).toEqual([
      { do: 'set-step', stepId: 'a', state: 'skipped', reason: 'skipped: nothing failed upstream', ended: true },
      { do: 'set-step', stepId: 'b', state: 'skipped', reason: 'skipped: a skipped', ended: true },
      { do: 'start-attempt', stepId: 'c', reason: 'submitted' },
    ]);
  });

  it('on a failing pipeline skips `success` dependents, runs `failure` and `always` ones', () => {
    const p = pipelineOf(
      stepsOf({
        a: '',
        b: 'needs: [a]',
        next: 'needs: [b]',
        onfail: 'needs: [b]\nwhen: failure',
        cleanup: 'needs: [b]\nwhen: always',
      }),
    );
    withSteps(p, { a: 'succeeded', b: 'failed' });
    p.ending = 'failed';
    p.reason = 'step b failed: exited with code 1';
    const plan = decideAdvance(p);
    expect(planOf(plan)).toEqual(['skip next', 'start onfail', 'start cleanup']);
    expect(plan[0]).toMatchObject({ reason: 'skipped: the pipeline is failing' });
  });

  it('a success that follows a skipped need ends the pipeline succeeded once everything has ended', () => {
    const p = pipelineOf(stepsOf({ a: '', rescue: 'needs: [a]\nwhen: failure', b: 'needs: [rescue]' }));
    withSteps(p, { a: 'succeeded' });
    expect(planOf(decideAdvance(p))).toEqual(['skip rescue', 'skip b', 'finish succeeded']);
  });
});

describe('decideAdvance: approval gates', () => {
  it('holds a gated step, and the pipeline waits for approval once nothing else runs', () => {
    const p = pipelineOf(stepsOf({ build: '', deploy: 'needs: [build]\napproval: true', docs: '' }));
    withSteps(p, { build: 'succeeded', docs: 'running' });
    expect(decideAdvance(p)).toEqual([
      { do: 'set-step', stepId: 'deploy', state: 'awaiting_approval', reason: GATE_REASON, ended: false },
    ]);
    withSteps(p, { deploy: 'awaiting_approval', docs: 'succeeded' });
    expect(decideAdvance(p)).toEqual([
      { do: 'set-pipeline', state: 'awaiting_approval', reason: 'a step waits for approval' },
    ]);
  });

  it('runs again as soon as an approved step starts', () => {
    const p = pipelineOf(stepsOf({ deploy: 'approval: true' }));
    p.state = 'awaiting_approval';
    withSteps(p, { deploy: 'running' });
    expect(decideAdvance(p)).toEqual([{ do: 'set-pipeline', state: 'running', reason: 'running' }]);
  });

  it('starts a waiting gated step that already has its approval (recorded before a restart)', () => {
    const p = pipelineOf(stepsOf({ deploy: 'approval: true' }));
    withSteps(p, { deploy: { approval: { approved: true, by: 'token:alice', reason: '', atMs: 1 } } });
    expect(planOf(decideAdvance(p))).toEqual(['start deploy']);
  });

  it.each<[StepStateName[], string, string | undefined]>([
    [['awaiting_approval', 'succeeded'], 'running', 'awaiting_approval'],
    [['awaiting_approval', 'running'], 'running', undefined],
    [['awaiting_approval', 'retrying'], 'awaiting_approval', 'running'],
    [['awaiting_approval', 'waiting'], 'awaiting_approval', undefined],
    [['running'], 'awaiting_approval', 'running'],
    [['waiting'], 'running', undefined],
  ])('approvalWait: steps %j, pipeline %s -> %s', (steps, state, want) => {
    const a = approvalWait(state as 'running' | 'awaiting_approval', steps);
    expect(a && a.do === 'set-pipeline' ? a.state : undefined).toBe(want);
  });
});

describe('decideAdvance: the outcome', () => {
  it('succeeds when every step succeeded or was skipped and nothing went down', () => {
    const p = withSteps(pipelineOf(stepsOf({ a: '', b: 'when: failure' })), { a: 'succeeded', b: 'skipped' });
    expect(planOf(decideAdvance(p))).toEqual(['finish succeeded']);
  });

  it('fails with the going-down reason once every step has ended', () => {
    const p = withSteps(pipelineOf(stepsOf({ a: '', b: '' })), { a: 'failed', b: 'cancelled' });
    p.ending = 'failed';
    p.reason = 'step a failed: exited with code 2';
    expect(decideAdvance(p)).toEqual([{ do: 'finish', state: 'failed', reason: 'step a failed: exited with code 2' }]);
  });

  it('a failed step with no going-down recorded still fails the pipeline, named after that step', () => {
    const p = withSteps(pipelineOf(stepsOf({ a: '', b: '' })), { a: 'succeeded', b: 'failed' });
    expect(decideAdvance(p)).toEqual([
      { do: 'mark-ending', ending: 'failed', reason: 'step b failed', announce: false },
      { do: 'finish', state: 'failed', reason: 'step b failed' },
    ]);
  });

  it('is cancelled when cancelled, even if a step had failed', () => {
    const p = withSteps(pipelineOf(stepsOf({ a: '', b: '' })), { a: 'failed', b: 'cancelled' });
    p.ending = 'cancelled';
    p.reason = 'cancelled: enough';
    expect(decideAdvance(p)).toEqual([{ do: 'finish', state: 'cancelled', reason: 'cancelled: enough' }]);
  });

  it('compensates before failing when a succeeded step has a compensation', () => {
    const p = withSteps(pipelineOf(stepsOf({ a: 'compensate: { command: [undo] }', b: 'needs: [a]' })), {
      a: 'succeeded',
      b: 'failed',
    });
    p.ending = 'failed';
    p.reason = 'step b failed: boom';
    expect(decideAdvance(p)).toEqual([
      { do: 'set-pipeline', state: 'compensating', reason: 'step b failed: boom; compensating' },
      { do: 'compensate', stepId: 'a' },
    ]);
  });

  it('ends in the same pass that skips the last steps', () => {
    const p = pipelineOf(stepsOf({ a: '', b: 'needs: [a]', c: 'needs: [b]' }));
    withSteps(p, { a: 'failed' });
    p.ending = 'failed';
    p.reason = 'step a failed: x';
    const { applied } = settle(p, decideAdvance(p));
    expect(planOf(applied)).toEqual(['skip b', 'skip c', 'finish failed']);
    expect(p.state).toBe('failed');
  });
});
