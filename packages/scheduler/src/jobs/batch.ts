// A batch job: `count` instances (indexes 0..count-1) run to completion.
// - An index is done once an instance of it succeeded (of this version, or of one with the same
//   task): it never runs again. A new task is new work: it runs again, and what still runs of
//   another version is replaced.
// - A failed (or lost) attempt is retried after its backoff, up to restart.maxAttempts in all
//   (0: no limit); one stopped by request starts a fresh row. An index out of attempts fails the
//   run: nothing more starts; what still runs is left to finish (its work is not thrown away by a
//   failure elsewhere).
// - An unknown instance holds its index until it is lost (doubt is not death).
import {
  deploymentFor,
  ended,
  type DeploymentRecord,
  type JobAction,
  type JobPlan,
  type JobState,
} from './deployment.js';
import { isAvailable, isCurrent, isLive, lastAt, nameOf, nextStart, type JobInstance } from './reconcile.js';

export function decideBatch(s: JobState): JobPlan {
  const { job, nowMs } = s;
  const random = s.random ?? (() => 0.5);
  const actions: JobAction[] = [];
  let d: DeploymentRecord = deploymentFor(job, s.deployment, nowMs, actions);

  const byIndex = new Map<number, JobInstance[]>();
  for (const i of s.instances) {
    const at = byIndex.get(i.index) ?? [];
    at.push(i);
    byIndex.set(i.index, at);
  }

  const max = job.restart.maxAttempts;
  const starts: JobAction[] = [];
  let done = 0;
  let outOfAttempts = '';
  let exhausted = 0;
  for (let index = 0; index < job.count; index++) {
    const at = byIndex.get(index) ?? [];
    if (at.some((i) => i.state === 'succeeded' && isCurrent(job, i))) {
      done++;
      continue;
    }
    // Another version's run would not count: it is replaced (unless unknown: doubt decides nothing).
    for (const i of at) {
      if (isLive(i) && !isCurrent(job, i) && i.state !== 'unknown') {
        actions.push({
          kind: 'stop',
          instanceId: i.id,
          reason: `${nameOf(job, i)}: replaced by version ${job.version}`,
        });
      }
    }
    const live = at.filter((i) => isLive(i) && (isCurrent(job, i) || i.state === 'unknown'));
    // Two live at one index (a start applied twice): the newer goes.
    for (const extra of live.sort((a, b) => a.startedAtMs - b.startedAtMs || a.attempt - b.attempt).slice(1)) {
      actions.push({ kind: 'stop', instanceId: extra.id, reason: `${nameOf(job, extra)}: a second copy` });
    }
    if (live.length > 0) continue;
    const last = lastAt(job, at, index);
    if (last && !last.stopRequested && max > 0 && last.attempt >= max) {
      exhausted++;
      outOfAttempts ||= `${nameOf(job, last)} ${last.state} ${last.attempt} of ${max} attempt(s)`;
      continue;
    }
    starts.push(nextStart(job, index, last, random, 'to run'));
  }
  // Scaled down: indexes past count that still run are stopped (done ones stay done).
  for (const i of s.instances) {
    if (i.index >= job.count && isLive(i)) {
      actions.push({ kind: 'stop', instanceId: i.id, reason: `${nameOf(job, i)}: scaled down to ${job.count}` });
    }
  }

  if (d.state === 'running' && outOfAttempts) {
    const e = ended(d, 'failed', outOfAttempts, nowMs);
    d = e.record;
    actions.push(e.action);
  }
  // A failed run starts nothing more (a new version, or a revert, starts a new run).
  if (d.state !== 'failed') actions.push(...starts);
  if (d.state === 'running' && done === job.count) {
    const e = ended(d, 'succeeded', `${done} of ${job.count} succeeded`, nowMs);
    d = e.record;
    actions.push(e.action);
  }

  const live = s.instances.filter((i) => isLive(i) && i.index < job.count);
  const counts = {
    desired: job.count,
    placed: live.length,
    healthy: live.filter((i) => isAvailable(job, i)).length,
    unhealthy: exhausted,
    succeeded: done,
  };
  const deployment = d.state === 'running' || d !== s.deployment ? { ...d, ...counts } : d;
  return { actions, deployment, wakeAtMs: Infinity };
}
