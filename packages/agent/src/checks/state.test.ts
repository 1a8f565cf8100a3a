// The check state machine on a clock that is a plain number: each case plays a sequence of results
// ('P' pass, 'F' fail) and reads the status after each, and where a restart was asked for.
import { describe, expect, it } from '@jest/globals';
import { initialState, onResult, overall, type CheckState, type CheckStatus } from './state.js';

const S = 's' as const; // starting
const H = 'h' as const; // healthy
const U = 'u' as const; // unhealthy
const NAMES: Record<string, CheckStatus> = { s: 'starting', h: 'healthy', u: 'unhealthy' };

interface Case {
  name: string;
  thresholds: { success: number; failure: number; restartAfter: number };
  results: string;
  /** The status after each result, one letter each. */
  statuses: string;
  /** The indexes of the results that asked for a restart. */
  restarts?: number[];
}

const CASES: Case[] = [
  {
    name: 'starting → healthy on the first pass with successThreshold 1',
    thresholds: { success: 1, failure: 3, restartAfter: 0 },
    results: 'P',
    statuses: H,
  },
  {
    name: 'starting → healthy only after successThreshold passes in a row',
    thresholds: { success: 3, failure: 3, restartAfter: 0 },
    results: 'PPFPPP',
    statuses: [S, S, S, S, S, H].join(''),
  },
  {
    name: 'starting → unhealthy after failureThreshold failures (it does not stay starting)',
    thresholds: { success: 1, failure: 3, restartAfter: 0 },
    results: 'FFF',
    statuses: [S, S, U].join(''),
  },
  {
    name: 'healthy → unhealthy only after failureThreshold failures in a row',
    thresholds: { success: 1, failure: 3, restartAfter: 0 },
    results: 'PFFPFFF',
    statuses: [H, H, H, H, H, H, U].join(''),
  },
  {
    name: 'unhealthy → healthy after successThreshold passes in a row; a failure starts over',
    thresholds: { success: 2, failure: 1, restartAfter: 0 },
    results: 'FPFPP',
    statuses: [U, U, U, U, H].join(''),
  },
  {
    name: 'failureThreshold 1 flips on each result',
    thresholds: { success: 1, failure: 1, restartAfter: 0 },
    results: 'PFPF',
    statuses: [H, U, H, U].join(''),
  },
  {
    name: 'restartAfter: once when the streak reaches it, not again while it goes on',
    thresholds: { success: 1, failure: 3, restartAfter: 2 },
    results: 'PFFFFF',
    statuses: [H, H, H, U, U, U].join(''),
    restarts: [2],
  },
  {
    name: 'restartAfter: once per streak; a pass ends the streak',
    thresholds: { success: 1, failure: 1, restartAfter: 2 },
    results: 'FFFPFFPFF',
    statuses: [U, U, U, H, U, U, H, U, U].join(''),
    restarts: [1, 5, 8],
  },
  {
    name: 'restartAfter may come before the check is unhealthy, and while it is starting',
    thresholds: { success: 1, failure: 5, restartAfter: 1 },
    results: 'FF',
    statuses: [S, S].join(''),
    restarts: [0],
  },
  {
    name: 'restartAfter 0 never restarts',
    thresholds: { success: 1, failure: 1, restartAfter: 0 },
    results: 'FFFFFFFFFF',
    statuses: 'uuuuuuuuuu',
  },
  {
    name: 'thresholds below 1 count as 1 (no status without a result)',
    thresholds: { success: 0, failure: 0, restartAfter: 0 },
    results: 'FP',
    statuses: [U, H].join(''),
  },
];

describe('onResult', () => {
  it.each(CASES)('$name', ({ thresholds, results, statuses, restarts = [] }) => {
    const spec = {
      successThreshold: thresholds.success,
      failureThreshold: thresholds.failure,
      restartAfter: thresholds.restartAfter,
    };
    let state = initialState(0);
    const seen: string[] = [];
    const restarted: number[] = [];
    [...results].forEach((r, i) => {
      const prev = state;
      const t = onResult(state, spec, { ok: r === 'P', detail: r, durationMs: 1 }, (i + 1) * 10);
      state = t.state;
      seen.push(state.status[0]!);
      if (t.restart) restarted.push(i);
      expect(t.changed).toBe(state.status !== prev.status);
      expect(state.since).toBe(t.changed ? (i + 1) * 10 : prev.since);
    });
    expect(seen.map((c) => NAMES[c])).toEqual([...statuses].map((c) => NAMES[c]));
    expect(restarted).toEqual(restarts);
  });

  it('counts the streaks and keeps the last result, stamped with the time it came back', () => {
    const spec = { successThreshold: 1, failureThreshold: 3, restartAfter: 0 };
    let t = onResult(initialState(5), spec, { ok: true, detail: 'HTTP 200', durationMs: 3 }, 100);
    expect(t.state).toEqual({
      status: 'healthy',
      consecutivePasses: 1,
      consecutiveFailures: 0,
      lastResult: { ok: true, detail: 'HTTP 200', atMs: 100, durationMs: 3 },
      since: 100,
    });
    t = onResult(t.state, spec, { ok: false, detail: 'HTTP 503', durationMs: 4 }, 200);
    expect(t.state).toMatchObject({ status: 'healthy', consecutivePasses: 0, consecutiveFailures: 1, since: 100 });
    expect(t.state.lastResult).toEqual({ ok: false, detail: 'HTTP 503', atMs: 200, durationMs: 4 });
  });

  it('does not change the state it is given', () => {
    const before = initialState(0);
    const copy = structuredClone(before);
    onResult(
      before,
      { successThreshold: 1, failureThreshold: 1, restartAfter: 1 },
      { ok: false, detail: '', durationMs: 0 },
      1,
    );
    expect(before).toEqual(copy);
  });
});

describe('overall', () => {
  const of = (list: string): Pick<CheckState, 'status'>[] =>
    list ? list.split(',').map((s) => ({ status: s.trim() as CheckStatus })) : [];
  it.each([
    ['', 'none'],
    ['starting', 'starting'],
    ['healthy', 'healthy'],
    ['unhealthy', 'unhealthy'],
    ['healthy, healthy', 'healthy'],
    ['healthy, starting', 'starting'],
    ['starting, healthy, unhealthy', 'unhealthy'],
    ['unhealthy, starting', 'unhealthy'],
    ['healthy, unhealthy', 'unhealthy'],
  ])('[%s] → %s', (list, health) => {
    expect(overall(of(list))).toBe(health);
  });

  it('takes any iterable (a Map of states)', () => {
    const m = new Map([['a', { status: 'healthy' as const }]]);
    expect(overall(m.values())).toBe('healthy');
  });
});
