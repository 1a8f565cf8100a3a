// A job's starts between the decision and the workload record: counted at once (pending) while
// the scheduler has not acknowledged them, stopped as soon as it has if a stop came first; a start
// it refused (an unknown node, a full queue) is a failed attempt, retried after its backoff here
// (it would be refused at once again), never in a tight loop.
import type { Logger, Timer } from '@mo/api';
import type { WorkloadRecord } from '../workloads/record.js';
import type { JobEntry } from './book.js';
import { instanceRequest, submittingInstance } from './instances.js';
import type { JobClock, JobWorkloads } from './manager.js';
import type { JobInstance, StartAction } from './reconcile.js';

interface Submitting {
  instance: JobInstance;
  /** Set when a stop came before the acknowledgement. */
  stopReason: string;
}

export interface StartsOptions {
  workloads: JobWorkloads;
  clock: JobClock;
  logger: Logger;
  /** The scheduler acknowledged a start: its workload record. */
  acknowledged(r: WorkloadRecord, stopReason: string): void;
  /** Something changed for the job: decide again. */
  changed(name: string): void;
}

/** `version/index/attempt`: one start of the decisions. */
export const startKey = (i: { version: number; index: number; attempt: number }): string =>
  `${i.version}/${i.index}/${i.attempt}`;

export class JobStarts {
  /** Per job: starts asked for and not yet acknowledged, by startKey. */
  private readonly submitting = new Map<string, Map<string, Submitting>>();
  /** Per job: the latest refused start per index (in memory: it counts as a failed attempt). */
  private readonly refused = new Map<string, JobInstance[]>();
  private readonly waits = new Set<Timer>();
  private closed = false;

  constructor(private readonly o: StartsOptions) {}

  close(): void {
    this.closed = true;
    for (const t of this.waits) t.cancel();
    this.waits.clear();
  }

  launch(e: JobEntry, hasChecks: boolean, a: StartAction): void {
    const name = e.job.name;
    const key = startKey(a);
    const pending = this.submitting.get(name) ?? new Map<string, Submitting>();
    this.submitting.set(name, pending);
    if (pending.has(key)) return;
    const sub: Submitting = { instance: submittingInstance(a, `submitting:${name}/${key}`, hasChecks), stopReason: '' };
    pending.set(key, sub);
    const waitMs = a.notBeforeMs - this.o.clock.now();
    if (waitMs > 0 && this.refused.get(name)?.some((i) => i.index === a.index)) {
      const t = this.o.clock.after(waitMs, () => {
        this.waits.delete(t);
        if (!sub.stopReason && !this.closed) return this.submit(e, a, sub);
        pending.delete(key);
        this.o.changed(name);
      });
      this.waits.add(t);
      return;
    }
    this.submit(e, a, sub);
  }

  /** A stop of a start not yet acknowledged: true if `id` is one (it is stopped once it is). */
  stopPending(name: string, id: string, reason: string): boolean {
    for (const sub of this.submitting.get(name)?.values() ?? []) {
      if (sub.instance.id !== id) continue;
      sub.instance.stopRequested = true;
      sub.stopReason = reason;
      return true;
    }
    return false;
  }

  /** The starts the records do not show yet (`seen`: their startKeys): unacknowledged and refused. */
  extra(name: string, seen: ReadonlySet<string>): JobInstance[] {
    const out: JobInstance[] = [];
    for (const [key, sub] of this.submitting.get(name) ?? []) if (!seen.has(key)) out.push(sub.instance);
    for (const i of this.refused.get(name) ?? []) if (!seen.has(startKey(i))) out.push(i);
    return out;
  }

  /** A record of the job's: a refusal at its index before its attempt is history. */
  noteRecord(r: WorkloadRecord): void {
    const { name, index, attempt } = r.job!;
    const refused = this.refused.get(name);
    if (!refused?.some((i) => i.index === index && i.attempt < attempt)) return;
    this.refused.set(
      name,
      refused.filter((i) => i.index !== index || i.attempt >= attempt),
    );
  }

  private submit(e: JobEntry, a: StartAction, sub: Submitting): void {
    const name = e.job.name;
    const key = startKey(a);
    const pending = this.submitting.get(name)!;
    const version = e.versions.find((v) => v.version === a.version)!;
    const { req, job } = instanceRequest(version.spec, a);
    let submitted: Promise<{ record: WorkloadRecord }>;
    try {
      submitted = this.o.workloads.submit(req, { job });
    } catch (err) {
      submitted = Promise.reject(err as Error);
    }
    submitted.then(
      ({ record }) => {
        pending.delete(key);
        this.o.acknowledged(record, sub.stopReason);
      },
      (err: unknown) => {
        pending.delete(key);
        const now = this.o.clock.now();
        this.o.logger.warn('could not start a job instance', { job: name, index: a.index, err });
        const failed = {
          ...sub.instance,
          id: `refused:${name}/${key}`,
          state: 'failed' as const,
          startedAtMs: now,
          endedAtMs: now,
        };
        const list = (this.refused.get(name) ?? []).filter((i) => i.index !== a.index);
        this.refused.set(name, [...list, failed]);
        this.o.changed(name);
      },
    );
  }
}
