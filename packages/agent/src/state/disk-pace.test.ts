// DiskPace: background disk work stays on the event loop until pieces are slow several in a row,
// then goes to the thread pool for the cool-down. A fake clock: each piece advances it by its length.
import { describe, expect, it } from '@jest/globals';
import { COOL_MS, DiskPace, SLOW_MS, SLOW_RUN } from './disk-pace.js';

function paced(...args: [slowMs?: number, coolMs?: number, runLength?: number]) {
  let now = 0;
  const pace = new DiskPace(args[0], args[1], args[2], () => now);
  return {
    pace,
    at: (t: number) => ((now = t), pace.inPlace()),
    /** A piece that starts at t and takes ms. */
    piece: (t: number, ms: number) => {
      now = t;
      pace.run(() => (now += ms));
    },
  };
}

describe('DiskPace', () => {
  it('keeps work in place while pieces are fast, and sends it away for the cool-down after a slow run', () => {
    const { at, piece } = paced();
    expect(at(0)).toBe(true);
    piece(0, SLOW_MS); // at the bound: still fast
    expect(at(10)).toBe(true);
    for (let i = 1; i < SLOW_RUN; i++) {
      piece(10 * i, SLOW_MS + 0.1);
      expect(at(10 * i + 5)).toBe(true); // not yet a run
    }
    piece(100 - SLOW_MS - 0.1, SLOW_MS + 0.1); // ends at 100
    expect(at(100)).toBe(false);
    expect(at(100 + COOL_MS - 1)).toBe(false);
    expect(at(100 + COOL_MS)).toBe(true);
  });

  it('a fast piece breaks a run: sporadic slow pieces (a busy CPU) keep the work in place', () => {
    const { at, piece } = paced(5, 1000, 3);
    for (let t = 0; t < 3000; t += 300) {
      piece(t, 40);
      piece(t + 100, 40);
      piece(t + 200, 1);
    }
    expect(at(3000)).toBe(true);
  });

  it('counts a piece that throws, and counts the next run afresh after a cool-down begins', () => {
    const { pace, at, piece } = paced(5, 1000, 2);
    piece(0, 6);
    at(6);
    expect(() =>
      pace.run(() => {
        at(12); // the clock moves as the failing piece runs
        throw new Error('EIO');
      }),
    ).toThrow('EIO');
    expect(at(12)).toBe(false); // the failed piece was slow too: a run of 2
    piece(900, 6); // a piece already under way when the run was timed: one of a new run
    expect(at(1012)).toBe(true);
    piece(1012, 50); // the second in a row: another cool-down, from its end
    expect(at(2061)).toBe(false);
    expect(at(2062)).toBe(true);
  });
});
