// A job as the scheduler keeps it (store kinds 'job', 'job-version', 'deployment'): the job's
// record (which version is current, its count, stopped, last good version), one record per version
// (the spec as submitted, normalized) and one per deployment. Instances are workload records that
// name their job (WorkloadRecord.job): they are not stored twice.
import type { StoreOp } from '../store/store.js';
import type { DeploymentRecord } from './deployment.js';
import type { JobVersion } from './types.js';

export interface JobRecord {
  name: string;
  /** The current version (the one being deployed, if a deployment is on). */
  version: number;
  /** Instances wanted: the current version's count, or what ScaleJob set since. */
  count: number;
  /** StopJob was called, and no RunJob (or revert) since. */
  stopped: boolean;
  /** The last version whose deployment succeeded (0: none). */
  lastGoodVersion: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Deployments kept per job (oldest dropped first). */
export const MAX_DEPLOYMENTS = 100;

/** Zero-padded, so the store's id order is version order. */
export const versionId = (name: string, version: number): string => `${name}/${String(version).padStart(10, '0')}`;

/** A deployment's id: started-at order, then version (a version may be deployed more than once). */
export const deploymentId = (name: string, d: Pick<DeploymentRecord, 'startedAtMs' | 'version'>): string =>
  `${name}/${String(d.startedAtMs).padStart(15, '0')}/${d.version}`;

export const jobOp = (j: JobRecord): StoreOp => ({ kind: 'job', id: j.name, value: j });

export const versionOp = (name: string, v: JobVersion): StoreOp => ({
  kind: 'job-version',
  id: versionId(name, v.version),
  value: v,
});

export const deploymentOp = (name: string, d: DeploymentRecord): StoreOp => ({
  kind: 'deployment',
  id: deploymentId(name, d),
  value: d,
});

/** The part of a stored id before the first `/`: the job's name (names have no `/`). */
export const jobOfId = (id: string): string => id.slice(0, id.indexOf('/'));
