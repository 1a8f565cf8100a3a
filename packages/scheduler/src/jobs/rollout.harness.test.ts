// Whole rollouts through the job decisions (sim.ts: a fake clock and simulated instances that
// start, become healthy after a delay — or never, for a broken version — and stop after a delay),
// decided as the manager will: on every change and at the plan's wakeAtMs, nothing else.
import { describe, expect, it } from '@jest/globals';
import { jobOf, type JobOverrides } from './rollout-fixtures.js';
import { JobSim, type Behaviour } from './sim.js';

/** A job of `o` (service of 5, max_parallel 2) started and rolled out to version 1 on a fresh sim. */
async function deployed(o: JobOverrides = {}, b: Behaviour = {}): Promise<JobSim> {
  const sim = new JobSim(jobOf(o), b);
  sim.decide();
  await sim.advance(60_000);
  expect(sim.deployment).toMatchObject({ version: 1, state: 'succeeded' });
  expect(sim.job.lastGoodVersion).toBe(1);
  expect(sim.serving()).toHaveLength(sim.job.count);
  return sim;
}

/** From now on, after every decision: at least count − max_parallel instances serve. */
function watchFloor(sim: JobSim): { lowest: number } {
  const seen = { lowest: Infinity };
  sim.onStep = (s) => {
    const serving = s.serving().length;
    seen.lowest = Math.min(seen.lowest, serving);
    expect(serving).toBeGreaterThanOrEqual(s.job.count - s.job.update.maxParallel);
  };
  return seen;
}

const versionsServing = (sim: JobSim) => sim.serving().map((i) => i.version);

describe('a rolling update', () => {
  it('replaces 5 instances 2 at a time, keeping ≥ count − max_parallel healthy at every step', async () => {
    const sim = await deployed();
    const seen = watchFloor(sim);
    let mostInFlight = 0;
    const floor = sim.onStep;
    sim.onStep = (s) => {
      floor(s);
      // New instances placed but not yet serving: never more than max_parallel.
      const inFlight = s.live().filter((i) => i.version === 2 && i.health !== 'healthy').length;
      mostInFlight = Math.max(mostInFlight, inFlight);
    };
    sim.submit({ version: 2 });
    await sim.advance(60_000);

    expect(sim.deployment).toMatchObject({ version: 2, state: 'succeeded', desired: 5, placed: 5, healthy: 5 });
    expect(sim.job.lastGoodVersion).toBe(2);
    expect(versionsServing(sim)).toEqual([2, 2, 2, 2, 2]);
    expect(sim.live()).toHaveLength(5);
    expect(seen.lowest).toBe(3); // it did use its max_parallel
    expect(mostInFlight).toBe(2);
    // Exactly one replacement per old instance: nothing started twice.
    expect(sim.actions('start').filter((a) => a.kind === 'start' && a.version === 2)).toHaveLength(5);
    expect(sim.actions('stop')).toHaveLength(5);
    // Three waves (2, 2, 1), each waiting start (1 s) + healthy (2 s) + min_healthy_time (3 s).
    const done = sim.log.find((l) => l.action.kind === 'deployment' && l.action.version === 2)!;
    const began = sim.log.find((l) => l.action.kind === 'start' && l.action.version === 2)!;
    expect(done.atMs - began.atMs).toBe(18_000);
  });

  it('replaces an old instance that fails its checks first, still keeping ≥ count − max_parallel serving', async () => {
    const sim = await deployed();
    const [first, , , sick] = sim.live();
    sim.sicken(sick!.id);
    const seen = watchFloor(sim);
    const stops = sim.actions('stop').length;
    sim.submit({ version: 2 });
    // The sick one goes first; with 4 serving, only one healthy one may go with it.
    expect(sim.actions('stop').slice(stops)).toEqual([
      expect.objectContaining({ instanceId: sick!.id }),
      expect.objectContaining({ instanceId: first!.id }),
    ]);
    await sim.advance(60_000);
    expect(sim.deployment).toMatchObject({ version: 2, state: 'succeeded' });
    expect(seen.lowest).toBe(3);
  });

  it('resumes after the scheduler is killed mid-rollout, starting nothing twice', async () => {
    const sim = await deployed();
    watchFloor(sim);
    sim.submit({ version: 2 });
    await sim.advance(4000); // the first two are healthy, not yet settled
    sim.crash();
    await sim.advance(30_000); // they settle meanwhile; nobody decides
    expect(sim.actions('start').filter((a) => a.kind === 'start' && a.version === 2)).toHaveLength(2);
    sim.recover();
    await sim.advance(60_000);
    expect(sim.deployment).toMatchObject({ version: 2, state: 'succeeded' });
    expect(sim.actions('start').filter((a) => a.kind === 'start' && a.version === 2)).toHaveLength(5);
    expect(versionsServing(sim)).toEqual([2, 2, 2, 2, 2]);
  });

  it('rolls a broken version back to the last good one with auto_revert', async () => {
    const sim = await deployed(
      { update: { autoRevert: true } },
      { healthyAfterMs: (v) => (v === 2 ? Infinity : 2000) },
    );
    const seen = watchFloor(sim);
    sim.submit({ version: 2 });
    await sim.advance(120_000);

    const deployments = sim.actions('deployment').map((a) => a.kind === 'deployment' && `v${a.version} ${a.state}`);
    expect(deployments).toEqual(['v1 succeeded', 'v2 failed', 'v1 succeeded']);
    expect(sim.actions('revert')).toEqual([
      expect.objectContaining({
        fromVersion: 2,
        toVersion: 1,
        reason: expect.stringContaining('not healthy within 20000 ms'),
      }),
    ]);
    expect(sim.job.version).toBe(1);
    expect(versionsServing(sim)).toEqual([1, 1, 1, 1, 1]);
    // Only the first max_parallel instances ever ran the broken version, and they are gone.
    expect(sim.instances.filter((i) => i.version === 2)).toHaveLength(2);
    expect(sim.instances.filter((i) => i.version === 2).every((i) => i.state === 'stopped')).toBe(true);
    expect(seen.lowest).toBe(3);
  });

  it('stops where it failed without auto_revert: the old ones keep serving', async () => {
    const sim = await deployed({}, { healthyAfterMs: (v) => (v === 2 ? Infinity : 2000) });
    watchFloor(sim);
    sim.submit({ version: 2 });
    await sim.advance(120_000);
    expect(sim.deployment).toMatchObject({ version: 2, state: 'failed' });
    expect(sim.actions('revert')).toEqual([]);
    expect(versionsServing(sim)).toEqual([1, 1, 1]);
  });
});

describe('scale', () => {
  it('adds and removes instances without a rollout', async () => {
    const sim = await deployed();
    const before = sim.live().map((i) => i.id);
    sim.submit({ count: 8 });
    await sim.advance(10_000);
    expect(sim.serving()).toHaveLength(8);
    expect(
      sim
        .live()
        .map((i) => i.id)
        .slice(0, 5),
    ).toEqual(before);

    sim.submit({ count: 3 });
    await sim.advance(10_000);
    // The three added last went first, then the newest of the rest: the oldest stay.
    expect(
      sim
        .live()
        .map((i) => i.index)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(sim.serving()).toHaveLength(3);
    expect(sim.actions('stop')).toHaveLength(5);
    expect(sim.deployment).toMatchObject({ version: 1, state: 'succeeded' });
  });
});

describe('doubt is not death', () => {
  it('does not replace an unknown instance before it is lost, and replaces it at once after', async () => {
    const sim = await deployed();
    const quiet = sim.live()[2]!;
    const starts = sim.actions('start').length;
    sim.quiet(quiet.id);
    await sim.advance(300_000);
    expect(sim.actions('start')).toHaveLength(starts);
    expect(sim.live()).toHaveLength(5);
    expect(sim.serving()).toHaveLength(4);

    sim.lose(quiet.id);
    expect(sim.actions('start').slice(starts)).toEqual([
      expect.objectContaining({ kind: 'start', index: quiet.index, attempt: 2, notBeforeMs: 0 }),
    ]);
    await sim.advance(10_000);
    expect(sim.serving()).toHaveLength(5);
  });

  it('finds an unknown instance back as it was when its node returns', async () => {
    const sim = await deployed();
    const quiet = sim.live()[0]!;
    sim.quiet(quiet.id);
    await sim.advance(20_000);
    sim.back(quiet.id);
    await sim.advance(10_000);
    expect(sim.serving().map((i) => i.id)).toContain(quiet.id);
    expect(sim.actions('stop')).toEqual([]);
    expect(sim.instances).toHaveLength(5);
  });
});

describe('a batch job', () => {
  it('runs 50 instances to completion, retrying the failures and never rerunning a success', async () => {
    // Every seventh index fails its first attempt; index 13 fails its first two.
    const runs: Behaviour['runs'] = (i) => {
      const fails = i.index === 13 ? i.attempt <= 2 : i.index % 7 === 3 && i.attempt === 1;
      return { state: fails ? 'failed' : 'succeeded', afterMs: 5000 + i.index * 100 };
    };
    const sim = new JobSim(jobOf({ type: 'batch', count: 50, hasChecks: false }), { runs });
    sim.decide();
    await sim.advance(120_000);

    expect(sim.deployment).toMatchObject({
      state: 'succeeded',
      succeeded: 50,
      unhealthy: 0,
      reason: '50 of 50 succeeded',
    });
    const succeeded = sim.instances.filter((i) => i.state === 'succeeded');
    expect(new Set(succeeded.map((i) => i.index)).size).toBe(50);
    expect(succeeded).toHaveLength(50);
    const failed = sim.instances.filter((i) => i.state === 'failed');
    expect(failed.map((i) => `${i.index}#${i.attempt}`).sort()).toEqual(
      ['3#1', '10#1', '13#1', '13#2', '17#1', '24#1', '31#1', '38#1', '45#1'].sort(),
    );
    expect(sim.instances).toHaveLength(59);
    expect(sim.live()).toEqual([]);
  });

  it('fails when an index is out of attempts, and starts nothing more', async () => {
    const runs: Behaviour['runs'] = (i) => ({ state: i.index === 4 ? 'failed' : 'succeeded', afterMs: 5000 });
    const sim = new JobSim(jobOf({ type: 'batch', count: 10, hasChecks: false }), { runs });
    sim.decide();
    await sim.advance(120_000);
    expect(sim.deployment).toMatchObject({ state: 'failed', reason: 'web[4] failed 3 of 3 attempt(s)', succeeded: 9 });
    expect(sim.instances.filter((i) => i.index === 4)).toHaveLength(3);
    expect(sim.instances).toHaveLength(12);
  });
});

describe('a stopped job', () => {
  it('stops every instance and starts nothing', async () => {
    const sim = await deployed();
    sim.submit({ stopped: true });
    await sim.advance(10_000);
    expect(sim.live()).toEqual([]);
    expect(sim.instances.every((i) => i.state === 'stopped')).toBe(true);
    expect(sim.instances).toHaveLength(5);
  });
});
