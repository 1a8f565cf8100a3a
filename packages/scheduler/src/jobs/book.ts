// JobBook: every job, its versions and deployments in memory, written through to the store. It
// decides nothing: the manager (manager.ts) calls it with what changed.
import { NotFoundError, type Logger } from '@mo/api';
import { logPersistFailure, type Store, type StoreOp } from '../store/store.js';
import type { DeploymentRecord } from './deployment.js';
import { deploymentId, deploymentOp, jobOfId, jobOp, MAX_DEPLOYMENTS, versionOp, type JobRecord } from './record.js';
import type { JobVersion } from './types.js';

export interface JobEntry {
  job: JobRecord;
  /** By version number, ascending. */
  versions: JobVersion[];
  /** Oldest first: the last is the latest. */
  deployments: DeploymentRecord[];
}

export class JobBook {
  private readonly jobs = new Map<string, JobEntry>();
  private batch: StoreOp[] | undefined;

  constructor(private readonly o: { store: Store; logger: Logger }) {}

  async load(): Promise<number> {
    const { store } = this.o;
    for (const { value } of await store.load('job')) {
      const job = value as JobRecord;
      this.jobs.set(job.name, { job, versions: [], deployments: [] });
    }
    for (const { id, value } of await store.load('job-version'))
      this.jobs.get(jobOfId(id))?.versions.push(value as JobVersion);
    for (const { id, value } of await store.load('deployment')) {
      this.jobs.get(jobOfId(id))?.deployments.push(value as DeploymentRecord);
    }
    for (const e of this.jobs.values()) e.versions.sort((a, b) => a.version - b.version);
    return this.jobs.size;
  }

  find(name: string): JobEntry | undefined {
    return this.jobs.get(name);
  }

  get(name: string): JobEntry {
    const e = this.jobs.get(name);
    if (!e) throw new NotFoundError('name', 'job', name);
    return e;
  }

  /** Jobs by name. */
  names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  version(e: JobEntry, version: number): JobVersion | undefined {
    return e.versions.find((v) => v.version === version);
  }

  /** The current version (always there: it is written with the job). */
  current(e: JobEntry): JobVersion {
    return this.version(e, e.job.version)!;
  }

  latestDeployment(e: JobEntry): DeploymentRecord | undefined {
    return e.deployments[e.deployments.length - 1];
  }

  /** A new job, or a changed one (with its new version, if any): durable before it resolves. */
  async save(job: JobRecord, version?: JobVersion): Promise<JobEntry> {
    const ops: StoreOp[] = [jobOp(job), ...(version ? [versionOp(job.name, version)] : [])];
    await this.o.store.commit(ops);
    let e = this.jobs.get(job.name);
    if (!e) this.jobs.set(job.name, (e = { job, versions: [], deployments: [] }));
    // A deployment that succeeded while this was written moved the last good version: kept.
    const moved = e.job.lastGoodVersion !== job.lastGoodVersion;
    if (moved) job.lastGoodVersion = e.job.lastGoodVersion;
    e.job = job;
    if (version) e.versions.push(version);
    if (moved) this.write([jobOp(job)]);
    return e;
  }

  /** The job's record changed (lastGoodVersion, a revert): written in the background. */
  update(e: JobEntry, nowMs: number): void {
    e.job.updatedAtMs = nowMs;
    this.write([jobOp(e.job)]);
  }

  /**
   * The deployment `d` as it is now: a new one is appended, the latest replaced (same id). Older
   * ones past MAX_DEPLOYMENTS are dropped.
   */
  putDeployment(e: JobEntry, d: DeploymentRecord): void {
    const id = deploymentId(e.job.name, d);
    const last = this.latestDeployment(e);
    const ops: StoreOp[] = [deploymentOp(e.job.name, d)];
    if (last && deploymentId(e.job.name, last) === id) e.deployments[e.deployments.length - 1] = d;
    else e.deployments.push(d);
    while (e.deployments.length > MAX_DEPLOYMENTS) {
      const gone = e.deployments.shift()!;
      ops.push({ kind: 'deployment', id: deploymentId(e.job.name, gone), value: null });
    }
    this.write(ops);
  }

  /**
   * The latest running deployment of `version` other than `keep` ended (superseded): its record
   * says so. A decision reports it only as an action (deployment.ts's deploymentFor).
   */
  endSuperseded(
    e: JobEntry,
    keep: DeploymentRecord | undefined,
    ended: Pick<DeploymentRecord, 'version' | 'state' | 'reason' | 'endedAtMs'>,
  ): void {
    for (let k = e.deployments.length - 1; k >= 0; k--) {
      const d = e.deployments[k]!;
      if (d === keep || d.state !== 'running' || d.version !== ended.version) continue;
      const next = { ...d, ...ended };
      e.deployments[k] = next;
      this.write([deploymentOp(e.job.name, next)]);
      return;
    }
  }

  /**
   * Runs `fn`, its writes in one commit: a decision's deployment record and the job's record
   * (its last good version, a revert) land together or not at all.
   */
  batched(fn: () => void): void {
    const ops: StoreOp[] = [];
    this.batch = ops;
    try {
      fn();
    } finally {
      this.batch = undefined;
      if (ops.length > 0) this.write(ops);
    }
  }

  private write(ops: StoreOp[]): void {
    if (this.batch) {
      this.batch.push(...ops);
      return;
    }
    this.o.store.commit(ops).catch((err: unknown) => {
      logPersistFailure(this.o.logger, 'could not persist a job', {}, err);
    });
  }
}
