// Exponential backoff with jitter, the one formula every retry loop of mo uses: the scheduler's
// restarts and pipeline step retries (±20% around the doubling delay), the agent's reconnects to
// the scheduler ("equal jitter": half fixed, half random, so a restarted scheduler is not hit by
// every node at once). Pure: `random` is injected, so a test (or a decision function) is exact.

export interface Backoff {
  /** The first delay (attempt 1). */
  initialMs: number;
  /** No delay is longer. */
  maxMs: number;
  /**
   * `spread`: ±20% around min(max, initial × 2^(n-1)), never above max (restarts, retries).
   * `equal`: half of it fixed, the other half random (reconnects).
   */
  jitter: 'spread' | 'equal';
}

/** The delay before attempt `n` (1-based), in whole ms. `random` returns [0, 1). */
export function backoffDelay(n: number, b: Backoff, random: () => number = Math.random): number {
  // 2^62 is already past any max; the cap keeps the power finite for any n.
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(Math.max(n, 1) - 1, 62));
  if (b.jitter === 'equal') return Math.round(base / 2 + (random() * base) / 2);
  return Math.min(b.maxMs, Math.round(base * (0.8 + random() * 0.4)));
}
