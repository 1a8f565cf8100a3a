// What a job's instances need next: one pure function of (job, instances, deployment, now) →
// actions and the deployment record as it becomes, as the workload lifecycle decides (lifecycle.ts)
// and Nomad's reconciler and deployment watcher do. The manager applies the actions and calls again
// on any change and at `wakeAtMs`; asking twice about the same state asks for nothing twice (a
// start makes a pending instance at once, a stop marks it stopRequested).
//
// Services (batch jobs are batch.ts's):
// - `count` live instances of the job's version: an ended or lost one is replaced (failures after
//   their backoff); an `unknown` one is not (doubt is not death) until it is `lost`.
// - A new version replaces the others at most max_parallel in flight at a time, and an old instance
//   that serves is stopped only while the serving ones (old, or new ones healthy — or running,
//   without checks — for min_healthy_time) stay ≥ count − max_parallel.
// - A new instance not settled within healthy_deadline of being placed, or one that fails, fails
//   the deployment: nothing more of the old ones is replaced; with auto_revert the job goes back to
//   its last good version (a `revert` action), whose deployment replaces the broken ones.
// - Scale (count only, or a version whose task did not change) starts or stops instances, no
//   rollout; a stopped job stops everything.
// - Instances on a draining node move elsewhere, max_parallel at a time, replacement first
//   (migrate.ts).
import { decideBatch } from './batch.js';
import {
  deploymentFor,
  ended,
  type DeploymentRecord,
  type JobAction,
  type JobPlan,
  type JobState,
} from './deployment.js';
import { migrateOff } from './migrate.js';
import {
  isAvailable,
  isCurrent,
  isLive,
  isSettled,
  keepCount,
  nameOf,
  nextStart,
  settlesAtMs,
  type JobInstance,
  type RolloutJob,
} from './reconcile.js';

/** The decision for a job, whatever its type. */
export function decideJob(s: JobState): JobPlan {
  if (s.job.stopped) return stopJob(s);
  return s.job.type === 'batch' ? decideBatch(s) : decideService(s);
}

/** `mo job stop`: every instance still there is stopped (unknown ones too: a stop is fenced if they return). */
function stopJob(s: JobState): JobPlan {
  const actions: JobAction[] = s.instances
    .filter(isLive)
    .map((i): JobAction => ({ kind: 'stop', instanceId: i.id, reason: `${nameOf(s.job, i)}: job stopped` }));
  let deployment = s.deployment;
  if (deployment?.state === 'running') {
    const e = ended(deployment, 'cancelled', 'job stopped', s.nowMs);
    deployment = e.record;
    actions.push(e.action);
  } else if (deployment && deployment.state !== 'cancelled') {
    // An ended one stays as it ended; the stop gets a record of its own, so that running the job
    // again deploys anew (deploymentFor) instead of finding a deployment that already succeeded.
    const stop = { ...deployment, placed: 0, healthy: 0, unhealthy: 0, startedAtMs: s.nowMs };
    const e = ended(stop, 'cancelled', 'job stopped', s.nowMs);
    deployment = e.record;
    actions.push(e.action);
  }
  return { actions, deployment, wakeAtMs: Infinity };
}

/** Why a new instance of deployment `d` fails it, if one does. */
function failureOf(s: JobState, d: DeploymentRecord): { reason: string; unhealthy: number } {
  const { job, nowMs } = s;
  const deadline = job.update.healthyDeadlineMs;
  let reason = '';
  let unhealthy = 0;
  for (const i of s.instances) {
    // Instances placed for this deployment: an older one of the same task is not on trial.
    if (!isCurrent(job, i) || i.startedAtMs < d.startedAtMs || i.startedAtMs === 0) continue;
    let why = '';
    if (i.state === 'failed') why = 'failed';
    else if (isLive(i) && i.state !== 'unknown' && !isSettled(job, i, nowMs)) {
      // An unknown one is not judged: its node may be fine, and lost_after settles it.
      if (nowMs >= i.startedAtMs + deadline) why = `not healthy within ${deadline} ms of being placed`;
      else if (i.health === 'unhealthy') unhealthy++;
    }
    if (!why) continue;
    unhealthy++;
    reason ||= `${nameOf(job, i)} (${i.id}) of version ${i.version} ${why}`;
  }
  return { reason, unhealthy };
}

function decideService(s: JobState): JobPlan {
  const { job, nowMs } = s;
  const random = s.random ?? (() => 0.5);
  const actions: JobAction[] = [];
  let d = deploymentFor(job, s.deployment, nowMs, actions);

  const failure = failureOf(s, d);
  if (d.state === 'running' && failure.reason) {
    const e = ended(d, 'failed', failure.reason, nowMs);
    d = e.record;
    actions.push(e.action);
  }
  const revertTo = job.update.autoRevert && job.lastGoodVersion > 0 ? job.lastGoodVersion : 0;
  if (d.state === 'failed' && revertTo > 0 && revertTo !== job.version) {
    // Asked for as long as the failed version is the job's: the manager applies it once (it makes
    // revertTo the job's version), and nothing more of the broken version starts meanwhile.
    actions.push({
      kind: 'revert',
      fromVersion: job.version,
      toVersion: revertTo,
      reason: `deployment of version ${job.version} failed: ${d.reason}`,
    });
    return plan(s, d, actions, failure.unhealthy);
  }

  // Instances leaving a draining node (migrate.ts): those already replaced are out of the count.
  const migration = migrateOff(job, s.instances, nowMs, random);
  const counted = migration.shadowed.size ? s.instances.filter((i) => !migration.shadowed.has(i.id)) : s.instances;
  const { stops, starts, live } = keepCount(job, counted, random);
  actions.push(...migration.actions, ...stops, ...starts);
  if (d.state !== 'failed') actions.push(...replaceOld(s, live, starts.length, random));

  if (d.state === 'running' && actions.length === 0 && rolledOut(job, live, nowMs)) {
    const e = ended(d, 'succeeded', `${job.count} of ${job.count} healthy`, nowMs);
    d = e.record;
    actions.push(e.action);
  }
  return plan(s, d, actions, failure.unhealthy);
}

/**
 * The rolling part: live instances of other versions are stopped and replaced at their index, while
 * fewer than max_parallel new ones are in flight (not yet settled), and — for one that serves — only
 * if the serving ones stay ≥ count − max_parallel. Unknown ones wait: nothing is decided on doubt.
 */
function replaceOld(s: JobState, live: JobInstance[], justStarted: number, random: () => number): JobAction[] {
  const { job, nowMs } = s;
  // spec.ts keeps it ≥ 1; a 0 here would stall the rollout for good.
  const maxParallel = Math.max(1, job.update.maxParallel);
  const floor = job.count - maxParallel;
  let inFlight = justStarted;
  let serving = 0;
  const old: JobInstance[] = [];
  for (const i of live) {
    if (isCurrent(job, i)) {
      if (isSettled(job, i, nowMs)) serving++;
      else inFlight++;
    } else {
      if (isAvailable(job, i)) serving++;
      // One leaving a draining node is replaced by the migration, at the job's version.
      if (i.state !== 'unknown' && !i.migrate) old.push(i);
    }
  }
  // Those not serving go first (they cost nothing to stop), then the oldest versions.
  old.sort(
    (a, b) =>
      Number(isAvailable(job, a)) - Number(isAvailable(job, b)) ||
      a.version - b.version ||
      a.index - b.index ||
      a.id.localeCompare(b.id),
  );
  const actions: JobAction[] = [];
  for (const i of old) {
    if (inFlight >= maxParallel) break;
    const serves = isAvailable(job, i);
    if (serves && serving - 1 < floor) break;
    const why = `replaced by version ${job.version}`;
    actions.push({ kind: 'stop', instanceId: i.id, reason: `${nameOf(job, i)} of version ${i.version}: ${why}` });
    actions.push(nextStart(job, i.index, undefined, random, `version ${job.version} in place of ${i.id}`));
    inFlight++;
    if (serves) serving--;
  }
  return actions;
}

/** Done: exactly `count` live, all of the job's version and settled; unknown ones wait to be settled. */
function rolledOut(job: RolloutJob, live: readonly JobInstance[], nowMs: number): boolean {
  return live.length === job.count && live.every((i) => isCurrent(job, i) && isSettled(job, i, nowMs));
}

/** The record with its counts as of now, and when to look again. */
function plan(s: JobState, d: DeploymentRecord, actions: JobAction[], unhealthy: number): JobPlan {
  const { job, nowMs } = s;
  const current = s.instances.filter((i) => isLive(i) && isCurrent(job, i));
  const counts = {
    desired: job.count,
    placed: current.length,
    healthy: current.filter((i) => isSettled(job, i, nowMs)).length,
    unhealthy,
  };
  const deployment = d.state === 'running' || d !== s.deployment ? { ...d, ...counts } : d;
  let wakeAtMs = Infinity;
  for (const i of current) {
    if (i.state === 'unknown') continue;
    const settles = settlesAtMs(job, i);
    if (settles > nowMs && settles < Infinity) wakeAtMs = Math.min(wakeAtMs, settles);
    const deadline = i.startedAtMs + job.update.healthyDeadlineMs;
    if (d.state === 'running' && i.startedAtMs >= d.startedAtMs && i.startedAtMs > 0 && settles > nowMs)
      wakeAtMs = Math.min(wakeAtMs, Math.max(deadline, nowMs));
  }
  return { actions, deployment, wakeAtMs };
}

export type { DeploymentRecord, DeploymentState, JobAction, JobPlan, JobState } from './deployment.js';
export { rolloutJob, type InstanceHealth, type JobInstance, type RolloutJob } from './reconcile.js';
