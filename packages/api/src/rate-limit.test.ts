import { describe, expect, it } from '@jest/globals';
import { KeyedRateLimiter, TokenBucket, checkRateLimit } from './rate-limit.js';

describe('TokenBucket', () => {
  it('passes a full burst at once, then refuses until tokens refill at the rate', () => {
    const b = new TokenBucket({ ratePerSecond: 10, burst: 20 }, 0);
    for (let i = 0; i < 20; i++) expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(99)).toBe(false); // 0.99 tokens
    expect(b.take(100)).toBe(true); // 1 token after 100 ms
    expect(b.take(100)).toBe(false);
  });

  it('never holds more than the burst, however long it was quiet', () => {
    const b = new TokenBucket({ ratePerSecond: 10, burst: 5 }, 0);
    expect(b.available(3_600_000)).toBe(5);
  });

  it('takes a cost of several tokens, or none of them', () => {
    const b = new TokenBucket({ ratePerSecond: 100, burst: 100 }, 0);
    expect(b.take(0, 60)).toBe(true);
    expect(b.take(0, 60)).toBe(false);
    expect(b.available(0)).toBe(40);
    expect(b.take(200, 60)).toBe(true); // 40 + 20 refilled
  });

  it.each([
    [0, 1, 100],
    [5, 1, 0],
    [0, 10, 1000],
    [0, 21, Infinity],
  ])('with %d tokens, waiting for %d takes %d ms (rate 10/s, burst 20)', (tokens, cost, wait) => {
    const b = new TokenBucket({ ratePerSecond: 10, burst: 20 }, 0);
    b.take(0, 20 - tokens);
    expect(b.waitMs(0, cost)).toBe(wait);
  });

  it('adds nothing when the clock steps back', () => {
    const b = new TokenBucket({ ratePerSecond: 10, burst: 1 }, 1000);
    expect(b.take(1000)).toBe(true);
    expect(b.take(500)).toBe(false);
    expect(b.take(1099)).toBe(false);
    expect(b.take(1100)).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps one bucket per key', () => {
    const l = new KeyedRateLimiter({ ratePerSecond: 1, burst: 2 });
    expect([l.take('a', 0), l.take('a', 0), l.take('a', 0)]).toEqual([true, true, false]);
    expect(l.take('b', 0)).toBe(true);
  });

  it('forgets full buckets when the table is full, and refuses new keys while none is', () => {
    const l = new KeyedRateLimiter({ ratePerSecond: 1, burst: 1 }, 2);
    expect(l.take('a', 0)).toBe(true);
    expect(l.take('b', 0)).toBe(true);
    expect(l.take('c', 0)).toBe(false); // a and b still empty: nothing to forget
    expect(l.take('c', 1000)).toBe(true); // a and b refilled and forgotten
    expect(l.size).toBe(1);
  });
});

describe('checkRateLimit', () => {
  it.each([
    [{ ratePerSecond: 0, burst: 1 }, /rate must be a positive number/],
    [{ ratePerSecond: NaN, burst: 1 }, /rate must be a positive number/],
    [{ ratePerSecond: 1, burst: 0.5 }, /burst must be at least 1/],
    [{ ratePerSecond: 1, burst: Infinity }, /burst must be at least 1/],
  ])('refuses %j', (limit, msg) => {
    expect(() => checkRateLimit(limit, 'x')).toThrow(msg);
  });
});
