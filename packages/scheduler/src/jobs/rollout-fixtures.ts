// Fixtures for the job decision tests (rollout.test.ts, batch.test.ts, sim.ts): a job and its
// instances in any state, with defaults a test overrides field by field. Not used by the engine.
import type { JobAction } from './deployment.js';
import type { JobInstance, RolloutJob } from './reconcile.js';
import type { JobRestartPolicy, UpdateStrategy } from './types.js';

export type JobOverrides = Omit<Partial<RolloutJob>, 'update' | 'restart'> & {
  update?: Partial<UpdateStrategy>;
  restart?: Partial<JobRestartPolicy>;
};

/** A service of 5 at version 1 with checks: max_parallel 2, min_healthy_time 3 s, healthy_deadline 20 s. */
export function jobOf(o: JobOverrides = {}): RolloutJob {
  const { update, restart, ...rest } = o;
  return {
    name: 'web',
    type: 'service',
    count: 5,
    hasChecks: true,
    version: 1,
    sameTaskVersions: [],
    lastGoodVersion: 0,
    stopped: false,
    ...rest,
    update: { maxParallel: 2, minHealthyTimeMs: 3000, healthyDeadlineMs: 20_000, autoRevert: false, ...update },
    restart: { maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 60_000, ...restart },
  };
}

/** The time the tests start at. */
export const T0 = Date.UTC(2030, 0, 1);

/**
 * Instance `index` (id `v<version>-<index>`), by default running and healthy since long before T0:
 * placed at T0 − 60 s, running and healthy from T0 − 59 s.
 */
export function instanceOf(index: number, o: Partial<JobInstance> = {}): JobInstance {
  const version = o.version ?? 1;
  return {
    id: `v${version}-${index}`,
    version,
    index,
    attempt: 1,
    state: 'running',
    health: 'healthy',
    stopRequested: false,
    startedAtMs: T0 - 60_000,
    runningSinceMs: T0 - 59_000,
    healthySinceMs: T0 - 59_000,
    endedAtMs: 0,
    ...o,
  };
}

/** `n` healthy instances at indexes 0..n-1 (of `o.version`, default 1). */
export function healthy(n: number, o: Partial<JobInstance> = {}): JobInstance[] {
  return Array.from({ length: n }, (_, index) => instanceOf(index, o));
}

/** An instance placed at `atMs` that is not running yet. */
export function placed(index: number, version: number, atMs: number, o: Partial<JobInstance> = {}): JobInstance {
  return instanceOf(index, {
    version,
    state: 'starting',
    health: 'starting',
    startedAtMs: atMs,
    runningSinceMs: 0,
    healthySinceMs: 0,
    ...o,
  });
}

/** A plan's actions on one line each: `start v2[0] #1`, `stop v1-0`, `deployment v2 failed`, `revert 2->1`. */
export function linesOf(actions: readonly JobAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'start':
        return `start v${a.version}[${a.index}] #${a.attempt}${a.notBeforeMs ? ` at +${a.notBeforeMs - T0}` : ''}`;
      case 'stop':
        return `stop ${a.instanceId}`;
      case 'deployment':
        return `deployment v${a.version} ${a.state}`;
      case 'revert':
        return `revert ${a.fromVersion}->${a.toVersion}`;
    }
  });
}

/** The instances after the manager applied `actions`: starts are pending instances, stops asked for. */
export function applied(instances: readonly JobInstance[], actions: readonly JobAction[]): JobInstance[] {
  const next = instances.map((i) => ({ ...i }));
  for (const a of actions) {
    if (a.kind === 'stop') next.find((i) => i.id === a.instanceId)!.stopRequested = true;
    if (a.kind === 'start') {
      next.push(
        instanceOf(a.index, {
          id: `new-v${a.version}-${a.index}-${a.attempt}`,
          version: a.version,
          attempt: a.attempt,
          state: 'pending',
          health: 'starting',
          startedAtMs: 0,
          runningSinceMs: 0,
          healthySinceMs: 0,
        }),
      );
    }
  }
  return next;
}
