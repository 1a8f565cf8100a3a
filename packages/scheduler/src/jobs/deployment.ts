// A job's deployment record (one rollout of one version, `mo job status`) and the shapes every job
// decision shares: what it reads (JobState) and what it returns (JobPlan: actions and the record).
import type { JobInstance, RolloutJob, StartAction, StopAction } from './reconcile.js';

export type DeploymentState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One rollout of one version (`mo job status`); a batch job's run of a version is one too. */
export interface DeploymentRecord {
  version: number;
  state: DeploymentState;
  /** The job's count. */
  desired: number;
  /** Live instances of this version (or of one running the same task). */
  placed: number;
  /** Of those, settled: serving for min_healthy_time (batch: running). */
  healthy: number;
  /** New instances that failed, are unhealthy or missed their deadline (batch: indexes out of attempts). */
  unhealthy: number;
  /** Batch: indexes done (they never run again); 0 for a service. */
  succeeded: number;
  startedAtMs: number;
  /** 0 while running. */
  endedAtMs: number;
  reason: string;
}

export type JobAction =
  | StartAction
  | StopAction
  /** The deployment ended: an event for `mo job history` (and lastGoodVersion on success). */
  | { kind: 'deployment'; version: number; state: Exclude<DeploymentState, 'running'>; reason: string }
  /** auto_revert: make `toVersion` the job's version again (no new version number). */
  | { kind: 'revert'; fromVersion: number; toVersion: number; reason: string };

export interface JobState {
  job: RolloutJob;
  /** Every instance the manager holds for the job: the live ones and at least the last ended one of each index. */
  instances: readonly JobInstance[];
  /** The job's latest deployment record, if any. */
  deployment: DeploymentRecord | undefined;
  nowMs: number;
  /** [0, 1): the retry backoff's jitter (default 0.5: none). */
  random?: () => number;
}

export interface JobPlan {
  actions: JobAction[];
  deployment: DeploymentRecord | undefined;
  /** Ask again then if nothing is reported before (a min_healthy_time or deadline passes); Infinity: no need. */
  wakeAtMs: number;
}

/** The deployment of the job's version: `current` if it is that, else a new one (a running one superseded is cancelled). */
export function deploymentFor(
  job: RolloutJob,
  current: DeploymentRecord | undefined,
  nowMs: number,
  actions: JobAction[],
): DeploymentRecord {
  // A cancelled one of this version (the job was stopped, and now runs again) starts over.
  if (current && current.version === job.version && current.state !== 'cancelled') return current;
  if (current?.state === 'running') {
    actions.push(ended(current, 'cancelled', `superseded by version ${job.version}`, nowMs).action);
  }
  const record: DeploymentRecord = {
    version: job.version,
    state: 'running',
    desired: job.count,
    placed: 0,
    healthy: 0,
    unhealthy: 0,
    succeeded: 0,
    startedAtMs: nowMs,
    endedAtMs: 0,
    reason: !current ? 'first version' : current.version === job.version ? 'again' : `from version ${current.version}`,
  };
  return record;
}

/** `d` ended in `state`, and the action that says so. */
export function ended(
  d: DeploymentRecord,
  state: Exclude<DeploymentState, 'running'>,
  reason: string,
  nowMs: number,
): { record: DeploymentRecord; action: JobAction } {
  return {
    record: { ...d, state, reason, endedAtMs: nowMs },
    action: { kind: 'deployment', version: d.version, state, reason },
  };
}
