// Approval gates as pure decisions: approve starts the step, reject fails it and the pipeline.
import { describe, expect, it } from '@jest/globals';
import { FailedPreconditionError, NotFoundError } from '@mo/api';
import { decideApproval } from './approval.js';
import { pipelineOf, planOf, settle, stepsOf, withSteps } from './fixtures.js';

const NOW = 42_000;

function gated() {
  const p = pipelineOf(stepsOf({ build: '', deploy: 'needs: [build]\napproval: true\nretries: 2', docs: '' }));
  withSteps(p, { build: 'succeeded', deploy: 'awaiting_approval', docs: 'running' });
  return p;
}

describe('decideApproval', () => {
  it('approving records who and why, announces it and starts the first attempt', () => {
    const p = gated();
    const plan = decideApproval(p, { stepId: 'deploy', approved: true, by: 'token:alice', reason: 'looks good' }, NOW);
    expect(plan).toEqual([
      {
        do: 'record-approval',
        stepId: 'deploy',
        approval: { approved: true, by: 'token:alice', reason: 'looks good', atMs: NOW },
      },
      { do: 'event', stepId: 'deploy', state: 'approved', reason: 'approved by token:alice: looks good' },
      { do: 'start-attempt', stepId: 'deploy', reason: 'attempt 1 of 2' },
      { do: 'advance' },
    ]);
  });

  it('an approval with no identity is recorded as anonymous', () => {
    const plan = decideApproval(gated(), { stepId: 'deploy', approved: true, by: '', reason: '' }, NOW);
    expect(plan[1]).toMatchObject({ reason: 'approved by anonymous' });
  });

  it('rejecting fails the step and brings the pipeline down, stopping what runs', () => {
    const p = gated();
    const plan = decideApproval(p, { stepId: 'deploy', approved: false, by: 'token:bob', reason: 'not today' }, NOW);
    expect(plan.slice(1)).toEqual([
      { do: 'set-step', stepId: 'deploy', state: 'failed', reason: 'rejected by token:bob: not today', ended: true },
      { do: 'go-down', ending: 'failed', reason: 'step deploy rejected by token:bob: not today' },
      { do: 'advance' },
    ]);
    const { applied } = settle(p, plan, NOW);
    expect(planOf(applied)).toEqual([
      'record-approval deploy',
      'fail deploy',
      'go-down failed',
      'announce failed',
      'stop docs (cancel)',
      'advance',
      'advance',
    ]);
    expect(p).toMatchObject({ ending: 'failed', reason: 'step deploy rejected by token:bob: not today' });
  });

  it('refuses an unknown step', () => {
    expect(() => decideApproval(gated(), { stepId: 'nope', approved: true, by: '', reason: '' }, NOW)).toThrow(
      NotFoundError,
    );
  });

  it.each(['build', 'docs'])('refuses step %s, which is not at its gate', (stepId) => {
    const decide = () => decideApproval(gated(), { stepId, approved: true, by: '', reason: '' }, NOW);
    expect(decide).toThrow(FailedPreconditionError);
    expect(decide).toThrow(/not awaiting approval/);
  });
});
