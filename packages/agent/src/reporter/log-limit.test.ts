import { describe, expect, it } from '@jest/globals';
import { LogLimiter } from './log-limit.js';

describe('LogLimiter', () => {
  it('logs a kind of failure once per period, then says how many were held back', () => {
    const l = new LogLimiter(60_000);
    expect(l.check('RESOURCE_EXHAUSTED', 0)).toEqual({ log: true, suppressed: 0 });
    expect(l.check('RESOURCE_EXHAUSTED', 1000)).toEqual({ log: false });
    expect(l.check('RESOURCE_EXHAUSTED', 59_999)).toEqual({ log: false });
    expect(l.check('UNAVAILABLE', 2000)).toEqual({ log: true, suppressed: 0 });
    expect(l.check('RESOURCE_EXHAUSTED', 60_000)).toEqual({ log: true, suppressed: 2 });
  });

  it('logs again at once after a reset', () => {
    const l = new LogLimiter(60_000);
    l.check('x', 0);
    l.reset();
    expect(l.check('x', 1)).toEqual({ log: true, suppressed: 0 });
  });

  it('keeps a bounded number of kinds', () => {
    const l = new LogLimiter(60_000, 2);
    l.check('a', 0);
    l.check('b', 0);
    l.check('c', 0);
    expect(l.check('a', 1)).toEqual({ log: true, suppressed: 0 });
  });
});
