import { describe, expect, it } from '@jest/globals';
import { decideRestart, DEFAULT_RESTART_POLICY, formatMs, type RestartDecision } from './restart-policy.js';

const policy = { windowMs: 60_000, maxDeaths: 5, baseDelayMs: 500, maxDelayMs: 1500 };

/** Feeds deaths at the given times through decideRestart, carrying the history along. */
function run(times: number[], p = policy): RestartDecision[] {
  let deaths: number[] = [];
  return times.map((t) => {
    const d = decideRestart(deaths, t, p);
    deaths = d.deaths;
    return d;
  });
}

describe('decideRestart', () => {
  it('restarts the first death at once, then with a doubling delay up to the cap', () => {
    const ds = run([1000, 2000, 3000, 4000]);
    expect(ds.map((d) => (d.action === 'restart' ? d.delayMs : d.action))).toEqual([0, 500, 1000, 1500]);
  });

  it('gives up at the max-th death within the window, saying how many and how long', () => {
    const last = run([1000, 2000, 3000, 4000, 5000]).at(-1);
    expect(last).toEqual({
      action: 'give-up',
      reason: 'died 5 times within 60 s',
      deaths: [1000, 2000, 3000, 4000, 5000],
    });
  });

  it('forgets deaths older than the window: a daemon that ran for a while restarts at once', () => {
    // At 61.5 s only the deaths at 2 s and 3 s are within the minute: the 3rd, so 1 s.
    expect(run([0, 1000, 2000, 3000, 61_500]).at(-1)).toEqual({
      action: 'restart',
      delayMs: 1000,
      deaths: [2000, 3000, 61_500],
    });
    expect(run([0, 1000, 2000, 3000, 200_000]).at(-1)).toEqual({ action: 'restart', delayMs: 0, deaths: [200_000] });
  });

  it('by default gives up on the 5th death within a minute, after restarts 0, 0.5, 1 and 2 s apart', () => {
    const ds = run([0, 1, 2, 3, 4], DEFAULT_RESTART_POLICY);
    expect(ds.map((d) => (d.action === 'restart' ? d.delayMs : d.action))).toEqual([0, 500, 1000, 2000, 'give-up']);
  });
});

describe('formatMs', () => {
  it.each([
    [0, '0 ms'],
    [500, '500 ms'],
    [1000, '1 s'],
    [1500, '1.5 s'],
    [60_000, '60 s'],
  ])('%d → %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
