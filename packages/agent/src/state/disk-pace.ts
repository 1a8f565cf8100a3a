// Whether the store's background disk work (remaking spares, deferred record writes) may run on the
// event loop. Through the thread pool, each file operation is a round trip: a futex to wake a
// worker, an eventfd to wake the loop, a promise to resume. Done at 10 starts a second, those ~16
// round trips per workload woke the agent ~20 times a job, its largest cost at a low rate; done in
// place, the same ~16 system calls take ~0.1-0.3 ms on a quiet disk (agent CPU per job at 10
// starts/s: 10.3 ms against 14.4, warm, interleaved). But a slow disk (a stalled inode allocation,
// a saturated device) must not stall the loop: SLOW_RUN pieces in a row that each take longer than
// SLOW_MS send the work back to the thread pool for COOL_MS. In a row, because one slow piece is
// usually the CPU (both busy with a burst's workloads, the loop is preempted), not the disk.
// A disk that hangs outright hangs the start path's own synchronous writes as well.
// The rule is plain state over a clock the caller may give (tests do).

/**
 * A piece of background work (one spare, one record) slower than this means the disk is slow. Not
 * lower: with both CPUs busy running a burst's workloads, a spare took up to ~8 ms of wall time here
 * (preempted, not waiting on the disk).
 */
export const SLOW_MS = 20;
/** Slow pieces in a row that mean the disk is slow. */
export const SLOW_RUN = 3;
/** How long the work stays in the thread pool after a slow piece. */
export const COOL_MS = 60_000;

export class DiskPace {
  private slowUntil = -Infinity;
  /** Slow pieces in a row so far. */
  private slowRun = 0;

  constructor(
    private readonly slowMs = SLOW_MS,
    private readonly coolMs = COOL_MS,
    private readonly runLength = SLOW_RUN,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether the next piece may be done synchronously. */
  inPlace(): boolean {
    return this.clock() >= this.slowUntil;
  }

  /** Does one piece in place and counts how long it took (also when it throws). */
  run<T>(piece: () => T): T {
    const t0 = this.clock();
    try {
      return piece();
    } finally {
      this.took(this.clock() - t0);
    }
  }

  private took(tookMs: number): void {
    if (tookMs <= this.slowMs) {
      this.slowRun = 0;
      return;
    }
    if (++this.slowRun < this.runLength) return;
    this.slowRun = 0;
    this.slowUntil = this.clock() + this.coolMs;
  }
}
