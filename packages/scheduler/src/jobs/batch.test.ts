import { describe, expect, it } from '@jest/globals';
import type { DeploymentRecord } from './deployment.js';
import { applied, instanceOf, jobOf, linesOf, T0, type JobOverrides } from './rollout-fixtures.js';
import type { JobInstance } from './reconcile.js';
import { decideJob } from './rollout.js';

/** The run of version 1, started at T0 − 60 s. */
const run = (o: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  version: 1,
  state: 'running',
  desired: 3,
  placed: 0,
  healthy: 0,
  unhealthy: 0,
  succeeded: 0,
  startedAtMs: T0 - 60_000,
  endedAtMs: 0,
  reason: 'first version',
  ...o,
});

/** A batch job of 3 without checks, 3 attempts in all; the run of version 1 by default, none with null. */
function decide(o: JobOverrides, instances: JobInstance[], deployment: DeploymentRecord | null | undefined = run()) {
  return decideJob({
    job: jobOf({ type: 'batch', count: 3, hasChecks: false, ...o }),
    instances,
    deployment: deployment ?? undefined,
    nowMs: T0,
  });
}

const running = (index: number, o: Partial<JobInstance> = {}) => instanceOf(index, { health: 'none', ...o });
const endedAs = (index: number, state: JobInstance['state'], attempt = 1, o: Partial<JobInstance> = {}) =>
  running(index, { state, attempt, endedAtMs: T0 - 100, id: `v${o.version ?? 1}-${index}-${attempt}`, ...o });

describe('a batch job', () => {
  it('starts count instances, and nothing twice when asked again', () => {
    const first = decide({}, [], null);
    expect(linesOf(first.actions)).toEqual(['start v1[0] #1', 'start v1[1] #1', 'start v1[2] #1']);
    expect(first.deployment).toMatchObject({ version: 1, state: 'running', desired: 3, startedAtMs: T0 });
    expect(decide({}, applied([], first.actions), first.deployment).actions).toEqual([]);
  });

  it('never reruns a succeeded instance, and retries a failed one after its backoff', () => {
    const plan = decide({}, [endedAs(0, 'succeeded'), running(1), endedAs(2, 'failed')]);
    expect(linesOf(plan.actions)).toEqual(['start v1[2] #2 at +900']);
    expect(plan.deployment).toMatchObject({ state: 'running', succeeded: 1, placed: 1, healthy: 1 });
  });

  it('retries a lost instance at once, and counts it as an attempt', () => {
    expect(linesOf(decide({}, [endedAs(0, 'lost', 2), running(1), running(2)]).actions)).toEqual(['start v1[0] #3']);
  });

  it('fails the run when an index is out of attempts: nothing more starts, what runs is left to finish', () => {
    const instances = [endedAs(0, 'succeeded'), running(1), endedAs(2, 'failed', 3), endedAs(3, 'failed', 1)];
    const plan = decide({ count: 4 }, instances);
    expect(linesOf(plan.actions)).toEqual(['deployment v1 failed']);
    expect(plan.deployment).toMatchObject({
      state: 'failed',
      reason: 'web[2] failed 3 of 3 attempt(s)',
      succeeded: 1,
      unhealthy: 1,
      placed: 1,
      endedAtMs: T0,
    });
    expect(decide({ count: 4 }, instances, plan.deployment).actions).toEqual([]);
  });

  it('retries without limit with max_attempts 0', () => {
    const plan = decide({ restart: { maxAttempts: 0 } }, [endedAs(0, 'failed', 9), running(1), running(2)]);
    expect(linesOf(plan.actions)).toEqual(['start v1[0] #10 at +59900']);
  });

  it('succeeds when every index has succeeded', () => {
    const done = [0, 1, 2].map((k) => endedAs(k, 'succeeded'));
    const plan = decide({}, done);
    expect(linesOf(plan.actions)).toEqual(['deployment v1 succeeded']);
    expect(plan.deployment).toMatchObject({ state: 'succeeded', succeeded: 3, reason: '3 of 3 succeeded' });
    expect(decide({}, done, plan.deployment).actions).toEqual([]);
  });

  it('holds an index for an unknown instance until it is lost', () => {
    const done = [endedAs(0, 'succeeded'), endedAs(1, 'succeeded')];
    expect(decide({}, [...done, running(2, { state: 'unknown' })]).actions).toEqual([]);
    expect(linesOf(decide({}, [...done, endedAs(2, 'lost')]).actions)).toEqual(['start v1[2] #2']);
  });

  it('runs a new task again, replacing what still runs of the old one (an unknown one waits)', () => {
    const instances = [endedAs(0, 'succeeded'), running(1), running(2, { state: 'unknown' })];
    const plan = decide({ version: 2 }, instances, run({ state: 'succeeded' }));
    expect(linesOf(plan.actions)).toEqual(['stop v1-1', 'start v2[0] #1', 'start v2[1] #1']);
    expect(plan.deployment).toMatchObject({ version: 2, state: 'running' });
  });

  it('does not run again for a version that changed only the count', () => {
    const instances = [endedAs(0, 'succeeded'), endedAs(1, 'succeeded'), endedAs(2, 'succeeded')];
    const plan = decide({ version: 2, sameTaskVersions: [1], count: 4 }, instances, run({ state: 'succeeded' }));
    expect(linesOf(plan.actions)).toEqual(['start v2[3] #1']);
  });

  it('stops what runs past a lower count', () => {
    const plan = decide({ count: 2 }, [running(0), running(1), running(2)]);
    expect(linesOf(plan.actions)).toEqual(['stop v1-2']);
    expect(plan.actions[0]).toMatchObject({ reason: 'web[2]: scaled down to 2' });
  });

  it('stops everything when the job is stopped', () => {
    const plan = decide({ stopped: true }, [endedAs(0, 'succeeded'), running(1), running(2)]);
    expect(linesOf(plan.actions)).toEqual(['stop v1-1', 'stop v1-2', 'deployment v1 cancelled']);
  });
});
