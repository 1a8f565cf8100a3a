// A service's instances leaving a draining node (migrate.ts through decideJob): replacement first,
// healthy before the old one stops, max_parallel at a time, the count kept throughout.
import { describe, expect, it } from '@jest/globals';
import type { DeploymentRecord } from './deployment.js';
import { applied, healthy, instanceOf, jobOf, linesOf, T0, type JobOverrides } from './rollout-fixtures.js';
import { isAvailable, isLive, type JobInstance } from './reconcile.js';
import { decideJob } from './rollout.js';

const done: DeploymentRecord = {
  version: 1,
  state: 'succeeded',
  desired: 3,
  placed: 3,
  healthy: 3,
  unhealthy: 0,
  succeeded: 0,
  startedAtMs: T0 - 120_000,
  endedAtMs: T0 - 50_000,
  reason: '3 of 3 healthy',
};

const decide = (o: JobOverrides, instances: JobInstance[], nowMs = T0) =>
  decideJob({ job: jobOf({ count: 3, ...o }), instances, deployment: done, nowMs });

/** Instances 0..2 running and healthy; those in `draining` sit on the draining node. */
const service = (draining: number[]) =>
  healthy(3).map((i) => (draining.includes(i.index) ? { ...i, migrate: true } : i));

/** The pending replacements in `instances` become running and healthy at `atMs`. */
function comeUp(instances: JobInstance[], atMs: number): JobInstance[] {
  return instances.map((i) =>
    i.state === 'pending'
      ? { ...i, state: 'running', health: 'healthy', startedAtMs: atMs, runningSinceMs: atMs, healthySinceMs: atMs }
      : i,
  );
}

/** Stops asked for end (the manager would see them stopped). */
const stopped = (instances: JobInstance[], atMs: number): JobInstance[] =>
  instances.map((i) =>
    i.stopRequested && isLive({ ...i, stopRequested: false }) ? { ...i, state: 'stopped', endedAtMs: atMs } : i,
  );

describe('instances on a draining node', () => {
  it('start a replacement at the same index first, and stop nothing yet', () => {
    const plan = decide({ update: { maxParallel: 1 } }, service([0, 1]));
    expect(linesOf(plan.actions)).toEqual(['start v1[0] #2']);
  });

  it('start max_parallel replacements at a time, those that do not serve first', () => {
    const instances = service([0, 1, 2]);
    instances[2] = { ...instances[2]!, health: 'unhealthy' };
    expect(linesOf(decide({ update: { maxParallel: 2 } }, instances).actions)).toEqual([
      'start v1[2] #2',
      'start v1[0] #2',
    ]);
  });

  it('keep the old instance while its replacement is not settled, and ask for nothing twice', () => {
    let instances = applied(service([0]), decide({}, service([0])).actions);
    expect(linesOf(decide({}, instances).actions)).toEqual([]);
    instances = comeUp(instances, T0 + 1000);
    // Healthy for 1 s of min_healthy_time's 3 s: not yet.
    expect(linesOf(decide({}, instances, T0 + 2000).actions)).toEqual([]);
    expect(linesOf(decide({}, instances, T0 + 4000).actions)).toEqual(['stop v1-0']);
  });

  it('never take the service below its count of serving instances, one index after the other', () => {
    const job = { update: { maxParallel: 1 } };
    let instances = service([0, 1, 2]);
    let now = T0;
    let minServing = Infinity;
    for (let round = 0; round < 30 && instances.some((i) => i.migrate && isLive(i)); round++) {
      const plan = decide(job, instances, now);
      instances = applied(instances, plan.actions);
      const serving = instances.filter((i) => isLive(i) && isAvailable(jobOf(job), i)).length;
      minServing = Math.min(minServing, serving);
      now += 2000;
      instances = stopped(comeUp(instances, now), now);
    }
    expect(instances.filter((i) => i.migrate && isLive(i))).toEqual([]);
    expect(instances.filter(isLive).map((i) => `${i.index}#${i.attempt}`)).toEqual(['0#2', '1#2', '2#2']);
    expect(minServing).toBe(3);
  });

  it('retry a failed replacement after its backoff, the old instance still serving', () => {
    const failed = instanceOf(0, {
      id: 'r0',
      attempt: 2,
      state: 'failed',
      health: 'unhealthy',
      startedAtMs: T0 - 5000,
      runningSinceMs: 0,
      healthySinceMs: 0,
      endedAtMs: T0 - 1000,
    });
    const plan = decide({ restart: { initialBackoffMs: 4000 } }, [...service([0]), failed]);
    expect(plan.actions).toEqual([
      expect.objectContaining({ kind: 'start', index: 0, attempt: 3, notBeforeMs: T0 + 3000 }),
    ]);
  });

  it('leave the count alone: a replacement is not taken for one too many', () => {
    let instances = applied(service([1]), decide({}, service([1])).actions);
    instances = comeUp(instances, T0);
    const lines = linesOf(decide({}, instances, T0 + 1000).actions);
    expect(lines).toEqual([]);
  });

  it('move nothing of a job that is not on a draining node', () => {
    expect(linesOf(decide({}, service([])).actions)).toEqual([]);
  });
});
