// Between workload records and the job decisions: what a job's workload record says as a
// JobInstance (the decisions' view), and the workload a `start` action submits.
import type { SubmitWorkloadRequest, SubmitWorkloadRequest__Output } from '@mo/api';
import type { JobInstanceSubmit } from '../workloads/submit.js';
import { TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';
import type { JobInstance, StartAction } from './reconcile.js';
import type { JobSpec } from './types.js';

/** Labels on every instance, so `mo status` shows which job (and version) a workload is. */
export const LABEL_JOB = 'mo.job';
export const LABEL_JOB_VERSION = 'mo.job.version';

/** The decisions' view of a job's workload (it has `job`). */
export function instanceOf(r: WorkloadRecord, hasChecks: boolean): JobInstance {
  const ref = r.job!;
  const ended = TERMINAL_STATES.has(r.state);
  const placed = r.state !== 'pending';
  let health: JobInstance['health'] = 'none';
  if (hasChecks) health = r.health ?? (ended ? 'unhealthy' : 'starting');
  return {
    id: r.id,
    version: ref.version,
    index: ref.index,
    attempt: ref.attempt,
    state: r.state,
    health,
    stopRequested: r.stopRequested,
    startedAtMs: placed ? placedAtMs(r) : 0,
    runningSinceMs: r.state === 'pending' || r.state === 'starting' ? 0 : (r.runningSinceMs ?? 0),
    healthySinceMs: r.health === 'healthy' ? (r.healthChangedAtMs ?? 0) : 0,
    endedAtMs: ended ? (r.events[r.events.length - 1]?.atMs ?? r.updatedAtMs) : 0,
  };
}

/** When its (one: restart is `never`) allocation was placed: its last `starting` event. */
function placedAtMs(r: WorkloadRecord): number {
  for (let k = r.events.length - 1; k >= 0; k--) if (r.events[k]!.state === 'starting') return r.events[k]!.atMs;
  return r.createdAtMs;
}

/** An instance the manager asked for and the scheduler has not yet acknowledged: counted at once. */
export function submittingInstance(a: StartAction, id: string, hasChecks: boolean): JobInstance {
  return {
    id,
    version: a.version,
    index: a.index,
    attempt: a.attempt,
    state: 'pending',
    health: hasChecks ? 'starting' : 'none',
    stopRequested: false,
    startedAtMs: 0,
    runningSinceMs: 0,
    healthySinceMs: 0,
    endedAtMs: 0,
  };
}

/** The workload of instance `a` of `spec`: restart `never` (the job decides replacements). */
export function instanceRequest(
  spec: JobSpec,
  a: StartAction,
): { req: SubmitWorkloadRequest__Output; job: JobInstanceSubmit } {
  const t = spec.task;
  const req: SubmitWorkloadRequest = {
    spec: {
      name: `${spec.name}-${a.index}`.slice(0, 63),
      argv: [...t.command],
      env: { ...t.env, MO_JOB: spec.name, MO_JOB_VERSION: String(a.version), MO_JOB_INDEX: String(a.index) },
      resources: { cpuMillis: t.cpuMillis, memoryBytes: t.memoryBytes },
      labels: { ...t.labels, [LABEL_JOB]: spec.name, [LABEL_JOB_VERSION]: String(a.version) },
      driver: t.driver,
      ...(t.user && { user: t.user }),
      ...(t.timeoutMs > 0 && { timeoutMs: t.timeoutMs }),
      // Absent: the cluster's --lost-after.
      ...(spec.lostAfterMs > 0 && { lostAfterMs: spec.lostAfterMs }),
      ...(t.driver === 'docker'
        ? { docker: { image: t.image, network: t.network, writableRoot: t.writableRoot } }
        : {}),
    },
    scheduling: {
      constraints: t.constraints,
      node: t.node,
      priority: 'PRIORITY_NORMAL',
      restart: { mode: 'RESTART_MODE_NEVER' },
      batch: spec.type === 'batch',
    },
  };
  return {
    // The permissive request type carries everything validateSubmission reads.
    req: req as SubmitWorkloadRequest__Output,
    job: {
      ref: { name: spec.name, version: a.version, index: a.index, attempt: a.attempt },
      ports: spec.ports.map((p) => ({ ...p })),
      checks: spec.checks,
      notBeforeMs: a.notBeforeMs,
    },
  };
}
