// The heartbeat pace alone, on a clock that is a plain number: what goes now, what waits and for
// how long; and, through a small harness that plays the reporter's loop (write the pages, wake up
// when told), that a burst never trips the scheduler's own per-stream limits.
import { describe, expect, it } from '@jest/globals';
import { HEARTBEAT_STREAM_LIMITS, REGISTRY_PAGE, TokenBucket } from '@mo/api';
import { HeartbeatPacer, type HeartbeatPaceLimits } from './pace.js';

/** Items are their own size in bytes. */
const size = (n: number) => n;
const ones = (n: number) => Array.from({ length: n }, () => 1);

/** A small pace: 2 messages/s (burst 2), 10 changes/s (burst 10), pages of 4 entries or 100 bytes. */
const SMALL: HeartbeatPaceLimits = {
  pace: { messages: { ratePerSecond: 2, burst: 2 }, changes: { ratePerSecond: 10, burst: 10 } },
  page: { maxEntries: 4, maxBytes: 100 },
};

describe('HeartbeatPacer.plan', () => {
  it('sends nothing and waits for nothing when nothing is pending and no heartbeat is due', () => {
    const p = new HeartbeatPacer(0, size, SMALL);
    expect(p.plan([], false, 0)).toEqual({ pages: [], rest: [], retryInMs: undefined });
  });

  it('always sends the heartbeat, with no changes when none are pending', () => {
    const p = new HeartbeatPacer(0, size, SMALL);
    expect(p.plan([], true, 0)).toEqual({ pages: [[]], rest: [], retryInMs: undefined });
  });

  it('pages pending changes, the first page with the heartbeat, until the message budget is spent', () => {
    const p = new HeartbeatPacer(0, size, SMALL);
    const plan = p.plan(ones(10), true, 0);
    expect(plan.pages.map((x) => x.length)).toEqual([4, 4]);
    expect(plan.rest).toHaveLength(2);
    // 2 messages/s: the next one in half a second.
    expect(plan.retryInMs).toBe(500);
  });

  it('keeps the order of the changes across pages and later plans', () => {
    const p = new HeartbeatPacer(0, size, SMALL);
    const items = Array.from({ length: 10 }, (_, i) => i + 1);
    const first = p.plan(items, false, 0);
    const second = p.plan(first.rest, false, first.retryInMs!);
    expect([...first.pages.flat(), ...second.pages.flat(), ...second.rest]).toEqual(items);
  });

  it('stops a page at its byte budget', () => {
    const p = new HeartbeatPacer(0, size, SMALL);
    expect(p.plan([60, 30, 20], false, 0).pages).toEqual([[60, 30], [20]]);
  });

  it('waits for the change budget to hold a full page, or all that is pending if less', () => {
    const limits = { ...SMALL, pace: { ...SMALL.pace, messages: { ratePerSecond: 100, burst: 100 } } };
    const p = new HeartbeatPacer(0, size, limits);
    const plan = p.plan(ones(13), false, 0);
    expect(plan.pages.map((x) => x.length)).toEqual([4, 4, 2]);
    // No change left in the budget: the next page of 3 needs 3 changes at 10/s.
    expect(plan).toMatchObject({ rest: ones(3), retryInMs: 300 });
    expect(p.plan(plan.rest, false, 299).pages.flat()).toHaveLength(2);
  });

  it('sends the heartbeat even with both budgets spent, carrying no changes', () => {
    const p = new HeartbeatPacer(0, size, { ...SMALL, page: { maxEntries: 10, maxBytes: 100 } });
    p.plan(ones(10), true, 0);
    p.plan([], true, 0);
    const plan = p.plan(ones(3), true, 1);
    expect(plan.pages).toEqual([[]]);
    expect(plan.rest).toEqual(ones(3));
    expect(plan.retryInMs).toBe(499);
  });

  it('never asks to wait less than 1 ms', () => {
    const limits = { ...SMALL, pace: { messages: { ratePerSecond: 1000, burst: 1 }, changes: SMALL.pace.changes } };
    const p = new HeartbeatPacer(0, size, limits);
    expect(p.plan(ones(8), false, 0).retryInMs).toBe(1);
  });

  it('starts full: a new stream (a new pacer) is not held back by the last one', () => {
    new HeartbeatPacer(0, size, SMALL).plan(ones(10), false, 0);
    expect(new HeartbeatPacer(0, size, SMALL).plan(ones(8), false, 0).pages).toHaveLength(2);
  });
});

/**
 * Plays the reporter over a stream with the real limits: every `beatMs` a heartbeat, changes as
 * they come, a deferred flush when the plan says so; the scheduler's buckets check each message.
 */
function playStream(arrivals: Array<{ atMs: number; count: number }>, beatMs: number, untilMs: number) {
  const pacer = new HeartbeatPacer<number>(0, () => 100);
  const scheduler = {
    messages: new TokenBucket(HEARTBEAT_STREAM_LIMITS.messages, 0),
    changes: new TokenBucket(HEARTBEAT_STREAM_LIMITS.changes, 0),
  };
  let pending: number[] = [];
  let deferredAt: number | undefined;
  let nextBeat = 0;
  let sent = 0;
  let refused = 0;
  let maxPage = 0;
  const run = (head: boolean, now: number) => {
    const plan = pacer.plan(pending, head, now);
    pending = plan.rest;
    for (const page of plan.pages) {
      if (!scheduler.messages.take(now) || !scheduler.changes.take(now, page.length)) refused++;
      sent += page.length;
      maxPage = Math.max(maxPage, page.length);
    }
    if (plan.retryInMs !== undefined) deferredAt ??= now + plan.retryInMs;
  };
  const arriving = new Map(arrivals.map((a) => [a.atMs, a.count]));
  for (let now = 0; now <= untilMs; now++) {
    const count = arriving.get(now);
    if (count !== undefined) pending.push(...ones(count));
    if (now === nextBeat) {
      run(true, now);
      nextBeat += beatMs;
    }
    if (deferredAt !== undefined && now >= deferredAt) {
      deferredAt = undefined;
      run(false, now);
    }
    // A change coalesced into the tick's flush, unless a deferred flush will take it.
    if (count !== undefined && deferredAt === undefined) run(false, now);
  }
  return { sent, refused, pending: pending.length, maxPage };
}

describe('the pace against the scheduler’s per-stream limits', () => {
  it('sends a burst of 100,000 changes in pages, none refused, all sent within 10 s', () => {
    const out = playStream([{ atMs: 10, count: 100_000 }], 1000, 10_000);
    expect(out).toEqual({ sent: 100_000, refused: 0, pending: 0, maxPage: REGISTRY_PAGE.maxEntries });
  });

  it('sends a steady 5,000 changes/s as they come, none refused', () => {
    const arrivals = Array.from({ length: 500 }, (_, i) => ({ atMs: 1 + i * 30, count: 150 }));
    const out = playStream(arrivals, 100, 15_000);
    expect(out).toMatchObject({ sent: 75_000, refused: 0, pending: 0 });
  });
});
