// The restart policy as one pure decision: given how an allocation ended and the policy, restart
// or not, and after how long. Unlimited by default, with exponential backoff capped at 5 minutes;
// a run that lasted stable_after (10 min, as Kubernetes resets its crash-loop backoff) starts the
// row over, so a service that crashes once a day is never given up on.
import { backoffDelay } from '@mo/api';
import type { RestartPolicyRecord, WorkloadStateName } from './record.js';

export const RESTART_DEFAULTS = {
  /** 0 = unlimited. */
  maxAttempts: 0,
  initialBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
  stableAfterMs: 10 * 60_000,
} as const;

export interface RestartInput {
  policy: RestartPolicyRecord;
  /** How the allocation ended. */
  outcome: WorkloadStateName;
  stopRequested: boolean;
  /** Restarts in the current row so far. */
  restarts: number;
  /** How long the allocation ran (0 if it never did). */
  ranForMs: number;
}

export type RestartDecision =
  | { restart: false; why: string }
  /** n: the restart's number in its row (1 = first); restarts: the row's count after it. */
  | { restart: true; n: number; delayMs: number; restarts: number };

/** Whether the policy restarts after `outcome` at all (ignoring counts). */
export function policyRestarts(
  policy: RestartPolicyRecord,
  outcome: WorkloadStateName,
  stopRequested: boolean,
): boolean {
  if (stopRequested || outcome === 'stopped') return false;
  if (policy.mode === 'always') return true;
  return policy.mode === 'on-failure' && (outcome === 'failed' || outcome === 'lost');
}

/** `random` returns [0, 1): jitter of ±20% keeps a crashing fleet from restarting in lockstep. */
export function decideRestart(input: RestartInput, random: () => number = Math.random): RestartDecision {
  const { policy } = input;
  if (!policyRestarts(policy, input.outcome, input.stopRequested)) {
    return { restart: false, why: `restart policy ${policy.mode}` };
  }
  const stableAfter = policy.stableAfterMs ?? RESTART_DEFAULTS.stableAfterMs;
  const row = input.ranForMs >= stableAfter ? 0 : input.restarts;
  const n = row + 1;
  if (policy.maxAttempts > 0 && n > policy.maxAttempts) {
    return { restart: false, why: `${policy.maxAttempts} restart(s) in a row used up` };
  }
  // A lost allocation (its node given up after lost_after) is replaced at once: that wait was the
  // backoff, and a lost node is not the workload crashing. It still counts towards max_attempts.
  const delayMs = input.outcome === 'lost' ? 0 : backoffMs(n, policy.initialBackoffMs, policy.maxBackoffMs, random);
  return { restart: true, n, delayMs, restarts: n };
}

/** min(max, initial × 2^(n-1)) with ±20% jitter, never above max (@mo/api backoff.ts). */
export function backoffMs(n: number, initialMs: number, maxMs: number, random: () => number): number {
  return backoffDelay(n, { initialMs, maxMs, jitter: 'spread' }, random);
}

/** How many more restarts the row allows (-1 = unlimited), for display. */
export function restartsLeft(policy: RestartPolicyRecord, restarts: number): number {
  if (policy.mode === 'never') return 0;
  return policy.maxAttempts > 0 ? Math.max(0, policy.maxAttempts - restarts) : -1;
}
