import { describe, expect, it } from '@jest/globals';
import type { DeploymentRecord } from './deployment.js';
import { applied, healthy, instanceOf, jobOf, linesOf, placed, T0, type JobOverrides } from './rollout-fixtures.js';
import type { JobInstance } from './reconcile.js';
import { decideJob } from './rollout.js';

const record = (o: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  version: 1,
  state: 'succeeded',
  desired: 5,
  placed: 5,
  healthy: 5,
  unhealthy: 0,
  succeeded: 0,
  startedAtMs: T0 - 120_000,
  endedAtMs: T0 - 50_000,
  reason: '5 of 5 healthy',
  ...o,
});

/** The decision for a job (overrides of jobOf) at `nowMs`; the deployment of version 1 done by default, none with null. */
function decide(
  o: JobOverrides,
  instances: JobInstance[],
  deployment: DeploymentRecord | null | undefined = record(),
  nowMs = T0,
) {
  return decideJob({ job: jobOf(o), instances, deployment: deployment ?? undefined, nowMs });
}

/** Running v2 rollout: deployment of version 2 started at T0 − 30 s, v1 done before it. */
const rolling = (o: Partial<DeploymentRecord> = {}) =>
  record({ version: 2, state: 'running', startedAtMs: T0 - 30_000, endedAtMs: 0, reason: 'from version 1', ...o });

describe('a service keeps count instances', () => {
  it('starts count instances of a new job at once, and nothing twice when asked again', () => {
    const first = decide({}, [], null);
    expect(linesOf(first.actions)).toEqual([
      'start v1[0] #1',
      'start v1[1] #1',
      'start v1[2] #1',
      'start v1[3] #1',
      'start v1[4] #1',
    ]);
    expect(first.deployment).toMatchObject({ version: 1, state: 'running', desired: 5, placed: 0, startedAtMs: T0 });
    const again = decide({}, applied([], first.actions), first.deployment);
    expect(again.actions).toEqual([]);
    expect(again.deployment).toMatchObject({ state: 'running', placed: 5, healthy: 0 });
  });

  it('does nothing when count healthy instances of its version run', () => {
    const plan = decide({}, healthy(5));
    expect(plan.actions).toEqual([]);
    expect(plan.deployment).toEqual(record());
  });

  it('replaces a failed instance at its index after its backoff, counted from when it ended', () => {
    const instances = [...healthy(4), instanceOf(4, { state: 'failed', attempt: 2, endedAtMs: T0 - 500 })];
    const plan = decide({}, instances);
    // Attempt 3 waits the second retry's backoff: 2 s after the end (T0 − 500).
    expect(linesOf(plan.actions)).toEqual(['start v1[4] #3 at +1500']);
    expect(decide({}, applied(instances, plan.actions)).actions).toEqual([]);
  });

  it('replaces a lost instance at once', () => {
    const plan = decide({}, [...healthy(4), instanceOf(4, { state: 'lost', endedAtMs: T0 })]);
    expect(linesOf(plan.actions)).toEqual(['start v1[4] #2']);
  });

  it('starts the row of attempts over after a run that lasted stable_after', () => {
    const crashed = instanceOf(4, { state: 'failed', attempt: 7, runningSinceMs: T0 - 3_600_000, endedAtMs: T0 });
    expect(linesOf(decide({}, [...healthy(4), crashed]).actions)).toEqual(['start v1[4] #1']);
  });

  it('does not replace an unknown instance (doubt is not death), only once it is lost', () => {
    const quiet = instanceOf(2, { state: 'unknown' });
    expect(decide({}, [...healthy(5).filter((i) => i.index !== 2), quiet]).actions).toEqual([]);
    const lost = { ...quiet, state: 'lost' as const, endedAtMs: T0 };
    expect(linesOf(decide({}, [...healthy(5).filter((i) => i.index !== 2), lost]).actions)).toEqual(['start v1[2] #2']);
  });

  it('replaces an instance someone else stopped, as a fresh row of attempts', () => {
    const stopped = instanceOf(0, { state: 'stopped', stopRequested: true, attempt: 3, endedAtMs: T0 });
    expect(linesOf(decide({}, [stopped, ...healthy(5).slice(1)]).actions)).toEqual(['start v1[0] #1']);
  });
});

describe('scale', () => {
  it('adds instances at the free indexes, without a rollout', () => {
    const plan = decide({ count: 7 }, healthy(5));
    expect(linesOf(plan.actions)).toEqual(['start v1[5] #1', 'start v1[6] #1']);
    expect(plan.deployment).toMatchObject({ version: 1, state: 'succeeded' });
  });

  it('removes the unhealthy, then the newest, keeping the long-running healthy ones', () => {
    const instances = [
      instanceOf(0),
      instanceOf(1, { health: 'unhealthy', healthySinceMs: 0 }),
      instanceOf(2, { startedAtMs: T0 - 5000, runningSinceMs: T0 - 4000, healthySinceMs: T0 - 3000 }),
      instanceOf(3, { startedAtMs: T0 - 9000, runningSinceMs: T0 - 8000, healthySinceMs: T0 - 7000 }),
      instanceOf(4),
    ];
    const plan = decide({ count: 2 }, instances);
    expect(linesOf(plan.actions)).toEqual(['stop v1-1', 'stop v1-2', 'stop v1-3']);
    expect(decide({ count: 2 }, applied(instances, plan.actions)).actions).toEqual([]);
  });

  it('keeps the instances of a version that changed only the count: no rollout', () => {
    const plan = decide({ version: 2, sameTaskVersions: [1], count: 6 }, healthy(5));
    expect(linesOf(plan.actions)).toEqual(['start v2[5] #1']);
    expect(plan.deployment).toMatchObject({ version: 2, state: 'running', placed: 5, healthy: 5 });
  });
});

describe('a rolling update', () => {
  const v2 = { version: 2, lastGoodVersion: 1 };

  it('replaces max_parallel old instances at their indexes, and nothing more while they are in flight', () => {
    const plan = decide(v2, healthy(5));
    expect(linesOf(plan.actions)).toEqual(['stop v1-0', 'start v2[0] #1', 'stop v1-1', 'start v2[1] #1']);
    expect(plan.deployment).toMatchObject({ version: 2, state: 'running', desired: 5, startedAtMs: T0 });
    expect(decide(v2, applied(healthy(5), plan.actions), plan.deployment).actions).toEqual([]);
  });

  it('stops an old instance only once a new one has been healthy for min_healthy_time', () => {
    const newOnes = [0, 1].map((k) =>
      instanceOf(k, { version: 2, startedAtMs: T0 - 4000, runningSinceMs: T0 - 3000, healthySinceMs: T0 - 1000 }),
    );
    const instances = [...newOnes, ...healthy(5).slice(2)];
    const early = decide(v2, instances, rolling());
    expect(early.actions).toEqual([]);
    expect(early.wakeAtMs).toBe(T0 + 2000);
    expect(early.deployment).toMatchObject({ placed: 2, healthy: 0 });
    const late = decide(v2, instances, rolling(), T0 + 2000);
    expect(linesOf(late.actions)).toEqual(['stop v1-2', 'start v2[2] #1', 'stop v1-3', 'start v2[3] #1']);
    expect(late.deployment).toMatchObject({ placed: 2, healthy: 2 });
  });

  it('counts a running instance as healthy when the job has no checks', () => {
    const noChecks = { ...v2, hasChecks: false };
    const newOne = placed(0, 2, T0 - 5000, { state: 'running', health: 'none', runningSinceMs: T0 - 3000 });
    const instances = [newOne, ...healthy(5, { health: 'none', healthySinceMs: 0 }).slice(1)];
    expect(linesOf(decide({ ...noChecks, update: { maxParallel: 1 } }, instances, rolling()).actions)).toEqual([
      'stop v1-1',
      'start v2[1] #1',
    ]);
  });

  it('replaces old instances that do not serve first, and without counting them towards the floor', () => {
    const instances = [
      ...healthy(3),
      instanceOf(3, { health: 'unhealthy', healthySinceMs: 0 }),
      instanceOf(4, { state: 'starting', health: 'starting', runningSinceMs: 0, healthySinceMs: 0 }),
    ];
    // 3 serve = count − max_parallel: only the two that do not serve may go.
    expect(linesOf(decide(v2, instances).actions)).toEqual([
      'stop v1-3',
      'start v2[3] #1',
      'stop v1-4',
      'start v2[4] #1',
    ]);
  });

  it('leaves an unknown old instance alone until it is back or lost', () => {
    const instances = [instanceOf(0, { state: 'unknown' }), ...healthy(5, { version: 2 }).slice(1)];
    const plan = decide(v2, instances, rolling());
    expect(plan.actions).toEqual([]);
    expect(plan.deployment).toMatchObject({ state: 'running', placed: 4, healthy: 4 });
  });

  it('succeeds when count instances of the new version are settled and no old one is left', () => {
    const plan = decide(v2, healthy(5, { version: 2 }), rolling());
    expect(linesOf(plan.actions)).toEqual(['deployment v2 succeeded']);
    expect(plan.deployment).toMatchObject({
      state: 'succeeded',
      healthy: 5,
      placed: 5,
      endedAtMs: T0,
      reason: '5 of 5 healthy',
    });
    expect(decide(v2, healthy(5, { version: 2 }), plan.deployment).actions).toEqual([]);
  });

  it('cancels a running deployment superseded by a newer version', () => {
    const plan = decide({ version: 3, lastGoodVersion: 1 }, healthy(5), rolling());
    expect(linesOf(plan.actions).slice(0, 1)).toEqual(['deployment v2 cancelled']);
    expect(plan.deployment).toMatchObject({ version: 3, state: 'running', reason: 'from version 2' });
  });
});

describe('a failed deployment', () => {
  const v2 = { version: 2, lastGoodVersion: 1 };
  const stuck = [placed(0, 2, T0 - 20_000), placed(1, 2, T0 - 19_000), ...healthy(5).slice(2)];

  it('fails when a new instance is not healthy within healthy_deadline of being placed', () => {
    expect(decide(v2, stuck, rolling(), T0 - 1).actions).toEqual([]);
    const plan = decide(v2, stuck, rolling());
    expect(linesOf(plan.actions)).toEqual(['deployment v2 failed']);
    expect(plan.deployment).toMatchObject({
      state: 'failed',
      endedAtMs: T0,
      unhealthy: 1,
      reason: 'web[0] (v2-0) of version 2 not healthy within 20000 ms of being placed',
    });
  });

  it('replaces nothing more of the old version, without auto_revert', () => {
    const failed = decide(v2, stuck, rolling()).deployment;
    expect(decide(v2, stuck, failed, T0 + 60_000).actions).toEqual([]);
  });

  it('fails when a new instance fails', () => {
    const crashed = instanceOf(0, { version: 2, state: 'failed', startedAtMs: T0 - 2000, endedAtMs: T0 });
    const plan = decide(v2, [crashed, placed(1, 2, T0 - 2000), ...healthy(5).slice(2)], rolling());
    expect(plan.deployment).toMatchObject({ state: 'failed', reason: 'web[0] (v2-0) of version 2 failed' });
  });

  it('does not judge a new instance whose node went quiet', () => {
    const quiet = placed(0, 2, T0 - 30_000, { state: 'unknown' });
    const plan = decide(v2, [quiet, ...healthy(5, { version: 2 }).slice(1)], rolling());
    expect(plan.actions).toEqual([]);
    expect(plan.deployment?.state).toBe('running');
  });

  it('asks to revert to the last good version with auto_revert, and starts nothing of the broken one', () => {
    const o = { ...v2, update: { autoRevert: true } };
    const plan = decide(o, stuck, rolling());
    expect(linesOf(plan.actions)).toEqual(['deployment v2 failed', 'revert 2->1']);
    expect(plan.actions[1]).toMatchObject({ reason: expect.stringMatching(/^deployment of version 2 failed: web\[/) });
    // Until the manager applies it, it is asked again, and still nothing starts.
    expect(linesOf(decide(o, stuck, plan.deployment).actions)).toEqual(['revert 2->1']);
  });

  it('does not revert without a last good version, or to the version that failed', () => {
    expect(
      linesOf(decide({ ...v2, lastGoodVersion: 0, update: { autoRevert: true } }, stuck, rolling()).actions),
    ).toEqual(['deployment v2 failed']);
    const again = { version: 1, lastGoodVersion: 1, update: { autoRevert: true } };
    const failedV1 = record({ state: 'failed', endedAtMs: T0 - 1, reason: 'x' });
    expect(linesOf(decide(again, healthy(5), failedV1).actions)).toEqual([]);
  });

  it('once reverted, deploys the last good version: the broken instances go first, all of them', () => {
    const failedV2 = rolling({ state: 'failed', endedAtMs: T0 - 1, reason: 'broken' });
    const plan = decide({ version: 1, lastGoodVersion: 1, update: { autoRevert: true } }, stuck, failedV2);
    // v2 failed, so it is not cancelled; the v1 instances that serve stay.
    expect(linesOf(plan.actions)).toEqual(['stop v2-0', 'start v1[0] #1', 'stop v2-1', 'start v1[1] #1']);
    expect(plan.deployment).toMatchObject({ version: 1, state: 'running', startedAtMs: T0, reason: 'from version 2' });
  });
});

describe('a stopped job', () => {
  it('stops every instance still there, unknown ones too, and cancels its deployment', () => {
    const instances = [
      ...healthy(3),
      instanceOf(3, { state: 'unknown' }),
      instanceOf(4, { stopRequested: true }),
      instanceOf(5, { state: 'failed', endedAtMs: T0 }),
    ];
    const plan = decide({ stopped: true }, instances, rolling());
    expect(linesOf(plan.actions)).toEqual([
      'stop v1-0',
      'stop v1-1',
      'stop v1-2',
      'stop v1-3',
      'deployment v2 cancelled',
    ]);
    expect(plan.deployment).toMatchObject({ state: 'cancelled', reason: 'job stopped' });
    expect(decide({ stopped: true }, applied(instances, plan.actions), plan.deployment).actions).toEqual([]);
  });
});

describe('a job stopped after its deployment ended', () => {
  it('records the stop as a deployment of its own, once, so running it again deploys anew', () => {
    const plan = decide({ stopped: true }, healthy(5), record());
    expect(linesOf(plan.actions)).toEqual([
      'stop v1-0',
      'stop v1-1',
      'stop v1-2',
      'stop v1-3',
      'stop v1-4',
      'deployment v1 cancelled',
    ]);
    expect(plan.deployment).toMatchObject({ version: 1, state: 'cancelled', reason: 'job stopped', startedAtMs: T0 });
    const stopped = applied(healthy(5), plan.actions);
    expect(decide({ stopped: true }, stopped, plan.deployment).deployment).toBe(plan.deployment);
    // Run again (the same version): a new deployment, not the one that succeeded before the stop.
    const again = decide({}, [], plan.deployment, T0 + 1000);
    expect(again.deployment).toMatchObject({ version: 1, state: 'running', reason: 'again', startedAtMs: T0 + 1000 });
  });
});

describe('healthy never falls below count − max_parallel', () => {
  // Many random states of a rollout from v1 to v2: whatever the plan stops, the instances that
  // serve after it are at least min(those before, count − max_parallel).
  it.each([1, 2, 3])('over random rollout states (max_parallel %i)', (maxParallel) => {
    const rand = seeded(17 * maxParallel);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const o = { version: 2, lastGoodVersion: 1, update: { maxParallel } };
    const job = jobOf(o);
    for (let n = 0; n < 300; n++) {
      const instances: JobInstance[] = [];
      for (let k = 0; k < 5; k++) {
        const version = pick([1, 1, 2]);
        const state = pick(['running', 'running', 'running', 'starting', 'unknown'] as const);
        const health =
          state === 'running' ? pick(['healthy', 'healthy', 'unhealthy', 'starting'] as const) : 'starting';
        const since = T0 - pick([0, 1000, 5000]);
        instances.push(
          instanceOf(k, {
            version,
            state,
            health,
            startedAtMs: T0 - 6000,
            runningSinceMs: since,
            healthySinceMs: since,
          }),
        );
      }
      const serves = (i: JobInstance) => i.state === 'running' && i.health === 'healthy';
      const before = instances.filter(serves).length;
      const plan = decideJob({ job, instances, deployment: rolling(), nowMs: T0 });
      const stopped = new Set(plan.actions.flatMap((a) => (a.kind === 'stop' ? [a.instanceId] : [])));
      const after = instances.filter((i) => serves(i) && !stopped.has(i.id)).length;
      expect(after).toBeGreaterThanOrEqual(Math.min(before, 5 - maxParallel));
      // New instances not yet settled (in flight): never more than max_parallel, unless already so.
      const settled = (i: JobInstance) => serves(i) && i.healthySinceMs <= T0 - job.update.minHealthyTimeMs;
      const inFlight = instances.filter((i) => i.version === 2 && !settled(i)).length;
      const starts = plan.actions.filter((a) => a.kind === 'start').length;
      expect(inFlight + starts).toBeLessThanOrEqual(Math.max(maxParallel, inFlight));
    }
  });
});

/** A seeded [0, 1) generator (mulberry32): the same states every run. */
function seeded(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
