// When `mo dev` restarts a daemon that died, and when it gives up: a pure function of the daemon's
// recent deaths and the time, so the rule is tested without processes or clocks.

export interface RestartPolicy {
  /** Deaths older than this are forgotten: a daemon that ran for a while starts afresh. */
  windowMs: number;
  /** This many deaths within the window and mo dev gives up (stops the rest, exits 1). */
  maxDeaths: number;
  /** Delay before the second restart within the window; it doubles with each further one. */
  baseDelayMs: number;
  /** The delay never grows past this. */
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  windowMs: 60_000,
  maxDeaths: 5,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
};

export type RestartDecision =
  { action: 'restart'; delayMs: number; deaths: number[] } | { action: 'give-up'; reason: string; deaths: number[] };

/**
 * Decides what follows a death at `nowMs`, given the earlier deaths (ms timestamps). The first
 * death in the window restarts at once: an agent back within a heartbeat or two keeps its node and
 * its workloads undisturbed. `deaths` is the history to pass next time.
 */
export function decideRestart(earlier: readonly number[], nowMs: number, policy: RestartPolicy): RestartDecision {
  const deaths = [...earlier.filter((t) => t > nowMs - policy.windowMs), nowMs];
  const n = deaths.length;
  if (n >= policy.maxDeaths) {
    return {
      action: 'give-up',
      reason: `died ${n} times within ${formatMs(policy.windowMs)}`,
      deaths,
    };
  }
  const delayMs = n === 1 ? 0 : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 2));
  return { action: 'restart', delayMs, deaths };
}

/** `0 ms`, `500 ms`, `2 s`, `1.5 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
