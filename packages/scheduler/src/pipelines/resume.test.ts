// What a restart picks up again, as a pure decision.
import { describe, expect, it } from '@jest/globals';
import { pipelineOf, stepsOf, withSteps } from './fixtures.js';
import { decideResume } from './resume.js';

describe('decideResume', () => {
  it('submits running steps again, re-arms retries, and re-evaluates', () => {
    const p = pipelineOf(stepsOf({ a: '', b: 'retries: 3', c: '', d: 'needs: [a]' }));
    withSteps(p, { a: 'running', b: 'retrying', c: 'succeeded' });
    expect(decideResume(p)).toEqual([
      { do: 'relaunch-step', stepId: 'a' },
      { do: 'rearm-retry', stepId: 'b' },
      { do: 'advance' },
    ]);
  });

  it('submits the running compensation again', () => {
    const p = pipelineOf(stepsOf({ a: 'compensate: { command: [undo] }', b: 'compensate: { command: [undo] }' }));
    withSteps(p, { a: 'succeeded', b: 'succeeded' });
    p.state = 'compensating';
    p.ending = 'cancelled';
    p.compensations.push(
      { stepId: 'b', workloadId: 'w-b', state: 'succeeded', reason: '' },
      { stepId: 'a', workloadId: '', state: 'running', reason: 'starting' },
    );
    expect(decideResume(p)).toEqual([{ do: 'relaunch-compensation', stepId: 'a' }, { do: 'advance' }]);
  });

  it.each(['pending', 'succeeded', 'failed', 'cancelled'] as const)('leaves a %s pipeline alone', (state) => {
    const p = pipelineOf(stepsOf({ a: '' }));
    p.state = state;
    expect(decideResume(p)).toEqual([]);
  });
});
