// When a wait's Watch stream breaks, whether and when to open it again. A leader failover (issue 18)
// closes every stream to the old leader ("connection lost"), the new leader numbers its events
// anew (a resume by sequence number is OUT_OF_RANGE there), and a reader that fell behind is cut off
// (RESOURCE_EXHAUSTED): each is worth a new stream, opened where the client finds the leader,
// after which the wait relists what it waits for (a new snapshot, a new list, or a get of each),
// so no end is missed. Anything else is an answer (a refused token, an unknown id) and ends the wait.
// Imports only @mo/api's light modules: the CLI's fast path bundles this.
import { MoError } from '@mo/api/errors';
import { sleep } from '@mo/api/timers';

/** Failed or closed streams in a row before the wait gives up (their pauses add up to ~11 s). */
export const REOPENS_IN_A_ROW = 8;
const FIRST_PAUSE_MS = 200;
const MAX_PAUSE_MS = 2000;

/** gRPC codes after which a wait opens its watch again. */
const REOPEN_CODES = new Set([
  14, // UNAVAILABLE: the scheduler went away, a follower's refusal, no leader yet
  8, // RESOURCE_EXHAUSTED: cut off as a slow reader
  11, // OUT_OF_RANGE: a resume the (new) scheduler cannot serve
  4, // DEADLINE_EXCEEDED: an open that found no leader in time
]);

export function reopenable(err: unknown): boolean {
  return err instanceof MoError && REOPEN_CODES.has(err.code);
}

/** A stream that lasted this long worked: its end starts the count afresh. */
const LIVED_MS = 10_000;

export class WatchReopens {
  private inARow = 0;
  private openedAt = 0;

  /** `firstPauseMs`: the first pause, doubling to 10 times it (tests shorten it). */
  constructor(private readonly firstPauseMs = FIRST_PAUSE_MS) {}

  /** A stream is being opened now. */
  opened(): void {
    this.openedAt = performance.now();
  }

  /**
   * After a stream failed with `err` (undefined: it ended cleanly): pauses before the next open, or
   * throws: `err` when it is an answer, or after REOPENS_IN_A_ROW failures in a row. Resolves at
   * once when `signal` aborts (the caller checks it).
   */
  async after(err: unknown, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (err !== undefined && !reopenable(err)) throw err;
    if (performance.now() - this.openedAt >= LIVED_MS) this.inARow = 0;
    if (++this.inARow > REOPENS_IN_A_ROW) {
      if (err !== undefined) throw err;
      throw new Error(`the scheduler kept closing the watch (${REOPENS_IN_A_ROW} times in a row)`);
    }
    const pause = Math.min(
      this.firstPauseMs * (MAX_PAUSE_MS / FIRST_PAUSE_MS),
      this.firstPauseMs * 2 ** (this.inARow - 1),
    );
    await sleep(pause, signal, { ref: true });
  }
}
