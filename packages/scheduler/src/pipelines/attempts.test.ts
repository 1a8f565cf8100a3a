// Attempts as pure decisions: how an attempt's end reads, the retry backoff, retries coming due,
// timeouts. Time is a number and jitter a function, so every delay is exact.
import { describe, expect, it } from '@jest/globals';
import {
  attemptReason,
  decideAttemptEnd,
  decideRetryDue,
  decideStepTimeout,
  retryBackoffMs,
  timeoutLeftMs,
} from './attempts.js';
import { pipelineOf, planOf, settle, stepsOf, withSteps } from './fixtures.js';
import { specOf, stepOf } from './record.js';

const NOW = 1_000_000;
const mid = () => 0.5; // no jitter
const policy = { maxAttempts: 10, initialBackoffMs: 1000, maxBackoffMs: 60_000 };

/** A pipeline whose step `s` runs attempt `attempt` (its spec: `extra`). */
function running(extra: string, attempt = 1) {
  const p = pipelineOf(stepsOf({ s: extra, other: '' }));
  withSteps(p, { s: { state: 'running', attempt, workloadId: 'w1', startedAtMs: NOW - 500 }, other: 'running' });
  return { p, s: stepOf(p, 's')! };
}

describe('retryBackoffMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
  ])('after attempt %i waits %i ms (no jitter), doubling up to maxBackoff', (attempt, want) => {
    expect(retryBackoffMs(policy, attempt, mid)).toBe(want);
  });

  it('jitters by ±20%, never past maxBackoff', () => {
    expect(retryBackoffMs(policy, 1, () => 0)).toBe(800);
    expect(retryBackoffMs(policy, 1, () => 0.999_999)).toBe(1200);
    expect(retryBackoffMs(policy, 9, () => 0.999_999)).toBe(60_000);
    expect(retryBackoffMs(policy, 9, () => 0)).toBe(48_000);
  });
});

describe('decideAttemptEnd', () => {
  it('a succeeded workload succeeds the step with its outputs, then the pipeline advances', () => {
    const { p, s } = running('');
    const outputs = { version: '1.2' };
    const plan = decideAttemptEnd(
      p,
      s,
      { workload: { state: 'succeeded', reason: 'exited with code 0', outputs } },
      NOW,
      mid,
    );
    expect(plan).toEqual([
      { do: 'set-step', stepId: 's', state: 'succeeded', reason: 'exited with code 0', ended: true, outputs },
      { do: 'advance' },
    ]);
    expect(plan[0]?.do === 'set-step' && plan[0].outputs).not.toBe(outputs); // a copy, not the workload's
  });

  it('a step stopped because the pipeline went down ends cancelled, whatever its workload says', () => {
    const { p, s } = running('retries: 3');
    p.reason = 'step other failed: boom';
    s.stopping = 'cancel';
    expect(decideAttemptEnd(p, s, { workload: { state: 'stopped', reason: 'stopped' } }, NOW, mid)).toEqual([
      { do: 'set-step', stepId: 's', state: 'cancelled', reason: 'stopped: step other failed: boom', ended: true },
      { do: 'advance' },
    ]);
  });

  it('a step that succeeded before its stop took effect still succeeded', () => {
    const { p, s } = running('');
    s.stopping = 'cancel';
    const plan = decideAttemptEnd(p, s, { workload: { state: 'succeeded', reason: 'exited with code 0' } }, NOW, mid);
    expect(planOf(plan)).toEqual(['succeed s', 'advance']);
  });

  it('a failure with attempts left retries after the backoff, saying which attempt failed and why', () => {
    const { p, s } = running('retries: { attempts: 3, backoff: 2s }', 2);
    const plan = decideAttemptEnd(p, s, { workload: { state: 'failed', reason: 'exited with code 3' } }, NOW, mid);
    expect(plan).toEqual([
      {
        do: 'retry-later',
        stepId: 's',
        reason: 'attempt 2 of 3 failed (exited with code 3); next in 4.0s',
        notBeforeMs: NOW + 4000,
      },
    ]);
  });

  it('the last attempt failing fails the step and brings the pipeline down', () => {
    const { p, s } = running('retries: 2', 2);
    const plan = decideAttemptEnd(p, s, { workload: { state: 'failed', reason: 'exited with code 3' } }, NOW, mid);
    expect(plan).toEqual([
      { do: 'fail-step', stepId: 's', reason: 'exited with code 3' },
      { do: 'go-down', ending: 'failed', reason: 'step s failed: exited with code 3' },
    ]);
  });

  it('a failure while the pipeline is already going down only advances it', () => {
    const { p, s } = running('');
    p.ending = 'failed';
    const plan = decideAttemptEnd(p, s, { workload: { state: 'lost', reason: 'node down' } }, NOW, mid);
    expect(planOf(plan)).toEqual(['fail s', 'advance']);
  });

  it('a timed-out attempt fails as timed out, even if its workload then exited 0', () => {
    const { p, s } = running('timeout: 500ms');
    s.stopping = 'timeout';
    const plan = decideAttemptEnd(p, s, { workload: { state: 'succeeded', reason: 'exited with code 0' } }, NOW, mid);
    expect(plan[0]).toEqual({ do: 'fail-step', stepId: 's', reason: 'timed out after 500 ms' });
  });

  it('a refused submit is the attempt failing, with the reason', () => {
    const { p, s } = running('retries: 2');
    const plan = decideAttemptEnd(p, s, { why: 'could not submit its workload: unknown node "x"' }, NOW, mid);
    expect(plan).toMatchObject([
      {
        do: 'retry-later',
        reason: 'attempt 1 of 2 failed (could not submit its workload: unknown node "x"); next in 1.0s',
      },
    ]);
  });

  it('a retried step that keeps failing waits longer each time, then fails the pipeline', () => {
    const { p, s } = running('retries: { attempts: 4, backoff: 1s }');
    const waits: number[] = [];
    for (;;) {
      const { applied } = settle(
        p,
        decideAttemptEnd(p, s, { workload: { state: 'failed', reason: 'x' } }, NOW, mid),
        NOW,
      );
      const retry = applied.find((a) => a.do === 'retry-later');
      if (!retry || retry.do !== 'retry-later') break;
      waits.push(retry.notBeforeMs - NOW);
      settle(p, decideRetryDue(p, s), NOW);
    }
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(s).toMatchObject({ state: 'failed', attempt: 4 });
    expect(p).toMatchObject({ ending: 'failed', reason: 'step s failed: x' });
  });
});

describe('retries coming due', () => {
  it('starts the next attempt of a retrying step', () => {
    const { p, s } = running('retries: 3');
    s.state = 'retrying';
    expect(decideRetryDue(p, s)).toEqual([
      { do: 'start-attempt', stepId: 's', reason: 'attempt 2 of 3' },
      { do: 'advance' },
    ]);
  });

  it('does nothing for a step that was cancelled meanwhile', () => {
    const { p, s } = running('retries: 3');
    s.state = 'cancelled';
    expect(decideRetryDue(p, s)).toEqual([]);
  });

  it.each([
    [1, 1, 'submitted'],
    [1, 3, 'attempt 1 of 3'],
    [3, 3, 'attempt 3 of 3'],
  ])('attempt %i of %i reads "%s"', (attempt, max, want) => {
    expect(attemptReason(attempt, max)).toBe(want);
  });
});

describe('step timeouts', () => {
  it('counts from the attempt start, so a restart does not give it more time', () => {
    const { p, s } = running('timeout: 2s');
    expect(timeoutLeftMs(s, specOf(p, 's'), NOW)).toBe(1500);
    expect(timeoutLeftMs(s, specOf(p, 's'), NOW + 5000)).toBe(-3500);
  });

  it('stops the attempt it was armed for, announcing it', () => {
    const { p, s } = running('timeout: 2s');
    expect(decideStepTimeout(p, s, 1)).toEqual([
      { do: 'event', stepId: 's', state: 'timing out', reason: 'timed out after 2000 ms' },
      { do: 'stop-step', stepId: 's', why: 'timeout' },
    ]);
  });

  it.each([
    ['a later attempt', { attempt: 2 }],
    ['an ended step', { state: 'succeeded' as const }],
    ['a step already stopping', { stopping: 'cancel' as const }],
  ])('does nothing to %s', (_what, fields) => {
    const { p, s } = running('timeout: 2s');
    Object.assign(s, fields);
    expect(decideStepTimeout(p, s, 1)).toEqual([]);
  });
});
