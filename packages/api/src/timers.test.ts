import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { after, clampDelay, every, MAX_TIMER_MS, sleep, STALL_TIMER_LATE_MS, stallTimer } from './timers.js';

const DAY = 24 * 60 * 60 * 1000;

describe('timers', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('keeps a 26-day delay (Node alone fires it after 1 ms)', () => {
    const fired = jest.fn();
    after(26 * DAY, fired);
    jest.advanceTimersByTime(5000);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(26 * DAY - 5001);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('treats negative, NaN and tiny delays as now, and cancels idempotently', () => {
    const fired = jest.fn();
    after(-5, fired);
    after(Number.NaN, fired);
    const t = after(10, fired);
    t.cancel();
    t.cancel();
    jest.advanceTimersByTime(20);
    expect(fired).toHaveBeenCalledTimes(2);
  });

  it('cancels a long timer between its steps', () => {
    const fired = jest.fn();
    const t = after(60 * DAY, fired);
    jest.advanceTimersByTime(30 * DAY);
    t.cancel();
    jest.advanceTimersByTime(31 * DAY);
    expect(fired).not.toHaveBeenCalled();
  });

  it('refresh() starts the delay over, and re-arms a timer that fired', () => {
    const fired = jest.fn();
    const t = after(100, fired);
    jest.advanceTimersByTime(80);
    t.refresh();
    jest.advanceTimersByTime(80);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(20);
    expect(fired).toHaveBeenCalledTimes(1);
    t.refresh();
    jest.advanceTimersByTime(100);
    expect(fired).toHaveBeenCalledTimes(2);
  });

  it('repeats with every(), clamped to at least 1 ms', () => {
    const fired = jest.fn();
    const t = every(0, fired);
    jest.advanceTimersByTime(3);
    t.cancel();
    jest.advanceTimersByTime(10);
    expect(fired).toHaveBeenCalledTimes(3);
  });

  it('sleeps, and wakes early on abort', async () => {
    const ac = new AbortController();
    const done = jest.fn();
    void sleep(40 * DAY, ac.signal).then(done);
    jest.advanceTimersByTime(MAX_TIMER_MS + 10);
    await Promise.resolve();
    expect(done).not.toHaveBeenCalled();
    ac.abort();
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toHaveBeenCalled();
  });

  it('clamps delays to what Node honours', () => {
    expect(clampDelay(-1)).toBe(0);
    expect(clampDelay(0.2)).toBe(1);
    expect(clampDelay(30 * DAY)).toBe(MAX_TIMER_MS);
    expect(clampDelay(Infinity)).toBe(MAX_TIMER_MS);
  });
});

describe('stallTimer (real timers: the loop is held up for real)', () => {
  const holdLoop = (ms: number) => {
    for (const end = performance.now() + ms; performance.now() < end;);
  };
  const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('fires once nothing refreshed it for its delay', async () => {
    const fired = jest.fn();
    const t = stallTimer(50, fired);
    await tick(30);
    t.refresh();
    await tick(30);
    expect(fired).not.toHaveBeenCalled();
    await tick(60);
    expect(fired).toHaveBeenCalledTimes(1);
    t.cancel();
  });

  it('late because this process was held up: one more delay, in which queued progress refreshes it', async () => {
    const fired = jest.fn();
    const t = stallTimer(50, fired);
    // The progress that happened during the hold (I/O the loop has not polled yet) runs after the
    // timer's late turn: here, as a callback queued behind it.
    holdLoop(50 + STALL_TIMER_LATE_MS + 100);
    setImmediate(() => t.refresh());
    await tick(30);
    expect(fired).not.toHaveBeenCalled();
    await tick(60);
    expect(fired).toHaveBeenCalledTimes(1); // nothing since: it fires
    t.cancel();
  });

  it('late twice in a row without progress: it fires the second time', async () => {
    const fired = jest.fn();
    const t = stallTimer(50, fired);
    holdLoop(50 + STALL_TIMER_LATE_MS + 100);
    await tick(0);
    expect(fired).not.toHaveBeenCalled();
    holdLoop(50 + STALL_TIMER_LATE_MS + 100);
    await tick(0);
    expect(fired).toHaveBeenCalledTimes(1);
    t.cancel();
  });
});
