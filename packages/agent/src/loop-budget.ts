// A share of each turn of the event loop for work that comes in bursts (the agent's starts). A
// burst of requests is read in one poll phase, and every start's synchronous part (validation, its
// record's JSON and write, the launcher's frame) would then run back to back: 36 tiny starts held
// the loop ~30-60 ms, a few maximum-size ones 100 ms+, and heartbeats and timers waited behind
// them. Here work goes on at once while this turn's share lasts; past it, the rest waits for the
// next turns (after timers and I/O have run), released in order, one share per turn.
//
// Usage: `const wait = budget.take(); if (wait) await wait;` before each piece of work. A piece
// that has started is never cut: the share bounds how many pieces start per turn, so keep each
// piece small (one start's synchronous part is ~0.1 ms tiny, ~2-3 ms at the maximum size).

/** Default share of a turn: small against the 50 ms the issue allows, large against a tiny start. */
export const DEFAULT_TURN_BUDGET_MS = 5;

export class LoopBudget {
  private readonly waiters: Array<() => void> = [];
  /** When this turn's share began; undefined when no share is open. */
  private openedAt: number | undefined;

  constructor(private readonly budgetMs = DEFAULT_TURN_BUDGET_MS) {}

  /** undefined: go on now (synchronously, no extra hop); a promise: wait for it, then go on. */
  take(): Promise<void> | undefined {
    const now = performance.now();
    if (this.openedAt === undefined) {
      this.open(now);
      return undefined;
    }
    // Those already waiting go first (order kept), whatever is left of the share.
    if (this.waiters.length === 0 && now - this.openedAt < this.budgetMs) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Pieces waiting for a later turn (for tests and metrics). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Opens a share that ends in this turn's check phase (setImmediate runs after poll and I/O). */
  private open(now: number): void {
    this.openedAt = now;
    setImmediate(() => this.nextTurn());
  }

  private nextTurn(): void {
    this.openedAt = undefined;
    if (this.waiters.length === 0) return;
    // An immediate scheduled now runs in the next turn's check phase: this share lasts until then.
    this.open(performance.now());
    this.release();
  }

  /**
   * Lets one waiter go on; once its synchronous part has run (the microtask queued after its
   * continuation), the next, while the share lasts. The rest go on in later turns.
   */
  private release(): void {
    const next = this.waiters.shift();
    if (!next) return;
    next();
    queueMicrotask(() => {
      if (this.openedAt !== undefined && performance.now() - this.openedAt < this.budgetMs) this.release();
    });
  }
}
