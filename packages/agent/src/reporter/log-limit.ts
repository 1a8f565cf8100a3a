// At most one log line per kind of failure per period: a retry loop (every second or two while the
// scheduler refuses this node) must say why at warn level without flooding the log. Pure.

export type LogDecision = { log: true; suppressed: number } | { log: false };

export class LogLimiter {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly periodMs = 60_000,
    private readonly maxKeys = 64,
  ) {}

  /** Whether to log `key` at `nowMs`, and how many of it were held back since the last line. */
  check(key: string, nowMs: number): LogDecision {
    const prev = this.last.get(key);
    if (prev && nowMs - prev.atMs < this.periodMs) {
      prev.suppressed++;
      return { log: false };
    }
    if (!prev && this.last.size >= this.maxKeys) this.last.clear();
    this.last.set(key, { atMs: nowMs, suppressed: 0 });
    return { log: true, suppressed: prev?.suppressed ?? 0 };
  }

  /** Starts over (e.g. once connected: the next failure is news again). */
  reset(): void {
    this.last.clear();
  }
}
