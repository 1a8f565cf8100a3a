import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const spread = { initialMs: 1000, maxMs: 300_000, jitter: 'spread' } as const;
  it('doubles from the initial delay, ±20%, and stops at the max', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, spread, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(1, spread, () => 0)).toBe(800);
    expect(backoffDelay(1, spread, () => 0.999999)).toBe(1200);
    expect(backoffDelay(20, spread, () => 0.999999)).toBe(300_000);
    expect(backoffDelay(20, spread, () => 0)).toBe(240_000);
  });

  it('stays finite for any attempt number, and treats n < 1 as the first', () => {
    expect(backoffDelay(10_000, spread, () => 0.5)).toBe(300_000);
    expect(backoffDelay(0, spread, () => 0.5)).toBe(1000);
  });

  it('equal jitter: half fixed, half random', () => {
    const equal = { initialMs: 200, maxMs: 1000, jitter: 'equal' } as const;
    expect(backoffDelay(1, equal, () => 0)).toBe(100);
    expect(backoffDelay(1, equal, () => 0.999999)).toBe(200);
    expect(backoffDelay(3, equal, () => 0.5)).toBe(600);
    expect(backoffDelay(9, equal, () => 0)).toBe(500);
  });
});
