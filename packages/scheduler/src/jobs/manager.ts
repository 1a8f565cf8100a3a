// JobManager: runs jobs (issue 17) on top of the WorkloadManager. It decides nothing itself: a
// change of a job (run.ts: RunJob, ScaleJob, StopJob, RevertJob) is written, then every change of
// the job or of one of its instances, and the timer at the plan's wakeAtMs, asks rollout.ts's
// decideJob, whose actions it applies: start → a pending workload at once (counted before the
// scheduler acknowledges it), stop → a stop request, deployment → its record (and the last good
// version), revert → that version current.
//
// Everything is in the store: the jobs, their versions and deployments (book.ts), and the instances,
// which are workload records naming their job (WorkloadRecord.job). After a restart (or a SIGKILL
// mid-rollout) `load` finds them all again and `start` decides every job: the rollout goes on from
// where the records say it is. A start whose write did not land was never acknowledged, so it is
// decided again; one that landed is an instance: no index is started twice.
import { after, type Logger, type SubmitWorkloadRequest__Output, type Timer } from '@mo/api';
import type { Store } from '../store/store.js';
import type { SubmitOptions } from '../workloads/submit.js';
import { TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';
import { JobBook, type JobEntry } from './book.js';
import { Draining } from './drain.js';
import type { DeploymentRecord, JobAction } from './deployment.js';
import { instanceOf } from './instances.js';
import type { JobInstance, RolloutJob, StartAction } from './reconcile.js';
import type { JobRecord } from './record.js';
import { decideJob } from './rollout.js';
import { decideRevert, decideRun, decideScale, rolloutOf, type RunKind } from './run.js';
import { parseJobSpec, type JobChange } from './spec.js';
import { JobStarts, startKey } from './starts.js';
import type { JobVersion } from './types.js';

export type { JobEntry } from './book.js';

/** What the job manager needs from the workload manager (narrow, so tests can fake it). */
export interface JobWorkloads {
  submit(req: SubmitWorkloadRequest__Output, options: SubmitOptions): Promise<{ record: WorkloadRecord }>;
  stop(id: string, graceMs: number): Promise<WorkloadRecord>;
  /** Every workload held (ended ones kept included). */
  all(): Iterable<WorkloadRecord>;
}

export interface JobClock {
  now(): number;
  after(ms: number, fn: () => void): Timer;
}

export type JobEventWhat = 'version' | 'deployment' | 'instances' | 'stopped';

export interface JobChangeEvent {
  name: string;
  what: JobEventWhat;
}

export interface JobWatcher {
  push(e: JobChangeEvent): void;
}

export interface JobManagerOptions {
  store: Store;
  workloads: JobWorkloads;
  logger: Logger;
  clock?: JobClock;
  /** [0, 1): the retry backoff's jitter (default Math.random). */
  random?: () => number;
  /** Whether an instance sits on a draining node (drain/): it is moved elsewhere (migrate.ts). */
  migrating?: (r: WorkloadRecord) => boolean;
}

export interface RunResult {
  entry: JobEntry;
  changed: boolean;
  kind: RunKind;
  changes: JobChange[];
}

export interface PlanResult {
  kind: RunKind;
  changes: JobChange[];
  version: number;
  spec: JobVersion['spec'];
  starts: StartAction[];
  stops: number;
}

export class JobManager {
  private readonly book: JobBook;
  private readonly clock: JobClock;
  private readonly random: () => number;
  /** Per job: its instances' workload records, by workload id. */
  private readonly records = new Map<string, Map<string, WorkloadRecord>>();
  private readonly starts: JobStarts;
  private readonly timers = new Map<string, Timer>();
  private readonly queued = new Set<string>();
  /** Per job: the healthy instances' ids as last announced (an `instances` event when they move). */
  private readonly healthy = new Map<string, string>();
  private readonly watchers = new Set<JobWatcher>();
  private readonly draining: Draining;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: JobManagerOptions) {
    this.clock = o.clock ?? { now: () => Date.now(), after: (ms, fn) => after(ms, fn) };
    this.random = o.random ?? Math.random;
    this.book = new JobBook({ store: o.store, logger: o.logger });
    this.draining = new Draining(this.clock);
    this.starts = new JobStarts({
      workloads: o.workloads,
      clock: this.clock,
      logger: o.logger,
      acknowledged: (r, stopReason) => {
        this.index(r);
        if (stopReason) this.stopInstance(r.job!.name, r.id, stopReason);
        this.schedule(r.job!.name);
      },
      changed: (name) => this.schedule(name),
    });
  }

  // ---- start-up --------------------------------------------------------------------------------

  /** Loads the jobs and finds their instances. Call after the workload manager has loaded. */
  async load(): Promise<number> {
    const n = await this.book.load();
    for (const r of this.o.workloads.all()) if (r.job) this.index(r);
    return n;
  }

  /** Decides every job (a rollout under way goes on). */
  start(): void {
    for (const name of this.book.names()) {
      this.healthy.set(name, this.healthyKey(name));
      this.schedule(name);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.starts.close();
    this.draining.close();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await this.chain.catch(() => undefined);
  }

  // ---- queries ---------------------------------------------------------------------------------

  names(): string[] {
    return this.book.names();
  }

  get(name: string): JobEntry {
    return this.book.get(name);
  }

  /** The job's instances' records (live ones and what is kept of ended ones), by index then age. */
  instances(name: string): WorkloadRecord[] {
    return [...(this.records.get(name)?.values() ?? [])].sort(
      (a, b) => a.job!.index - b.job!.index || a.createdAtMs - b.createdAtMs,
    );
  }

  /** What the decisions read of the job now. */
  rollout(e: JobEntry): RolloutJob {
    return rolloutOf(e.job, e.versions);
  }

  /** Serving now: running, not on its way out (stopping or draining) and, with checks, healthy. */
  readonly isServing = (r: WorkloadRecord): boolean => {
    const hasChecks = (r.spec.checks?.length ?? 0) > 0;
    return (
      r.state === 'running' && !r.stopRequested && !this.draining.has(r.id) && (!hasChecks || r.health === 'healthy')
    );
  };

  watch(w: JobWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  // ---- client operations -----------------------------------------------------------------------

  /** RunJob: the file becomes the job's current version (run.ts says how). */
  run(text: string): Promise<RunResult> {
    const spec = parseJobSpec(text);
    return this.exclusive(async () => {
      const before = this.book.find(spec.name);
      const d = decideRun(before, spec, this.clock.now());
      if (!d.job) return { entry: before!, changed: false, kind: d.kind, changes: d.changes };
      const entry = await this.book.save(d.job, d.version);
      this.changed(entry, 'version');
      return { entry, changed: true, kind: d.kind, changes: d.changes };
    });
  }

  /** PlanJob: what `run` would change and the starts and stops its first decision would make. */
  plan(text: string): PlanResult {
    const spec = parseJobSpec(text);
    const e = this.book.find(spec.name);
    const now = this.clock.now();
    const d = decideRun(e, spec, now);
    const job = d.job ?? e!.job;
    const versions = d.version ? [...(e?.versions ?? []), d.version] : e!.versions;
    const plan = decideJob({
      job: rolloutOf(job, versions),
      instances: e ? this.view(spec.name, spec.checks.length > 0) : [],
      deployment: e ? this.book.latestDeployment(e) : undefined,
      nowMs: now,
      random: () => 0.5,
    });
    const starts = plan.actions.filter((a): a is StartAction => a.kind === 'start');
    const stops = plan.actions.filter((a) => a.kind === 'stop').length;
    const version = versions.find((v) => v.version === job.version)!;
    return { kind: d.kind, changes: d.changes, version: job.version, spec: version.spec, starts, stops };
  }

  scale(name: string, count: number): Promise<JobEntry> {
    return this.exclusive(() => this.change(name, (e) => decideScale(e, count, this.clock.now()), 'version'));
  }

  stop(name: string): Promise<JobEntry> {
    return this.exclusive(() =>
      this.change(
        name,
        (e) => (e.job.stopped ? undefined : { ...e.job, stopped: true, updatedAtMs: this.clock.now() }),
        'stopped',
      ),
    );
  }

  revert(name: string, version: number): Promise<JobEntry> {
    return this.exclusive(() => this.change(name, (e) => decideRevert(e, version, this.clock.now()), 'version'));
  }

  // ---- what the workload manager reports --------------------------------------------------------

  /** The workload manager's onChange: one of a job's instances changed. */
  workloadChanged(r: WorkloadRecord): void {
    if (!r.job) return;
    this.index(r);
    this.schedule(r.job.name);
  }

  /** A node's drain began or changed: the jobs with an instance there decide again. */
  nodeDrainChanged(nodeId: string): void {
    for (const [name, byId] of this.records) {
      for (const r of byId.values()) {
        if (r.nodeId === nodeId && !TERMINAL_STATES.has(r.state)) {
          this.schedule(name);
          break;
        }
      }
    }
  }

  /** A drain's deadline stops an instance (its shutdown_delay kept); the job replaces it elsewhere. */
  stopForDrain(r: WorkloadRecord, reason: string): void {
    if (r.job) this.stopInstance(r.job.name, r.id, reason);
  }

  // ---- deciding and applying -------------------------------------------------------------------

  private async change(
    name: string,
    next: (e: JobEntry) => JobRecord | undefined,
    what: JobEventWhat,
  ): Promise<JobEntry> {
    const e = this.book.get(name);
    const job = next(e);
    if (!job) return e;
    await this.book.save(job);
    this.changed(e, what);
    return e;
  }

  /** Changes of jobs one at a time (a read of the job, then its write). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private changed(e: JobEntry, what: JobEventWhat): void {
    this.emit(e.job.name, what);
    this.schedule(e.job.name);
  }

  /** Decides the job soon: changes that come together (50 instances ending) are one decision. */
  private schedule(name: string): void {
    if (this.closed || this.queued.has(name)) return;
    this.queued.add(name);
    setImmediate(() => {
      this.queued.delete(name);
      this.decide(name);
    });
  }

  private decide(name: string): void {
    const e = this.book.find(name);
    if (this.closed || !e) return;
    const job = this.rollout(e);
    const before = this.book.latestDeployment(e);
    const plan = decideJob({
      job,
      instances: this.view(name, job.hasChecks),
      deployment: before,
      nowMs: this.clock.now(),
      random: this.random,
    });
    let again = false;
    this.book.batched(() => {
      for (const a of plan.actions) again = this.perform(e, job, a, plan.deployment) || again;
      const d = plan.deployment;
      if (d && (!before || JSON.stringify(d) !== JSON.stringify(before))) {
        this.book.putDeployment(e, d);
        this.emit(name, 'deployment');
      }
    });
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
    if (again) this.schedule(name);
    else if (plan.wakeAtMs < Infinity) {
      const delay = Math.max(0, plan.wakeAtMs - this.clock.now());
      this.timers.set(
        name,
        this.clock.after(delay, () => {
          this.timers.delete(name);
          this.decide(name);
        }),
      );
    }
    const key = this.healthyKey(name);
    if (key !== this.healthy.get(name)) {
      this.healthy.set(name, key);
      this.emit(name, 'instances');
    }
  }

  /** Applies one action; true when the job itself changed (decide again). */
  private perform(e: JobEntry, job: RolloutJob, a: JobAction, d: DeploymentRecord | undefined): boolean {
    const name = e.job.name;
    switch (a.kind) {
      case 'start':
        this.starts.launch(e, job.hasChecks, a);
        return false;
      case 'stop':
        this.stopInstance(name, a.instanceId, a.reason);
        return false;
      case 'deployment': {
        const now = this.clock.now();
        this.o.logger.info('job deployment ended', { job: name, version: a.version, state: a.state, reason: a.reason });
        // The plan's record is written after the actions; one it superseded is ended here.
        if (!d || d.version !== a.version || d.state !== a.state) {
          this.book.endSuperseded(e, d, { version: a.version, state: a.state, reason: a.reason, endedAtMs: now });
        }
        if (a.state === 'succeeded' && e.job.lastGoodVersion !== a.version) {
          e.job.lastGoodVersion = a.version;
          this.book.update(e, now);
        }
        return false;
      }
      case 'revert': {
        const v = e.versions.find((x) => x.version === a.toVersion);
        if (!v || e.job.version !== a.fromVersion) return false;
        this.o.logger.warn('job reverted', { job: name, from: a.fromVersion, to: a.toVersion, reason: a.reason });
        e.job.version = a.toVersion;
        e.job.count = v.spec.count;
        this.book.update(e, this.clock.now());
        this.emit(name, 'version');
        return true;
      }
    }
  }

  private stopInstance(name: string, id: string, reason: string): void {
    if (this.starts.stopPending(name, id, reason)) return;
    const r = this.records.get(name)?.get(id);
    if (!r) return;
    const stop = () =>
      this.o.workloads.stop(id, 0).catch((err: unknown) => {
        this.o.logger.warn('could not stop a job instance', { job: name, workload: id, reason, err });
      });
    // Out of the service first (decide() announces the smaller set), stopped after the delay.
    const e = this.book.find(name);
    const delay = e?.versions.find((v) => v.version === e.job.version)?.spec.shutdownDelayMs ?? 0;
    if (delay > 0 && r.state === 'running' && !r.stopRequested) this.draining.begin(id, delay, () => void stop());
    else void stop();
  }

  /** The decisions' view of the job's instances: the records, the unacknowledged and refused starts. */
  private view(name: string, hasChecks: boolean): JobInstance[] {
    const out: JobInstance[] = [];
    const seen = new Set<string>();
    for (const r of this.records.get(name)?.values() ?? []) {
      const i = instanceOf(r, hasChecks);
      if (this.draining.has(r.id)) out.push({ ...i, stopRequested: true });
      else if ((r.state === 'running' || r.state === 'starting') && this.o.migrating?.(r))
        out.push({ ...i, migrate: true });
      else out.push(i);
      seen.add(startKey(r.job!));
    }
    return [...out, ...this.starts.extra(name, seen)];
  }

  /** Keeps a job's instance; of the ended ones only the latest per index (what the decisions read). */
  private index(r: WorkloadRecord): void {
    const name = r.job!.name;
    let byId = this.records.get(name);
    if (!byId) this.records.set(name, (byId = new Map()));
    byId.set(r.id, r);
    this.starts.noteRecord(r);
    if (!TERMINAL_STATES.has(r.state)) return;
    this.draining.forget(r.id);
    for (const other of byId.values()) {
      if (other === r || other.job!.index !== r.job!.index || !TERMINAL_STATES.has(other.state)) continue;
      if (other.createdAtMs <= r.createdAtMs) byId.delete(other.id);
    }
  }

  private healthyKey(name: string): string {
    return this.instances(name)
      .filter(this.isServing)
      .map((r) => r.id)
      .sort()
      .join(',');
  }

  private emit(name: string, what: JobEventWhat): void {
    for (const w of this.watchers) w.push({ name, what });
  }
}
