// grpc-timeout values stay within the grammar's 8 digits at every unit boundary.
import { describe, expect, it } from '@jest/globals';
import { grpcTimeoutHeader } from './timeout.js';

const HOUR = 3_600_000;

describe('grpcTimeoutHeader', () => {
  it.each([
    [0, '1m'],
    [-5, '1m'],
    [0.2, '1m'],
    [1, '1m'],
    [1500.5, '1501m'],
    [99_999_999, '99999999m'], // 27.7 h: the last value in milliseconds
    [100_000_000, '100000S'], // one more digit would be needed: seconds
    [100_000_001, '100001S'], // rounded up, never down
    [26 * 24 * HOUR, '2246400S'], // a 26-day deadline
    [99_999_999_000, '99999999S'], // 3.2 years: the last value in seconds
    [99_999_999_001, '1666667M'],
    [99_999_999 * 60_000, '99999999M'],
    [99_999_999 * 60_000 + 1, '1666667H'],
    [99_999_999 * HOUR, '99999999H'],
    [99_999_999 * HOUR + 1, '99999999H'], // beyond the grammar: the largest value it allows
    [Number.MAX_SAFE_INTEGER, '99999999H'],
    [Infinity, '99999999H'],
  ])('%d ms → %s', (ms, header) => {
    expect(grpcTimeoutHeader(ms)).toBe(header);
  });

  it('always writes 1 to 8 digits and a unit, whatever the deadline', () => {
    for (let ms = 1; ms < Number.MAX_SAFE_INTEGER; ms = ms * 3 + 7) {
      expect(grpcTimeoutHeader(ms)).toMatch(/^[1-9]\d{0,7}[mSMH]$/);
    }
  });

  it('refuses NaN, naming the header', () => {
    expect(() => grpcTimeoutHeader(NaN)).toThrow(/^grpc-timeout: /);
  });
});
