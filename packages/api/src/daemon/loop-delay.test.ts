import { describe, expect, it } from '@jest/globals';
import { setTimeout as wait } from 'node:timers/promises';
import { EventLoopDelay, noteActivity } from './loop-delay.js';

/** Holds the event loop (synchronous work) for `ms`. */
function hold(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('EventLoopDelay', () => {
  it('sees a blocked event loop in its max, and starts a new window after each snapshot', async () => {
    const d = new EventLoopDelay();
    try {
      await wait(30);
      const busyUntil = performance.now() + 150;
      while (performance.now() < busyUntil); // the loop is held for 150 ms
      await wait(30);
      const blocked = d.snapshot();
      expect(blocked.max).toBeGreaterThanOrEqual(0.1);
      expect(blocked.p50).toBeLessThanOrEqual(blocked.max);
      await wait(30);
      const after = d.snapshot();
      expect(after.max).toBeLessThan(blocked.max);
    } finally {
      d.close();
    }
  });

  it('sees a block in a later turn before the sampler has ticked, when a timer due earlier ran first', async () => {
    setTimeout(() => undefined, 1); // a JS timer due before the sampler's first tick
    const d = new EventLoopDelay();
    try {
      const waited = wait(30);
      hold(40); // this process kept off a core (CI's load): all of them are due at the next turn
      await waited; // runs with the early timer, before the sampler's first tick
      hold(150);
      await wait(30);
      await wait(30);
      expect(d.snapshot().max).toBeGreaterThanOrEqual(0.1);
    } finally {
      d.close();
    }
  });

  it('parks after quiet checks in a row (no timer while idle), reads 0 parked, and activity arms it again', async () => {
    // Any utilization under 0.9 counts as quiet here, so the test's own loop never keeps it armed.
    const d = new EventLoopDelay({ checkMs: 20, quietUtilization: 0.9, quietChecks: 2 });
    try {
      expect(d.armed).toBe(true);
      await wait(150);
      expect(d.armed).toBe(false);
      d.snapshot();
      const busyUntil = performance.now() + 60;
      while (performance.now() < busyUntil); // parked: not measured
      await wait(30);
      expect(d.snapshot()).toEqual({ p50: 0, p99: 0, max: 0 });
      noteActivity(); // a call arrives, then blocks the loop
      expect(d.armed).toBe(true);
      const heldUntil = performance.now() + 80;
      while (performance.now() < heldUntil);
      await wait(30);
      expect(d.snapshot().max).toBeGreaterThanOrEqual(0.05);
    } finally {
      d.close();
    }
  });

  it('a sampler made parked waits for activity', () => {
    const d = new EventLoopDelay({ armed: false });
    try {
      expect(d.armed).toBe(false);
      noteActivity();
      expect(d.armed).toBe(true);
    } finally {
      d.close();
    }
  });
});
