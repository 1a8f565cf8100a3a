import { describe, expect, it } from '@jest/globals';
import type { RestartPolicyRecord } from './record.js';
import { backoffMs, decideRestart, policyRestarts, RESTART_DEFAULTS, restartsLeft } from './restart.js';

const policy = (p: Partial<RestartPolicyRecord> = {}): RestartPolicyRecord => ({
  mode: 'on-failure',
  maxAttempts: RESTART_DEFAULTS.maxAttempts,
  initialBackoffMs: RESTART_DEFAULTS.initialBackoffMs,
  maxBackoffMs: RESTART_DEFAULTS.maxBackoffMs,
  stableAfterMs: RESTART_DEFAULTS.stableAfterMs,
  ...p,
});
const half = () => 0.5; // no jitter

describe('policyRestarts', () => {
  it.each([
    ['never', 'failed', false, false],
    ['never', 'lost', false, false],
    ['on-failure', 'failed', false, true],
    ['on-failure', 'lost', false, true],
    ['on-failure', 'succeeded', false, false],
    ['always', 'succeeded', false, true],
    ['always', 'failed', false, true],
    ['always', 'stopped', false, false],
    ['always', 'failed', true, false],
  ] as const)('%s after %s (stop requested: %s) -> %s', (mode, outcome, stop, want) => {
    expect(policyRestarts(policy({ mode }), outcome, stop)).toBe(want);
  });
});

describe('decideRestart', () => {
  it('restarts `always` without limit by default, the backoff capped at 5 minutes', () => {
    let restarts = 0;
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      const d = decideRestart(
        { policy: policy({ mode: 'always' }), outcome: 'succeeded', stopRequested: false, restarts, ranForMs: 5 },
        half,
      );
      if (!d.restart) throw new Error(`stopped restarting after ${i}: ${d.why}`);
      restarts = d.restarts;
      delays.push(d.delayMs);
    }
    expect(restarts).toBe(50);
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...delays)).toBe(5 * 60_000);
    expect(delays.at(-1)).toBe(5 * 60_000);
  });

  it('honours max_attempts as restarts in a row', () => {
    const input = {
      policy: policy({ maxAttempts: 2 }),
      outcome: 'failed' as const,
      stopRequested: false,
      ranForMs: 10,
    };
    expect(decideRestart({ ...input, restarts: 0 }, half)).toMatchObject({ restart: true, n: 1 });
    expect(decideRestart({ ...input, restarts: 1 }, half)).toMatchObject({ restart: true, n: 2 });
    expect(decideRestart({ ...input, restarts: 2 }, half)).toMatchObject({
      restart: false,
      why: '2 restart(s) in a row used up',
    });
  });

  it('starts the row (count and backoff) over after a stable run', () => {
    const input = { policy: policy({ maxAttempts: 2 }), outcome: 'failed' as const, stopRequested: false, restarts: 2 };
    expect(decideRestart({ ...input, ranForMs: 10 * 60_000 - 1 }, half).restart).toBe(false);
    expect(decideRestart({ ...input, ranForMs: 10 * 60_000 }, half)).toEqual({
      restart: true,
      n: 1,
      delayMs: 1000,
      restarts: 1,
    });
    expect(
      decideRestart({ ...input, policy: policy({ maxAttempts: 2, stableAfterMs: 1000 }), ranForMs: 1000 }, half),
    ).toMatchObject({
      restart: true,
      n: 1,
    });
  });

  it('replaces a lost allocation at once (lost_after was the wait), counting it', () => {
    const d = decideRestart(
      { policy: policy(), outcome: 'lost', stopRequested: false, restarts: 3, ranForMs: 5 },
      half,
    );
    expect(d).toEqual({ restart: true, n: 4, delayMs: 0, restarts: 4 });
  });

  it('never restarts a stop, or by `never`', () => {
    const base = { outcome: 'failed' as const, restarts: 0, ranForMs: 0 };
    expect(decideRestart({ ...base, policy: policy({ mode: 'always' }), stopRequested: true }).restart).toBe(false);
    expect(decideRestart({ ...base, policy: policy({ mode: 'never' }), stopRequested: false }).restart).toBe(false);
  });
});

describe('backoffMs', () => {
  it('jitters by ±20% and never exceeds the cap, even for huge n', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(800);
    expect(backoffMs(1, 1000, 60_000, () => 0.999999)).toBe(1200);
    expect(backoffMs(10_000, 1000, 300_000, () => 0.999999)).toBe(300_000);
    expect(backoffMs(10_000, 1000, 300_000, () => 0)).toBe(240_000);
  });
});

describe('restartsLeft', () => {
  it('is -1 when unlimited, 0 for never, the rest of the row otherwise', () => {
    expect(restartsLeft(policy({ mode: 'always' }), 7)).toBe(-1);
    expect(restartsLeft(policy({ mode: 'never' }), 0)).toBe(0);
    expect(restartsLeft(policy({ maxAttempts: 5 }), 2)).toBe(3);
  });
});
