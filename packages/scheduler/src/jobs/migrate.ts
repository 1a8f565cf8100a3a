// A service's instances on a draining node (drain/), moved off it the way a rolling update moves
// versions: a replacement starts at the same index (placement refuses the draining node, so it
// lands elsewhere), and the old instance is stopped only once its replacement is settled (healthy
// — or running, without checks — for min_healthy_time). At most update.max_parallel replacements
// are in flight per job, so a drain never takes the service below its count of serving instances
// (an instance that does not serve is replaced the same way: it costs nothing to wait for).
// Pure: the job manager marks the instances (JobInstance.migrate) and applies the actions.
import type { JobAction } from './deployment.js';
import {
  isAvailable,
  isEnded,
  isLive,
  isSettled,
  nameOf,
  retryDelayMs,
  type JobInstance,
  type RolloutJob,
  type StartAction,
} from './reconcile.js';

export interface Migration {
  actions: JobAction[];
  /**
   * Migrating instances whose replacement is there: the replacement holds their index, so the
   * count (keepCount) and the rollout leave them out, as if already gone.
   */
  shadowed: Set<string>;
}

export function migrateOff(
  job: RolloutJob,
  instances: readonly JobInstance[],
  nowMs: number,
  random: () => number,
): Migration {
  const shadowed = new Set<string>();
  const actions: JobAction[] = [];
  const live = instances.filter(isLive);
  const candidates: JobInstance[] = [];
  let inFlight = 0;
  for (const m of live) {
    if (!m.migrate) continue;
    const partners = live.filter((i) => i !== m && i.index === m.index && !i.migrate);
    if (partners.length === 0) {
      candidates.push(m);
      continue;
    }
    shadowed.add(m.id);
    const settled = partners.find((i) => isSettled(job, i, nowMs));
    if (settled) {
      actions.push({
        kind: 'stop',
        instanceId: m.id,
        reason: `${nameOf(job, m)}: moved off its draining node (replaced by ${settled.id})`,
      });
    } else inFlight++;
  }
  const maxParallel = Math.max(1, job.update.maxParallel);
  // Those not serving first (nothing is lost while they wait), then by index.
  candidates.sort((a, b) => Number(isAvailable(job, a)) - Number(isAvailable(job, b)) || a.index - b.index);
  for (const m of candidates) {
    if (inFlight >= maxParallel) break;
    actions.push(replacementOf(job, m, instances, random));
    inFlight++;
  }
  return { actions, shadowed };
}

/** The start in place of `m`: a new attempt at its index; after a failed replacement, its backoff. */
function replacementOf(
  job: RolloutJob,
  m: JobInstance,
  instances: readonly JobInstance[],
  random: () => number,
): StartAction {
  const at = instances.filter((i) => i.index === m.index);
  const attempt = Math.max(...at.map((i) => i.attempt)) + 1;
  // Replacements of this one that ended (failed, lost) since it was placed: wait as a restart would.
  const failed = at.filter((i) => i !== m && isEnded(i) && !i.stopRequested && i.startedAtMs >= m.startedAtMs);
  const lastEnd = Math.max(0, ...failed.map((i) => i.endedAtMs));
  return {
    kind: 'start',
    version: job.version,
    index: m.index,
    attempt,
    notBeforeMs: failed.length > 0 ? lastEnd + retryDelayMs(job.restart, failed.length, random) : 0,
    reason: `${nameOf(job, m)}: in place of ${m.id}, moving off its draining node`,
  };
}
