// A health check's state machine, pure: (state, spec, result, now) → state, with Kubernetes' probe
// semantics. Nothing here arms a timer or runs a probe; runner.ts feeds it results, and a test
// drives it with plain numbers for the clock.
import type { CheckSpec } from '@mo/api';

/** A health check: @mo/api's definition, the one the job spec validates (defaults filled). */
export type { CheckSpec };

export type CheckStatus = 'starting' | 'healthy' | 'unhealthy';

/** What one probe said. */
export interface ProbeResult {
  ok: boolean;
  /** Short and human: "HTTP 503", "connect ECONNREFUSED", "exit 1: no such table". */
  detail: string;
}

/** One probe's result as the state keeps it. */
export interface CheckResult extends ProbeResult {
  /** When it came back (wall clock, ms). */
  atMs: number;
  durationMs: number;
}

export interface CheckState {
  status: CheckStatus;
  consecutivePasses: number;
  consecutiveFailures: number;
  /** Undefined until the first probe came back. */
  lastResult: CheckResult | undefined;
  /** When `status` began (ms). */
  since: number;
}

export interface Transition {
  state: CheckState;
  /** The status changed with this result. */
  changed: boolean;
  /** Restart the instance: the failure streak just reached `restartAfter`. */
  restart: boolean;
}

/** A check before its first result: starting, since `nowMs` (the instance's start). */
export function initialState(nowMs: number): CheckState {
  return { status: 'starting', consecutivePasses: 0, consecutiveFailures: 0, lastResult: undefined, since: nowMs };
}

/**
 * The state after one probe result at `nowMs`. A pass resets the failure streak and a failure the
 * pass streak, so the thresholds count consecutive results, as Kubernetes' do.
 */
export function onResult(
  state: CheckState,
  spec: Pick<CheckSpec, 'successThreshold' | 'failureThreshold' | 'restartAfter'>,
  result: ProbeResult & { durationMs: number },
  nowMs: number,
): Transition {
  const passes = result.ok ? state.consecutivePasses + 1 : 0;
  const failures = result.ok ? 0 : state.consecutiveFailures + 1;
  // A threshold below 1 would make a check healthy (or unhealthy) before any result; the spec
  // parser forbids it, and this keeps a hand-built spec from doing so.
  const successThreshold = Math.max(1, spec.successThreshold);
  const failureThreshold = Math.max(1, spec.failureThreshold);

  let status = state.status;
  // Healthy → unhealthy, and starting → unhealthy too: a check that never passes must not stay
  // `starting` for ever. Unhealthy (or starting) → healthy after enough passes in a row.
  if (!result.ok && status !== 'unhealthy' && failures >= failureThreshold) status = 'unhealthy';
  if (result.ok && status !== 'healthy' && passes >= successThreshold) status = 'healthy';

  const changed = status !== state.status;
  // Equal, not ≥: one restart per streak. A streak that goes on after it (the restarted instance
  // fails too) restarts again only if whoever restarted the instance starts its checks over.
  const restart = spec.restartAfter > 0 && failures === spec.restartAfter;
  return {
    state: {
      status,
      consecutivePasses: passes,
      consecutiveFailures: failures,
      lastResult: { ok: result.ok, detail: result.detail, atMs: nowMs, durationMs: result.durationMs },
      since: changed ? nowMs : state.since,
    },
    changed,
    restart,
  };
}

/** An instance's health from its checks' states; 'none' when it has no checks. */
export type InstanceHealth = CheckStatus | 'none';

/**
 * Unhealthy if any check is; else starting if any is; else healthy. Unhealthy wins over starting:
 * one failing check is news whatever the others have not decided yet.
 */
export function overall(states: Iterable<Pick<CheckState, 'status'>>): InstanceHealth {
  let health: InstanceHealth = 'none';
  for (const { status } of states) {
    if (status === 'unhealthy') return 'unhealthy';
    if (status === 'starting') health = 'starting';
    else if (health === 'none') health = 'healthy';
  }
  return health;
}
