// A job (issue 17): a named, versioned, declarative file (`mo run -f job.yaml`) of `type: service`
// (kept running: `count` instances, restarted without limit) or `type: batch` (`count` instances run
// to completion, with retries). These are the validated, normalized shapes spec.ts produces and the
// pure decisions (rollout.ts) read; nothing here talks to the store, the wire or an agent.
import type { CheckKind, CheckSpec } from '@mo/api';
import type { WorkloadTemplate } from '../pipelines/spec.js';

export type { CheckKind, CheckSpec };

export type JobType = 'service' | 'batch';

/** A named port: the agent picks a host port from its pool; `to` is the container's (docker). */
export interface PortSpec {
  /** [a-z][a-z0-9_]{0,31}: becomes $MO_PORT_<NAME> and $MO_ADDR_<NAME> (upper-cased) for a process. */
  name: string;
  /** The container port a docker workload listens on (0 for a process: it reads $MO_PORT_<NAME>). */
  to: number;
}

/** How a new version replaces instances (Nomad's `update` block). */
export interface UpdateStrategy {
  /** Instances replaced at a time (≥ 1). */
  maxParallel: number;
  /** A new instance must be healthy (or, without checks, running) this long to count. */
  minHealthyTimeMs: number;
  /** A new instance not healthy within this after it was placed fails the deployment. */
  healthyDeadlineMs: number;
  /** On a failed deployment, roll back to the last version whose deployment succeeded. */
  autoRevert: boolean;
}

/** Batch: attempts per instance (services restart without limit, with this backoff). */
export interface JobRestartPolicy {
  /** Attempts in all, including the first (batch); ignored by services (unlimited). */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface JobSpec {
  /** The job's name: its handle, unique in the cluster ([a-z0-9][a-z0-9._-]{0,62}). */
  name: string;
  type: JobType;
  /** Instances wanted (service) or to complete (batch). */
  count: number;
  /** What each instance runs (the workload fields pipelines steps also take). */
  task: WorkloadTemplate;
  ports: PortSpec[];
  checks: CheckSpec[];
  update: UpdateStrategy;
  restart: JobRestartPolicy;
  /** How long an unreachable node's instance may stay `unknown` before it is replaced (0 = default). */
  lostAfterMs: number;
  /**
   * Between taking an instance out of its service (discovery stops listing it) and stopping it, so
   * clients that resolved it just before finish their requests (Nomad's shutdown_delay). Absent: 0,
   * and absent from the spec's hash, so specs from before it existed keep their hash.
   */
  shutdownDelayMs?: number;
}

/** A version of a job: the spec as submitted, numbered from 1; the same spec again is no new version. */
export interface JobVersion {
  version: number;
  spec: JobSpec;
  /** Canonical hash of the spec (spec.ts's specHash): equal hashes, no change. */
  hash: string;
  submittedAtMs: number;
}
