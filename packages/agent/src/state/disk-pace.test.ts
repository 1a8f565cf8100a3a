// DiskPace: background disk work stays on the event loop until pieces are slow several in a row,
// then goes to the thread pool for the cool-down.
import { describe, expect, it } from '@jest/globals';
import { COOL_MS, DiskPace, SLOW_MS, SLOW_RUN } from './disk-pace.js';

describe('DiskPace', () => {
  it('keeps work in place while pieces are fast, and sends it away for the cool-down after a slow run', () => {
    const pace = new DiskPace();
    expect(pace.inPlace(0)).toBe(true);
    pace.took(SLOW_MS, 10); // at the bound: still fast
    expect(pace.inPlace(10)).toBe(true);
    for (let i = 1; i < SLOW_RUN; i++) {
      pace.took(SLOW_MS + 0.1, 10 + i);
      expect(pace.inPlace(10 + i)).toBe(true); // not yet a run
    }
    pace.took(SLOW_MS + 0.1, 100);
    expect(pace.inPlace(100)).toBe(false);
    expect(pace.inPlace(100 + COOL_MS - 1)).toBe(false);
    expect(pace.inPlace(100 + COOL_MS)).toBe(true);
  });

  it('a fast piece breaks a run: sporadic slow pieces (a busy CPU) keep the work in place', () => {
    const pace = new DiskPace(5, 1000, 3);
    for (let t = 0; t < 100; t += 3) {
      pace.took(40, t);
      pace.took(40, t + 1);
      pace.took(1, t + 2);
    }
    expect(pace.inPlace(100)).toBe(true);
  });

  it('counts the next run afresh after a cool-down begins', () => {
    const pace = new DiskPace(5, 1000, 2);
    pace.took(6, 0);
    pace.took(6, 0);
    expect(pace.inPlace(0)).toBe(false);
    pace.took(6, 900); // a piece already under way when the run was timed: one of a new run
    expect(pace.inPlace(1000)).toBe(true);
    pace.took(50, 1000); // the second in a row: another cool-down
    expect(pace.inPlace(1999)).toBe(false);
    expect(pace.inPlace(2000)).toBe(true);
  });
});
