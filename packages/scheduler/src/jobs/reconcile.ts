// A job's instances as the pure job decisions see them (rollout.ts, batch.ts), and how a service
// keeps `count` of them: which instances are live, available, settled; which go first when there
// are too many; what starts in place of the missing ones, and when. No I/O and no clock: `nowMs`
// is an input. Doubt is not death: an `unknown` instance keeps its place until it is `lost`.
import { backoffDelay, TERMINAL_STATES, type WorkloadStateName } from '@mo/api';
import { RESTART_DEFAULTS } from '../workloads/restart.js';
import type { JobRestartPolicy, JobType, JobVersion, UpdateStrategy } from './types.js';

/** What the agent's checks say: `none` when the job has no checks. */
export type InstanceHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

/** One instance of a job (a workload the manager started for it). */
export interface JobInstance {
  id: string;
  version: number;
  /** Its place in the job (Nomad's alloc index, `web[3]`): a replacement takes the same one. */
  index: number;
  /** 1-based: which attempt at its index (for this version) it is; retries and backoff count it. */
  attempt: number;
  state: WorkloadStateName;
  health: InstanceHealth;
  /** A stop was asked for (here or by a person): it is on its way out and is not asked again. */
  stopRequested: boolean;
  /** When it was placed (0: not yet); healthy_deadline counts from here. */
  startedAtMs: number;
  /** Since when it has been running (0: it is not). */
  runningSinceMs: number;
  /** Since when its checks have passed (0: they do not, or there are none). */
  healthySinceMs: number;
  /** When it ended (0: it has not). */
  endedAtMs: number;
  /** On a draining node (drain/): replaced elsewhere, then stopped (migrate.ts). */
  migrate?: boolean;
}

/** What the decisions read of a job: its spec's few fields and where its versions stand. */
export interface RolloutJob {
  name: string;
  type: JobType;
  count: number;
  update: UpdateStrategy;
  restart: JobRestartPolicy;
  /** Without checks an instance counts as healthy while it runs. */
  hasChecks: boolean;
  /** The version instances should run (the one being deployed, if a deployment is on). */
  version: number;
  /** Older versions that run the same task (they differ in count or update only): kept, not replaced. */
  sameTaskVersions: readonly number[];
  /** The last version whose deployment succeeded (0: none), what auto_revert goes back to. */
  lastGoodVersion: number;
  /** `mo job stop`: every instance is stopped and nothing starts. */
  stopped: boolean;
}

/** The RolloutJob for `v` (the manager adds where the job's versions stand). */
export function rolloutJob(
  v: JobVersion,
  o: Pick<RolloutJob, 'lastGoodVersion' | 'stopped'> & Partial<Pick<RolloutJob, 'sameTaskVersions'>>,
): RolloutJob {
  const { name, type, count, update, restart, checks } = v.spec;
  return {
    name,
    type,
    count,
    update,
    restart,
    hasChecks: checks.length > 0,
    version: v.version,
    sameTaskVersions: o.sameTaskVersions ?? [],
    lastGoodVersion: o.lastGoodVersion,
    stopped: o.stopped,
  };
}

export type StartAction = {
  kind: 'start';
  version: number;
  index: number;
  attempt: number;
  /** Not placed before (a retry's backoff): the manager creates it pending at once, so it is counted. */
  notBeforeMs: number;
  reason: string;
};
export type StopAction = { kind: 'stop'; instanceId: string; reason: string };

/** `web[3]`: how reasons name an instance. */
export const nameOf = (job: Pick<RolloutJob, 'name'>, i: Pick<JobInstance, 'index'>): string =>
  `${job.name}[${i.index}]`;

export const isEnded = (i: JobInstance): boolean => TERMINAL_STATES.has(i.state);

/** Holds a place in the job: not ended and not on its way out (`unknown` included). */
export const isLive = (i: JobInstance): boolean => !isEnded(i) && !i.stopRequested;

export const isCurrent = (job: RolloutJob, i: JobInstance): boolean =>
  i.version === job.version || job.sameTaskVersions.includes(i.version);

/** Serving now: running and, with checks, healthy. */
export const isAvailable = (job: RolloutJob, i: JobInstance): boolean =>
  i.state === 'running' && (!job.hasChecks || i.health === 'healthy');

/** When an available instance will have been so for min_healthy_time (Infinity: it is not available). */
export function settlesAtMs(job: RolloutJob, i: JobInstance): number {
  if (!isAvailable(job, i)) return Infinity;
  const since = job.hasChecks ? i.healthySinceMs : i.runningSinceMs;
  return since + job.update.minHealthyTimeMs;
}

/** Available for min_healthy_time: a new instance counts as healthy only from then (Nomad's rule). */
export const isSettled = (job: RolloutJob, i: JobInstance, nowMs: number): boolean => settlesAtMs(job, i) <= nowMs;

/** 0: not serving (pending, starting, unhealthy), 1: unknown (doubt), 2: serving. */
function serviceRank(job: RolloutJob, i: JobInstance): number {
  if (isAvailable(job, i)) return 2;
  return i.state === 'unknown' ? 1 : 0;
}

/**
 * Live instances in the order they go when there are too many: another version's first, then the
 * ones not serving (an unknown one before a healthy one), then the newest. Healthy, long-running
 * instances of the current version are kept longest.
 */
export function removalOrder(job: RolloutJob, live: readonly JobInstance[]): JobInstance[] {
  return [...live].sort(
    (a, b) =>
      Number(isCurrent(job, a)) - Number(isCurrent(job, b)) ||
      serviceRank(job, a) - serviceRank(job, b) ||
      b.startedAtMs - a.startedAtMs ||
      b.index - a.index ||
      a.id.localeCompare(b.id),
  );
}

/** Indexes in [0, count) no live instance holds, lowest first. */
export function freeIndexes(live: readonly JobInstance[], count: number): number[] {
  const held = new Set(live.map((i) => i.index));
  const free: number[] = [];
  for (let k = 0; k < count; k++) if (!held.has(k)) free.push(k);
  return free;
}

/** The last instance of the current version(s) at `index` (highest attempt, then latest placed). */
export function lastAt(job: RolloutJob, instances: readonly JobInstance[], index: number): JobInstance | undefined {
  let last: JobInstance | undefined;
  for (const i of instances) {
    if (i.index !== index || !isCurrent(job, i)) continue;
    if (!last || i.attempt > last.attempt || (i.attempt === last.attempt && i.startedAtMs > last.startedAtMs)) last = i;
  }
  return last;
}

/**
 * The next start at `index`, after `last` (the last instance there, if any). A failure waits its
 * backoff from when it ended (so asking again gives the same answer); a lost instance is replaced
 * at once (lost_after was the wait); a run that lasted stable_after (restart.ts) starts the row of
 * attempts over, and so does one that was asked to stop.
 */
export function nextStart(
  job: RolloutJob,
  index: number,
  last: JobInstance | undefined,
  random: () => number,
  why: string,
): StartAction {
  const start = { kind: 'start' as const, version: job.version, index };
  // One asked to stop (scaled down, replaced, stopped by a person) did not fail: a fresh row.
  if (!last || !isEnded(last) || last.stopRequested)
    return { ...start, attempt: 1, notBeforeMs: 0, reason: `${nameOf(job, { index })}: ${why}` };
  const ranForMs = last.runningSinceMs > 0 ? Math.max(0, last.endedAtMs - last.runningSinceMs) : 0;
  const stable = job.type === 'service' && ranForMs >= RESTART_DEFAULTS.stableAfterMs;
  const attempt = stable ? 1 : last.attempt + 1;
  const waits = !stable && (last.state === 'failed' || last.state === 'succeeded');
  const delayMs = waits ? retryDelayMs(job.restart, attempt - 1, random) : 0;
  return {
    ...start,
    attempt,
    notBeforeMs: delayMs > 0 ? last.endedAtMs + delayMs : 0,
    reason: `${nameOf(job, last)} ${last.state}: attempt ${attempt} of version ${job.version}`,
  };
}

/** The backoff before retry `n` (1 = the first retry), as restarts and pipeline retries compute it. */
export function retryDelayMs(p: JobRestartPolicy, n: number, random: () => number): number {
  const initialMs = p.initialBackoffMs > 0 ? p.initialBackoffMs : RESTART_DEFAULTS.initialBackoffMs;
  const maxMs = p.maxBackoffMs > 0 ? p.maxBackoffMs : RESTART_DEFAULTS.maxBackoffMs;
  return backoffDelay(n, { initialMs, maxMs, jitter: 'spread' }, random);
}

/**
 * Back to `count` live instances: the extra ones stopped (removalOrder), the missing ones started
 * at the free indexes. An unknown instance is live, so nothing is started in its place.
 * Returns the actions and the instances still live after the stops.
 */
export function keepCount(
  job: RolloutJob,
  instances: readonly JobInstance[],
  random: () => number,
): { stops: StopAction[]; starts: StartAction[]; live: JobInstance[] } {
  let live = instances.filter(isLive);
  const stops: StopAction[] = [];
  const excess = live.length - job.count;
  if (excess > 0) {
    const gone = new Set(removalOrder(job, live).slice(0, excess));
    for (const i of gone) {
      stops.push({ kind: 'stop', instanceId: i.id, reason: `${nameOf(job, i)}: scaled down to ${job.count}` });
    }
    live = live.filter((i) => !gone.has(i));
  }
  const starts = freeIndexes(live, job.count)
    .slice(0, Math.max(0, job.count - live.length))
    .map((index) =>
      nextStart(job, index, lastAt(job, instances, index), random, `${live.length} of ${job.count} live`),
    );
  return { stops, starts, live };
}
