// What RunJob (and PlanJob) of a file means for a job, and what the other changes do to its record:
// pure functions of (the job as it is, the request, now) → the job record as it becomes (and a new
// version, if any). The manager writes them and decides the instances from there.
import { InvalidArgumentError, NotFoundError } from '@mo/api';
import type { JobEntry } from './book.js';
import type { JobRecord } from './record.js';
import { rolloutJob, type RolloutJob } from './reconcile.js';
import { diffSpecs, JOB_LIMITS, specHash, type JobChange } from './spec.js';
import type { JobSpec, JobVersion } from './types.js';

export type RunKind = 'create' | 'none' | 'scale' | 'update';

export interface RunDecision {
  kind: RunKind;
  changes: JobChange[];
  /** The job's record as it becomes; undefined: nothing changes (the same file again). */
  job: JobRecord | undefined;
  /** The new version to store with it, if any. */
  version: JobVersion | undefined;
}

/**
 * RunJob of `spec`: a new job is version 1; the same spec as the current version (with the count
 * it runs at) changes nothing, unless the job was stopped (then it runs again); only `count`
 * changed is a scale (the same version); anything else is the next version.
 */
export function decideRun(e: JobEntry | undefined, spec: JobSpec, nowMs: number): RunDecision {
  const hash = specHash(spec);
  if (!e) {
    const version = { version: 1, spec, hash, submittedAtMs: nowMs };
    const job: JobRecord = {
      name: spec.name,
      version: 1,
      count: spec.count,
      stopped: false,
      lastGoodVersion: 0,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    };
    return { kind: 'create', changes: [], job, version };
  }
  const current = currentVersion(e);
  const d = diffSpecs({ ...current.spec, count: e.job.count }, spec);
  if (d.kind === 'none') {
    return {
      kind: 'none',
      changes: [],
      job: e.job.stopped ? { ...e.job, stopped: false, updatedAtMs: nowMs } : undefined,
      version: undefined,
    };
  }
  if (d.kind === 'scale') {
    return {
      kind: 'scale',
      changes: d.changes,
      job: { ...e.job, count: spec.count, stopped: false, updatedAtMs: nowMs },
      version: undefined,
    };
  }
  const number = Math.max(0, ...e.versions.map((v) => v.version)) + 1;
  return {
    kind: 'update',
    changes: d.changes,
    job: { ...e.job, version: number, count: spec.count, stopped: false, updatedAtMs: nowMs },
    version: { version: number, spec, hash, submittedAtMs: nowMs },
  };
}

/** ScaleJob: `count` instances of the current version (0 keeps the job, with nothing running). */
export function decideScale(e: JobEntry, count: number, nowMs: number): JobRecord {
  if (!Number.isInteger(count) || count < 0 || count > JOB_LIMITS.maxCount) {
    throw new InvalidArgumentError('count', `must be between 0 and ${JOB_LIMITS.maxCount}, got ${count}`);
  }
  return { ...e.job, count, updatedAtMs: nowMs };
}

/** RevertJob: an earlier version becomes current again, at its own count (no new version number). */
export function decideRevert(e: JobEntry, version: number, nowMs: number): JobRecord | undefined {
  const v = e.versions.find((x) => x.version === version);
  if (!v) {
    const kept = e.versions.map((x) => x.version).join(', ');
    throw new NotFoundError('version', `version of job "${e.job.name}"`, String(version), `kept: ${kept}`);
  }
  if (version === e.job.version && !e.job.stopped) return undefined;
  return { ...e.job, version, count: v.spec.count, stopped: false, updatedAtMs: nowMs };
}

export function currentVersion(e: JobEntry): JobVersion {
  const v = e.versions.find((x) => x.version === e.job.version);
  if (!v) throw new Error(`job ${e.job.name}: version ${e.job.version} is not stored`);
  return v;
}

/**
 * What the decisions read of job `job` (versions `versions`): the current version's spec at the
 * job's count, and the older versions that run the same task (they differ in count, update or
 * shutdown_delay only: kept, not replaced).
 */
export function rolloutOf(job: JobRecord, versions: readonly JobVersion[]): RolloutJob {
  const current = versions.find((v) => v.version === job.version)!;
  const sameTaskVersions = versions
    .filter((v) => v.version !== job.version && v.spec.type === current.spec.type)
    .filter((v) =>
      diffSpecs(v.spec, current.spec).changes.every(
        (c) => c.path === 'count' || c.path.startsWith('update.') || c.path === 'shutdownDelayMs',
      ),
    )
    .map((v) => v.version);
  return {
    ...rolloutJob(current, { lastGoodVersion: job.lastGoodVersion, stopped: job.stopped, sameTaskVersions }),
    count: job.count,
  };
}
