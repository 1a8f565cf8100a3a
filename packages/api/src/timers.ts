// The one way mo arms a timer. Node fires a timer whose delay is above 2^31-1 ms (24.8 days) after
// 1 ms, with only a warning (a 26-day workload timeout killed the workload at once); grpc-js
// documents the same limit in its deadline.ts. These helpers clamp a delay to [0, that limit] and,
// for a longer one, re-arm until the whole delay has passed. Timers are unref'd by default: a timer
// alone never keeps a daemon (or a CLI) alive; pass { ref: true } for one that must.

/** The longest delay Node's setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimerOptions {
  /** Keep the process alive while armed (default false). */
  ref?: boolean;
}

/** A timer from `after` or `every`; cancel() is idempotent. */
export interface Timer {
  cancel(): void;
  /**
   * `after`: starts the same delay over from now (armed again if it had fired or was cancelled);
   * cheap enough for a hot path (Node's own refresh for delays within its limit).
   */
  refresh(): void;
}

/** Calls `fn` once, `ms` from now (any delay: negative and NaN mean now; beyond 24.8 days is honoured). */
export function after(ms: number, fn: () => void, options: TimerOptions = {}): Timer {
  let handle: NodeJS.Timeout | undefined;
  let cancelled = false;
  const delay = clampDelay(ms, Number.MAX_SAFE_INTEGER);
  // Monotonic: a wall-clock step must not stretch or cut a delay.
  let due = performance.now() + delay;
  let fired = false;
  const arm = () => {
    handle = setTimeout(
      () => {
        if (cancelled) return;
        if (due - performance.now() >= 1) return arm();
        fired = true;
        fn();
      },
      clampDelay(due - performance.now()),
    );
    if (!options.ref) handle.unref();
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      if (handle) clearTimeout(handle);
    },
    refresh() {
      due = performance.now() + delay;
      if (!cancelled && !fired && delay <= MAX_TIMER_MS) {
        handle!.refresh();
        return;
      }
      if (handle) clearTimeout(handle);
      cancelled = fired = false;
      arm();
    },
  };
}

/** Calls `fn` every `ms` (clamped to [1 ms, MAX_TIMER_MS]) until cancelled. */
export function every(ms: number, fn: () => void, options: TimerOptions = {}): Timer {
  const handle = setInterval(fn, Math.max(1, clampDelay(ms, MAX_TIMER_MS)));
  if (!options.ref) handle.unref();
  return { cancel: () => clearInterval(handle), refresh: () => void handle.refresh() };
}

/** How late a stall timer may fire before this process, not the peer, is taken to have been slow. */
export const STALL_TIMER_LATE_MS = 100;

/**
 * A watchdog: calls `fn` once nothing has refreshed it for `ms`. Timers run before the loop polls
 * for I/O, so one that fires late (this process was held up: a long turn, a GC, no CPU) may be
 * ahead of the very progress that would have refreshed it, still queued behind it. Such a timer
 * gives the peer one more `ms` rather than blame it for our delay; on time, it fires.
 */
export function stallTimer(ms: number, fn: () => void, options: TimerOptions = {}): Timer {
  let due = performance.now() + ms;
  let graced = false;
  const timer = after(
    ms,
    () => {
      if (!graced && performance.now() - due > STALL_TIMER_LATE_MS) {
        graced = true;
        due = performance.now() + ms;
        return timer.refresh();
      }
      fn();
    },
    options,
  );
  return {
    cancel: () => timer.cancel(),
    refresh() {
      due = performance.now() + ms;
      graced = false;
      timer.refresh();
    },
  };
}

/** Resolves after `ms` (see `after`), or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal, options: TimerOptions = {}): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = after(ms, done, options);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A delay as Node can take it: a finite number within [0, max]. */
export function clampDelay(ms: number, max = MAX_TIMER_MS): number {
  if (!(ms > 0)) return 0;
  return Math.min(Math.ceil(ms), max);
}
