// A clock for the harness: time moves only when the test says so, timers fire in due order as it
// passes, and "soon" work (a tick's batched starts, placement passes) runs when the test settles.
// No sleeps: a workload's 5-minute backoff or a node's 30-second lost_after takes no real time.
import type { Timer } from '@mo/api';
import type { Clock } from '../workloads/clock.js';

interface Armed {
  atMs: number;
  fn: () => void;
  /** The delay it was armed with (refresh starts it over). */
  delayMs: number;
  repeat: boolean;
}

/** Turns of the real event loop settle() allows before it calls the system busy (a livelock). */
const MAX_SETTLE_TURNS = 10_000;

export class FakeClock implements Clock {
  private nowMs: number;
  private readonly timers: Armed[] = [];
  private deferred: Array<() => void> = [];

  constructor(startMs = Date.UTC(2030, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): Timer {
    return this.arm({ atMs: 0, fn, delayMs: Math.max(0, ms || 0), repeat: false });
  }

  every(ms: number, fn: () => void): Timer {
    return this.arm({ atMs: 0, fn, delayMs: Math.max(1, ms || 0), repeat: true });
  }

  soon(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Timers armed and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer is due (Infinity: none). */
  nextTimerAtMs(): number {
    return this.timers[0]?.atMs ?? Infinity;
  }

  /**
   * Runs the "soon" work and lets the promises it starts (store commits, fake agent answers)
   * resolve, until nothing is left to do at this instant. Time does not move.
   */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < MAX_SETTLE_TURNS; turn++) {
      const work = this.deferred;
      this.deferred = [];
      for (const fn of work) fn();
      // One turn of the real loop: every promise callback queued so far runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (work.length === 0 && this.deferred.length === 0) {
        if (++quiet >= 3) return;
      } else {
        quiet = 0;
      }
    }
    throw new Error(`FakeClock.settle: still busy after ${MAX_SETTLE_TURNS} turns (a loop of soon() work?)`);
  }

  /** Moves time forward by `ms`, firing each timer at its due time, in order, settling after each. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.nowMs + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    await this.settle();
    for (let t = this.timers[0]; t && t.atMs <= targetMs; t = this.timers[0]) {
      this.timers.shift();
      this.nowMs = Math.max(this.nowMs, t.atMs);
      if (t.repeat) this.insert(t, t.atMs + t.delayMs);
      t.fn();
      await this.settle();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
    await this.settle();
  }

  private arm(t: Armed): Timer {
    this.insert(t, this.nowMs + t.delayMs);
    return {
      cancel: () => this.remove(t),
      refresh: () => {
        this.remove(t);
        this.insert(t, this.nowMs + t.delayMs);
      },
    };
  }

  /** Keeps the timers sorted by due time, then by arming order. */
  private insert(t: Armed, atMs: number): void {
    t.atMs = atMs;
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.atMs > atMs) i--;
    this.timers.splice(i, 0, t);
  }

  private remove(t: Armed): void {
    const k = this.timers.indexOf(t);
    if (k >= 0) this.timers.splice(k, 1);
  }
}
