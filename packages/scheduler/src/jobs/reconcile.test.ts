import { describe, expect, it } from '@jest/globals';
import { instanceOf, jobOf, T0 } from './rollout-fixtures.js';
import { freeIndexes, isSettled, removalOrder, retryDelayMs, rolloutJob, settlesAtMs } from './reconcile.js';
import type { JobSpec } from './types.js';

describe('settled', () => {
  it('counts from healthy with checks, from running without', () => {
    const i = instanceOf(0, { runningSinceMs: T0 - 10_000, healthySinceMs: T0 - 1000 });
    expect(settlesAtMs(jobOf(), i)).toBe(T0 + 2000);
    expect(settlesAtMs(jobOf({ hasChecks: false }), i)).toBe(T0 - 7000);
    expect(isSettled(jobOf(), i, T0 + 1999)).toBe(false);
    expect(isSettled(jobOf(), i, T0 + 2000)).toBe(true);
  });

  it('never settles an instance that does not serve', () => {
    for (const o of [{ health: 'unhealthy' as const }, { state: 'unknown' as const }, { state: 'starting' as const }]) {
      expect(settlesAtMs(jobOf(), instanceOf(0, o))).toBe(Infinity);
    }
  });
});

describe('removalOrder', () => {
  it('takes another version first, then what does not serve, an unknown one before a healthy one, then the newest', () => {
    const job = jobOf({ version: 2 });
    const order = removalOrder(job, [
      instanceOf(0, { version: 2 }),
      instanceOf(1, { version: 2, startedAtMs: T0 - 1000 }),
      instanceOf(2, { version: 2, state: 'unknown' }),
      instanceOf(3, { version: 2, health: 'starting' }),
      instanceOf(4, { version: 1 }),
    ]);
    expect(order.map((i) => i.id)).toEqual(['v1-4', 'v2-3', 'v2-2', 'v2-1', 'v2-0']);
  });
});

describe('freeIndexes', () => {
  it('lists the indexes below count that no live instance holds', () => {
    const live = [instanceOf(0), instanceOf(2), instanceOf(7)];
    expect(freeIndexes(live, 5)).toEqual([1, 3, 4]);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the initial backoff up to the max, with the restart defaults for zeros', () => {
    const p = { maxAttempts: 0, initialBackoffMs: 500, maxBackoffMs: 3000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n, () => 0.5))).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(retryDelayMs({ maxAttempts: 0, initialBackoffMs: 0, maxBackoffMs: 0 }, 1, () => 0.5)).toBe(1000);
  });
});

describe('rolloutJob', () => {
  it('reads a version of a job spec', () => {
    const spec: JobSpec = {
      name: 'web',
      type: 'service',
      count: 3,
      task: {
        driver: 'process',
        command: ['python3', '-m', 'http.server'],
        image: '',
        network: 'none',
        writableRoot: false,
        env: {},
        cpuMillis: 100,
        memoryBytes: 64 << 20,
        labels: {},
        constraints: {},
        node: '',
        timeoutMs: 0,
        user: '',
      },
      ports: [{ name: 'http', to: 0 }],
      checks: [],
      update: { maxParallel: 1, minHealthyTimeMs: 10_000, healthyDeadlineMs: 300_000, autoRevert: true },
      restart: { maxAttempts: 0, initialBackoffMs: 1000, maxBackoffMs: 300_000 },
      lostAfterMs: 0,
    };
    const job = rolloutJob({ version: 4, spec, hash: 'h', submittedAtMs: T0 }, { lastGoodVersion: 3, stopped: false });
    expect(job).toMatchObject({
      name: 'web',
      count: 3,
      version: 4,
      hasChecks: false,
      lastGoodVersion: 3,
      sameTaskVersions: [],
    });
    expect(job.update.autoRevert).toBe(true);
  });
});
