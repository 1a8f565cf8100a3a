// The bound on a `--wait` / `mo wait`: an abort signal that fires when the time is up (held: a wait
// keeps the CLI alive), and whether that is why it fired. No limit when timeoutMs is undefined.
import { after } from '@mo/api/timers';

export interface WaitLimit {
  readonly signal: AbortSignal;
  /** True once the limit passed (not when `cancel` or another abort ended the wait). */
  timedOut(): boolean;
  /** Ends the wait: the timer is dropped and the signal aborted (idempotent). */
  cancel(): void;
}

export function waitLimit(timeoutMs: number | undefined): WaitLimit {
  const abort = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : after(
          timeoutMs,
          () => {
            timedOut = true;
            abort.abort();
          },
          { ref: true },
        );
  return {
    signal: abort.signal,
    timedOut: () => timedOut,
    cancel: () => {
      timer?.cancel();
      abort.abort();
    },
  };
}
