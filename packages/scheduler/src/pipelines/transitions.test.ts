// How actions change the record, and the events they announce.
import { describe, expect, it } from '@jest/globals';
import { pipelineOf, stepsOf, withSteps } from './fixtures.js';
import { stepOf } from './record.js';
import { applyToRecord } from './transitions.js';

const NOW = 5000;

describe('applyToRecord', () => {
  it('a new attempt starts clean: next number, no workload, exit, stop or retry time from the last one', () => {
    const p = pipelineOf(stepsOf({ s: 'retries: 3' }));
    withSteps(p, {
      s: {
        state: 'retrying',
        attempt: 1,
        workloadId: 'w1',
        notBeforeMs: 9000,
        stopping: 'timeout',
        exit: { exited: true, exitCode: 3, signal: '', finishedAtMs: 1 },
      },
    });
    const e = applyToRecord(p, { do: 'start-attempt', stepId: 's', reason: 'attempt 2 of 3' }, NOW);
    expect(e).toEqual({ stepId: 's', state: 'running', reason: 'attempt 2 of 3' });
    const s = stepOf(p, 's')!;
    expect(s).toMatchObject({ state: 'running', attempt: 2, workloadId: '', notBeforeMs: 0, startedAtMs: NOW });
    expect(s).not.toHaveProperty('stopping');
    expect(s).not.toHaveProperty('exit');
  });

  it('a step that ends is stamped; one that only changes state is not', () => {
    const p = pipelineOf(stepsOf({ a: '', b: 'approval: true' }));
    applyToRecord(p, { do: 'set-step', stepId: 'a', state: 'skipped', reason: 'x', ended: true }, NOW);
    applyToRecord(p, { do: 'set-step', stepId: 'b', state: 'awaiting_approval', reason: 'y', ended: false }, NOW);
    expect(stepOf(p, 'a')!.endedAtMs).toBe(NOW);
    expect(stepOf(p, 'b')!.endedAtMs).toBe(0);
  });

  it('a success keeps a copy of the outputs', () => {
    const p = pipelineOf(stepsOf({ a: '' }));
    const outputs = { k: 'v' };
    applyToRecord(p, { do: 'set-step', stepId: 'a', state: 'succeeded', reason: '', ended: true, outputs }, NOW);
    expect(stepOf(p, 'a')!.outputs).toEqual(outputs);
    expect(stepOf(p, 'a')!.outputs).not.toBe(outputs);
  });

  it.each([
    ['failed', true, 'failing'],
    ['cancelled', true, 'cancelling'],
    ['failed', false, undefined],
  ] as const)('going down as %s (announced: %s) announces %s', (ending, announce, event) => {
    const p = pipelineOf(stepsOf({ a: '' }));
    const e = applyToRecord(p, { do: 'mark-ending', ending, reason: 'why', announce }, NOW);
    expect(e?.state).toBe(event);
    expect(p).toMatchObject({ ending, reason: 'why', state: 'running' });
  });

  it('a compensation starts as a running record, and ends without its timeout mark', () => {
    const p = pipelineOf(stepsOf({ a: 'compensate: { command: [undo] }' }));
    expect(applyToRecord(p, { do: 'compensate', stepId: 'a' }, NOW)).toEqual({
      stepId: 'a',
      state: 'compensating',
      reason: 'running the compensation of a',
    });
    applyToRecord(p, { do: 'stop-compensation', stepId: 'a' }, NOW);
    expect(p.compensations[0]!.timedOut).toBe(true);
    applyToRecord(p, { do: 'compensation-ended', stepId: 'a', state: 'failed', reason: 'timed out' }, NOW);
    expect(p.compensations).toEqual([{ stepId: 'a', workloadId: '', state: 'failed', reason: 'timed out' }]);
  });

  it('the pipeline records when it started and ended', () => {
    const p = pipelineOf(stepsOf({ a: '' }));
    p.state = 'pending';
    applyToRecord(p, { do: 'start-pipeline' }, NOW);
    applyToRecord(p, { do: 'finish', state: 'succeeded', reason: 'done' }, NOW + 1);
    expect(p).toMatchObject({ state: 'succeeded', reason: 'done', startedAtMs: NOW, endedAtMs: NOW + 1 });
  });
});
