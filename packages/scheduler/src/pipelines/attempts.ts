// Attempts: how the end of one step attempt reads (succeeded, cancelled by the pipeline, retried
// after a backoff, or failed for good, which brings the pipeline down), when a retry is due, and
// what a step's timeout does. Pure: time is `now`, jitter is `random` (both passed in).
import { backoffDelay } from '@mo/api';
import type { PipelineAction } from './actions.js';
import { specOf, type PipelineRecord, type StepRecord } from './record.js';
import type { RetryPolicy, StepSpec } from './spec.js';

/** How an attempt ended: its workload's end, or `why` it never ran (the submit was refused). */
export interface AttemptEnd {
  workload?: { state: string; reason: string; outputs?: Record<string, string> };
  why?: string;
}

/**
 * The delay before attempt `attempt + 1`: min(max, initial × 2^(attempt-1)), ±20% jitter (`random`
 * in [0, 1)) so steps that failed together do not retry in lockstep, never past maxBackoff: the
 * same formula as a workload's restarts (@mo/api backoff.ts).
 */
export function retryBackoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  return backoffDelay(
    attempt,
    { initialMs: policy.initialBackoffMs, maxMs: policy.maxBackoffMs, jitter: 'spread' },
    random,
  );
}

/** The reason a started attempt shows: its number when the step may retry. */
export function attemptReason(attempt: number, maxAttempts: number): string {
  return maxAttempts > 1 ? `attempt ${attempt} of ${maxAttempts}` : 'submitted';
}

/** The current attempt of running step `s` ended. */
export function decideAttemptEnd(
  p: PipelineRecord,
  s: StepRecord,
  end: AttemptEnd,
  now: number,
  random: () => number,
): PipelineAction[] {
  const spec = specOf(p, s.id);
  const w = end.workload;
  // A step that succeeded before its stop took effect succeeded; past its timeout it did not.
  if (w?.state === 'succeeded' && s.stopping !== 'timeout') {
    const outputs = { ...(w.outputs ?? {}) };
    return [
      { do: 'set-step', stepId: s.id, state: 'succeeded', reason: w.reason, ended: true, outputs },
      { do: 'advance' },
    ];
  }
  if (s.stopping === 'cancel') {
    return [
      { do: 'set-step', stepId: s.id, state: 'cancelled', reason: `stopped: ${p.reason}`, ended: true },
      { do: 'advance' },
    ];
  }
  const reason =
    s.stopping === 'timeout' ? `timed out after ${spec.timeoutMs} ms` : (end.why ?? w?.reason ?? 'the workload ended');
  const max = spec.retries.maxAttempts;
  if (s.attempt < max) {
    const delay = retryBackoffMs(spec.retries, s.attempt, random);
    const next = `attempt ${s.attempt} of ${max} failed (${reason}); next in ${(delay / 1000).toFixed(1)}s`;
    return [{ do: 'retry-later', stepId: s.id, reason: next, notBeforeMs: now + delay }];
  }
  return [
    { do: 'fail-step', stepId: s.id, reason },
    // Already going down (a sibling failed, a cancel): this failure changes nothing more.
    p.ending ? { do: 'advance' } : { do: 'go-down', ending: 'failed', reason: `step ${s.id} failed: ${reason}` },
  ];
}

/** A retrying step's backoff has passed: its next attempt starts (unless it moved on meanwhile). */
export function decideRetryDue(p: PipelineRecord, s: StepRecord): PipelineAction[] {
  if (s.state !== 'retrying') return [];
  const reason = attemptReason(s.attempt + 1, specOf(p, s.id).retries.maxAttempts);
  return [{ do: 'start-attempt', stepId: s.id, reason }, { do: 'advance' }];
}

/** How long attempt `s` may still run: its timeout counts from its start, across restarts. */
export function timeoutLeftMs(s: StepRecord, spec: StepSpec, now: number): number {
  return s.startedAtMs + spec.timeoutMs - now;
}

/** The timeout of attempt `attempt` fired: stop it, unless it ended, moved on or is stopping. */
export function decideStepTimeout(p: PipelineRecord, s: StepRecord, attempt: number): PipelineAction[] {
  if (s.state !== 'running' || s.attempt !== attempt || s.stopping) return [];
  const reason = `timed out after ${specOf(p, s.id).timeoutMs} ms`;
  return [
    { do: 'event', stepId: s.id, state: 'timing out', reason },
    { do: 'stop-step', stepId: s.id, why: 'timeout' },
  ];
}
