// The saga as pure decisions: which compensations run, in which order, one at a time, and how the
// pipeline ends; how a compensation's end, failed submit or timeout reads.
import { describe, expect, it } from '@jest/globals';
import { pipelineOf, planOf, settle, stepsOf, withSteps } from './fixtures.js';
import type { PipelineRecord } from './record.js';
import {
  compensationOrder,
  decideCompensationEnded,
  decideCompensationSubmitFailed,
  decideCompensationTimeout,
  decideSaga,
  nextCompensation,
} from './saga.js';

const undo = 'compensate: { command: [undo], timeout: 3s }';

/** reserve -> charge -> ship, and notify beside charge; ship failed, the others succeeded. */
function failedAtShip(head = ''): PipelineRecord {
  const p = pipelineOf(
    stepsOf({
      reserve: undo,
      charge: `needs: [reserve]\n${undo}`,
      notify: 'needs: [reserve]',
      audit: `needs: [reserve]\nwhen: failure\n${undo}`,
      ship: `needs: [charge]\n${undo}`,
    }),
    head,
  );
  withSteps(p, { reserve: 'succeeded', charge: 'succeeded', notify: 'succeeded', audit: 'skipped', ship: 'failed' });
  p.ending = 'failed';
  p.reason = 'step ship failed: exited with code 7';
  return p;
}

describe('compensation order', () => {
  it('is the reverse of the dependency order, over succeeded steps that have a compensation', () => {
    const p = failedAtShip();
    expect(compensationOrder(p)).toEqual(['charge', 'reserve']);
  });

  it('goes on from the compensations already run', () => {
    const p = failedAtShip();
    p.compensations.push({ stepId: 'charge', workloadId: 'w', state: 'failed', reason: 'x' });
    expect(nextCompensation(p)).toBe('reserve');
    p.compensations.push({ stepId: 'reserve', workloadId: 'w', state: 'succeeded', reason: '' });
    expect(nextCompensation(p)).toBeUndefined();
  });
});

describe('decideSaga', () => {
  it('starts compensating with the last succeeded step', () => {
    const p = failedAtShip();
    expect(decideSaga(p, 'failed', p.reason)).toEqual([
      { do: 'set-pipeline', state: 'compensating', reason: 'step ship failed: exited with code 7; compensating' },
      { do: 'compensate', stepId: 'charge' },
    ]);
  });

  it('runs one compensation at a time', () => {
    const p = failedAtShip();
    p.state = 'compensating';
    p.compensations.push({ stepId: 'charge', workloadId: 'w', state: 'running', reason: '' });
    expect(decideSaga(p, 'failed', p.reason)).toEqual([]);
    p.compensations[0]!.state = 'succeeded';
    expect(decideSaga(p, 'failed', p.reason)).toEqual([{ do: 'compensate', stepId: 'reserve' }]);
  });

  it('ends the pipeline as it was going down once every compensation has run, failed or not', () => {
    const p = failedAtShip();
    p.state = 'compensating';
    p.compensations.push(
      { stepId: 'charge', workloadId: 'w1', state: 'failed', reason: 'exited with code 1' },
      { stepId: 'reserve', workloadId: 'w2', state: 'succeeded', reason: '' },
    );
    expect(decideSaga(p, 'failed', p.reason)).toEqual([
      { do: 'finish', state: 'failed', reason: 'step ship failed: exited with code 7' },
    ]);
  });

  it('a cancel ends at once unless the pipeline says onCancel: compensate', () => {
    const stop = failedAtShip();
    expect(decideSaga(stop, 'cancelled', 'cancelled by request')).toEqual([
      { do: 'finish', state: 'cancelled', reason: 'cancelled by request' },
    ]);
    const compensate = failedAtShip('onCancel: compensate');
    expect(planOf(decideSaga(compensate, 'cancelled', 'cancelled by request'))).toEqual([
      'pipeline compensating',
      'compensate charge',
    ]);
  });

  it('with nothing to compensate, fails at once', () => {
    const p = withSteps(pipelineOf(stepsOf({ a: '', b: 'needs: [a]' })), { a: 'succeeded', b: 'failed' });
    expect(planOf(decideSaga(p, 'failed', 'step b failed: x'))).toEqual(['finish failed']);
  });

  it('runs the whole saga in reverse order as each compensation ends, then fails', () => {
    const p = failedAtShip();
    const order: string[] = [];
    let { applied } = settle(p, [{ do: 'advance' }]);
    for (let guard = 0; guard < 10 && p.state === 'compensating'; guard++) {
      const c = p.compensations.at(-1)!;
      order.push(c.stepId);
      c.workloadId = `w-${c.stepId}`;
      ({ applied } = settle(p, decideCompensationEnded(p, c, { state: 'succeeded', reason: 'exited with code 0' })));
    }
    expect(order).toEqual(['charge', 'reserve']);
    expect(planOf(applied).at(-1)).toBe('finish failed');
    // The end says why it went down, not the "; compensating" of the saga in between.
    expect(p).toMatchObject({ state: 'failed', reason: 'step ship failed: exited with code 7' });
    expect(p.compensations.map((c) => [c.stepId, c.state])).toEqual([
      ['charge', 'succeeded'],
      ['reserve', 'succeeded'],
    ]);
  });
});

describe('a compensation ending', () => {
  const running = () => {
    const p = failedAtShip();
    p.state = 'compensating';
    p.compensations.push({ stepId: 'charge', workloadId: 'w1', state: 'running', reason: '' });
    return { p, c: p.compensations[0]! };
  };

  it.each([
    ['succeeded', false, 'succeeded', 'exited with code 0'],
    ['failed', false, 'failed', 'exited with code 0'],
    ['succeeded', true, 'failed', 'timed out after 3000 ms'],
  ])('workload %s (timed out: %s) -> %s, recorded as "%s"', (workload, timedOut, state, recorded) => {
    const { p, c } = running();
    if (timedOut) c.timedOut = true;
    const plan = decideCompensationEnded(p, c, { state: workload, reason: 'exited with code 0' });
    expect(plan).toEqual([
      { do: 'compensation-ended', stepId: 'charge', state, reason: recorded },
      { do: 'event', stepId: 'charge', state: `compensation ${state}`, reason: 'exited with code 0' },
      { do: 'advance' },
    ]);
  });

  it('a compensation that cannot be submitted failed, and the saga goes on', () => {
    const { c } = running();
    expect(decideCompensationSubmitFailed(c, 'unknown node "x"')).toEqual([
      { do: 'compensation-ended', stepId: 'charge', state: 'failed', reason: 'could not submit: unknown node "x"' },
      { do: 'event', stepId: 'charge', state: 'compensation failed', reason: 'could not submit: unknown node "x"' },
      { do: 'advance' },
    ]);
  });

  it('its timeout stops it, unless it ended or is another workload by then', () => {
    const { p, c } = running();
    expect(decideCompensationTimeout(p, c, 'w1')).toEqual([
      { do: 'event', stepId: 'charge', state: 'compensation timing out', reason: 'timed out after 3000 ms' },
      { do: 'stop-compensation', stepId: 'charge' },
    ]);
    expect(decideCompensationTimeout(p, c, 'w0')).toEqual([]);
    c.state = 'succeeded';
    expect(decideCompensationTimeout(p, c, 'w1')).toEqual([]);
  });
});
