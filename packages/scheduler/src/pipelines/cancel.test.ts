// Going down and cancel as pure decisions, then followed to the end with `settle`.
import { describe, expect, it } from '@jest/globals';
import { decideCancel, decideGoDown } from './cancel.js';
import { pipelineOf, planOf, settle, stepsOf, withSteps } from './fixtures.js';
import { stepOf } from './record.js';

/** One step in every state a step can be in while its pipeline runs. */
function underWay(head = '') {
  const p = pipelineOf(
    stepsOf({
      done: 'compensate: { command: [undo] }',
      run: '',
      retry: 'retries: 3',
      gate: 'approval: true',
      wait: 'needs: [run]',
      always: 'needs: [run]\nwhen: always',
    }),
    head,
  );
  return withSteps(p, {
    done: 'succeeded',
    run: { state: 'running', workloadId: 'w-run' },
    retry: 'retrying',
    gate: 'awaiting_approval',
  });
}

describe('decideGoDown', () => {
  it('announces it, stops running steps, cancels retrying and gated ones at once, and leaves waiting ones', () => {
    const p = underWay();
    const why = 'step x failed: boom';
    expect(decideGoDown(p, 'failed', why)).toEqual([
      { do: 'mark-ending', ending: 'failed', reason: why, announce: true },
      { do: 'stop-step', stepId: 'run', why: 'cancel' },
      { do: 'set-step', stepId: 'retry', state: 'cancelled', reason: `cancelled: ${why}`, ended: true },
      { do: 'set-step', stepId: 'gate', state: 'cancelled', reason: `cancelled: ${why}`, ended: true },
      { do: 'advance' },
    ]);
  });

  it('goes down once: the first reason stands', () => {
    const p = underWay();
    settle(p, decideGoDown(p, 'failed', 'first'));
    expect(decideGoDown(p, 'cancelled', 'second')).toEqual([]);
    expect(p).toMatchObject({ ending: 'failed', reason: 'first' });
  });
});

describe('decideCancel', () => {
  it('ends a pending pipeline at once and frees the queue', () => {
    const p = pipelineOf(stepsOf({ a: '', b: 'needs: [a]' }));
    p.state = 'pending';
    const plan = decideCancel(p, '');
    expect(planOf(plan)).toEqual(['cancel a', 'cancel b', 'finish cancelled', 'admit']);
    expect(plan[0]).toMatchObject({ reason: 'the pipeline was cancelled before it started', ended: false });
    expect(plan[2]).toMatchObject({ reason: 'cancelled by request' });
  });

  it('brings a running pipeline down as cancelled, with the caller reason', () => {
    const p = underWay();
    expect(decideCancel(p, 'changed my mind')[0]).toEqual({
      do: 'mark-ending',
      ending: 'cancelled',
      reason: 'cancelled: changed my mind',
      announce: true,
    });
  });

  it.each(['succeeded', 'failed', 'cancelled'] as const)('does nothing to a %s pipeline', (state) => {
    const p = underWay();
    p.state = state;
    expect(decideCancel(p, '')).toEqual([]);
  });

  it('does nothing to a pipeline already going down', () => {
    const p = underWay();
    p.ending = 'failed';
    expect(decideCancel(p, '')).toEqual([]);
  });

  it('once the stopped step ends, skips what waited, still runs `always` steps, then ends cancelled', () => {
    const p = underWay();
    settle(p, decideCancel(p, 'enough'));
    expect(stepOf(p, 'run')).toMatchObject({ state: 'running', stopping: 'cancel' });
    const run = stepOf(p, 'run')!;
    const { applied } = settle(p, [
      { do: 'set-step', stepId: run.id, state: 'cancelled', reason: 'stopped: cancelled: enough', ended: true },
      { do: 'advance' },
    ]);
    expect(planOf(applied)).toEqual(['cancel run', 'advance', 'skip wait', 'start always']);
    settle(p, [{ do: 'set-step', stepId: 'always', state: 'succeeded', reason: '', ended: true }, { do: 'advance' }]);
    expect(p).toMatchObject({ state: 'cancelled', reason: 'cancelled: enough' });
    expect(p.compensations).toEqual([]);
  });

  it('with onCancel: compensate, compensates the succeeded steps before it ends', () => {
    const p = underWay('onCancel: compensate');
    withSteps(p, { run: 'succeeded' });
    let { applied } = settle(p, decideCancel(p, ''));
    expect(planOf(applied)).toEqual([
      'announce cancelled',
      'cancel retry',
      'cancel gate',
      'advance',
      'skip wait',
      'start always',
    ]);
    ({ applied } = settle(p, [
      { do: 'set-step', stepId: 'always', state: 'succeeded', reason: '', ended: true },
      { do: 'advance' },
    ]));
    expect(planOf(applied)).toEqual(['succeed always', 'advance', 'pipeline compensating', 'compensate done']);
    expect(p.reason).toBe('cancelled by request; compensating');
  });
});
