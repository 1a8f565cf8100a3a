// How the agent paces its heartbeat stream: which pending state changes go in the messages it may
// write now, and when the rest may follow, given its own pace (HEARTBEAT_AGENT_PACE, half the
// scheduler's per-stream limits) and what it sent on this stream so far. Decides only: the time is
// passed in (a plain number in tests), and the reporter writes the pages and arms the one timer.
import { HEARTBEAT_AGENT_PACE, REGISTRY_PAGE, TokenBucket, type RateLimit } from '@mo/api';
import { takePage, type PageLimits } from './pages.js';

/** What to do with the pending changes now. */
export interface HeartbeatPlan<T> {
  /** The messages to write now, in order, as each one's changes (the head goes with the first). */
  pages: T[][];
  /** The changes still pending after them, in order. */
  rest: T[];
  /** Ms from now (at least 1) when the pace allows the next page of `rest`; undefined if none is left. */
  retryInMs: number | undefined;
}

export interface HeartbeatPaceLimits {
  pace: { messages: RateLimit; changes: RateLimit };
  page: PageLimits;
}

/** The pace of one heartbeat stream: a new stream starts with a fresh one (full budgets). */
export class HeartbeatPacer<T> {
  private readonly messages: TokenBucket;
  private readonly changes: TokenBucket;

  constructor(
    nowMs: number,
    private readonly sizeOf: (item: T) => number,
    private readonly limits: HeartbeatPaceLimits = { pace: HEARTBEAT_AGENT_PACE, page: REGISTRY_PAGE },
  ) {
    this.messages = new TokenBucket(limits.pace.messages, nowMs);
    this.changes = new TokenBucket(limits.pace.changes, nowMs);
  }

  /**
   * The messages to write at `nowMs`. With `head` (the stream's first message, or the interval's
   * heartbeat) one message goes whatever the pace, since it keeps the node alive, carrying as many
   * changes as the change budget and one page allow; then further pages of changes while both
   * budgets allow. Takes from the budgets what it plans: write every page it returns.
   */
  plan(pending: readonly T[], head: boolean, nowMs: number): HeartbeatPlan<T> {
    const { page: pageLimits } = this.limits;
    const pages: T[][] = [];
    let rest = pending.slice();
    let withHead = head;
    for (;;) {
      if (!withHead) {
        if (rest.length === 0) return { pages, rest, retryInMs: undefined };
        const wait = this.messages.waitMs(nowMs);
        if (wait > 0) return { pages, rest, retryInMs: Math.max(1, wait) };
      }
      const allowed = Math.min(pageLimits.maxEntries, Math.floor(this.changes.available(nowMs)));
      const next = takePage(rest, { ...pageLimits, maxEntries: allowed }, this.sizeOf);
      if (!withHead && next.page.length === 0) {
        const wait = this.changes.waitMs(nowMs, Math.min(rest.length, pageLimits.maxEntries));
        return { pages, rest, retryInMs: Math.max(1, wait) };
      }
      // A head sent over the message budget takes nothing from it (it has nothing to take).
      this.messages.take(nowMs);
      this.changes.take(nowMs, next.page.length);
      pages.push(next.page);
      rest = next.rest;
      withHead = false;
    }
  }
}
