// Submissions: a single workload or an array (arrays.ts), validated, placed before their first
// write when they can be, and acknowledged only once durable, with their idempotency key
// (idempotency.ts) in the same commit. A retry with the key gets the original back. What waits
// counts against --max-pending for clients; a pipeline's steps are bounded by the pipeline queue.
import * as grpc from '@grpc/grpc-js';
import {
  formatDuration,
  InvalidArgumentError,
  MoError,
  ResourceExhaustedError,
  newId,
  quote,
  type CheckSpec,
  type NamedPortSpec,
  type SubmitWorkloadRequest__Output,
} from '@mo/api';
import type { NodeTable } from '../registry/nodes.js';
import type { Store } from '../store/store.js';
import { arrayMarkerId, memberIds, memberSpec, validateArraySpec, validateCount } from './arrays.js';
import type { WorkloadBook } from './book.js';
import type { Clock } from './clock.js';
import { shapeOf } from './demand.js';
import { IdempotencyKeys } from './idempotency.js';
import type { Placer } from './placing.js';
import { newRecord, type JobRef, type WorkloadRecord } from './record.js';
import { validateSubmission } from './validate.js';

export interface SubmitOptions {
  /**
   * Apply maxPending (client submissions). A pipeline's steps are admitted by the pipeline queue's
   * own bound (maxQueued, maxRunning) instead, so an admitted pipeline is never refused a step.
   */
  bounded?: boolean;
  /** A job's instance (jobs/manager.ts): what only the job manager sets, its spec already validated. */
  job?: JobInstanceSubmit;
}

export interface JobInstanceSubmit {
  ref: JobRef;
  /** The job's named ports and checks (parseJobSpec validated them). */
  ports: NamedPortSpec[];
  checks: CheckSpec[];
  /** Not placed before (a retry's backoff); it is pending, and counted, at once. */
  notBeforeMs: number;
}

/** What a submit of an array (count > 0) answers: the group, its members by index, member 0. */
export interface ArraySubmitted {
  groupId: string;
  workloadIds: string[];
  /** Member 0 (undefined when a retry finds it retired). */
  first: WorkloadRecord | undefined;
  existing: boolean;
}

export interface SubmissionsOptions {
  store: Store;
  nodes: Pick<NodeTable, 'byNodeName'>;
  clock: Clock;
  keys: IdempotencyKeys;
  maxPending: number;
  defaultLostAfterMs: number;
}

/**
 * Members of an array placed (or adopted) between two turns of the event loop: a 10,000-member
 * array in one go stalled the loop for seconds, past the 2.5 s keepalive that drops connections.
 */
const ARRAY_SLICE = 250;

export class Submissions {
  /** Submissions with an idempotency key that are being persisted. */
  private readonly submitting = new Map<string, Promise<WorkloadRecord>>();
  /** Arrays with an idempotency key that are being persisted (also in `submitting`, by member 0). */
  private readonly submittingArrays = new Map<string, Promise<ArraySubmitted>>();
  /** Submissions that will be pending, between their placement attempt and their first write. */
  private waitingSubmits = 0;

  constructor(
    private readonly book: WorkloadBook,
    private readonly placer: Placer,
    private readonly o: SubmissionsOptions,
  ) {}

  async submit(
    req: SubmitWorkloadRequest__Output,
    options: SubmitOptions,
  ): Promise<{ record: WorkloadRecord; existing: boolean }> {
    const { keys } = this.o;
    const valid = validateSubmission(req, this.o.defaultLostAfterMs);
    const key = valid.idempotencyKey;
    if (key) {
      const inFlight = this.submitting.get(key);
      if (inFlight) return { record: await inFlight, existing: true };
      const first = keys.get(key, this.o.clock.now());
      if (first) {
        const original = this.book.records.get(first.workloadId);
        if (original) return { record: original, existing: true };
        throw IdempotencyKeys.gone(key, first);
      }
      keys.checkRoom();
    }
    this.checkNode(valid.scheduling.node);
    const now = this.o.clock.now();
    const record = newRecord(newId(now), valid, now);
    if (options.job) withJob(record, options.job, now);
    // Placed before the first write, so the acknowledged record already says where it goes; a
    // workload whose shape is blocked waits without an attempt (nothing changed since one failed).
    const changesBefore = this.book.queue.changes;
    const blockedReason = this.book.queue.blockedReason(shapeOf(record));
    let retryAtMs = Infinity;
    if (record.notBeforeMs > now) {
      retryAtMs = record.notBeforeMs;
    } else if (blockedReason !== undefined) {
      record.reason = blockedReason;
    } else {
      const placed = this.placer.tryPlace(record, now);
      if (!placed.ok) retryAtMs = placed.retryAtMs ?? Infinity;
    }
    const waits = record.state === 'pending';
    if (waits && options.bounded) this.checkPendingBound(1);
    if (waits) this.waitingSubmits++;
    const work = (async () => {
      const keyEntry = { workloadId: record.id, createdAtMs: now };
      // The key is stored with the workload, in one commit: it outlives the workload's record.
      await this.o.store.commit([
        { kind: 'workload', id: record.id, value: record },
        ...(key ? [IdempotencyKeys.op(key, keyEntry)] : []),
      ]);
      if (key) keys.add(key, keyEntry);
      this.placer.adopt(record, changesBefore, retryAtMs);
      return record;
    })();
    if (key) this.submitting.set(key, work);
    try {
      await work;
    } catch (err) {
      if (record.state === 'starting') this.book.unhold(record);
      throw new MoError(grpc.status.UNAVAILABLE, `could not persist the workload: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      if (key) this.submitting.delete(key);
      if (waits) this.waitingSubmits--;
    }
    return { record, existing: false };
  }

  /**
   * Submits an array (count > 0, arrays.ts has its rules): every member is validated with the
   * spec, placed before the write (members after a failed attempt wait without one, as a blocked
   * shape's do), and persisted in slices of ARRAY_SLICE, then one commit of the array's marker with
   * the idempotency key, which then names the whole group (the loop yields between slices). All or
   * nothing: a refused or failed array leaves no member behind, and load() drops unmarked members.
   */
  async submitArray(req: SubmitWorkloadRequest__Output, options: SubmitOptions): Promise<ArraySubmitted> {
    const { keys } = this.o;
    const count = validateCount(req.count);
    if (count === 0) throw new InvalidArgumentError('count', 'must be at least 1 for an array');
    const valid = validateSubmission(req, this.o.defaultLostAfterMs);
    const key = valid.idempotencyKey;
    if (key) {
      // Checked with no await before `submittingArrays` is set: a concurrent retry must see it.
      const retried = this.retriedArray(key);
      if (retried) return retried;
      keys.checkRoom();
    }
    this.checkNode(valid.scheduling.node);
    const now = this.o.clock.now();
    const groupId = newId(now);
    validateArraySpec(valid.spec, count, groupId);
    const records = memberIds(count, now).map((id, i) => {
      const r = newRecord(id, { ...valid, spec: memberSpec(valid.spec, i, count, groupId) }, now);
      r.groupId = groupId;
      r.groupIndex = i;
      return r;
    });
    const changesBefore = this.book.queue.changes;
    let reason = this.book.queue.blockedReason(shapeOf(records[0]!));
    let retryAtMs = Infinity;
    for (const [i, r] of records.entries()) {
      if (i > 0 && i % ARRAY_SLICE === 0) await this.yieldToLoop();
      if (reason !== undefined) {
        r.reason = reason;
        continue;
      }
      const placed = this.placer.tryPlace(r, now);
      if (placed.ok) continue;
      reason = r.reason;
      retryAtMs = placed.retryAtMs ?? Infinity;
    }
    const placed = records.filter((r) => r.state === 'starting');
    const waiting = records.length - placed.length;
    try {
      if (waiting > 0 && options.bounded) this.checkPendingBound(waiting);
    } catch (err) {
      for (const r of placed) this.book.unhold(r);
      throw err;
    }
    const workloadIds = records.map((r) => r.id);
    const answer: ArraySubmitted = { groupId, workloadIds, first: records[0], existing: false };
    const keyEntry = { workloadId: workloadIds[0]!, createdAtMs: now, groupId, workloadIds };
    this.waitingSubmits += waiting;
    const work = (async () => {
      // In slices, then the marker that makes them count, with the key (see arrayMarkerId).
      for (let k = 0; k < records.length; k += ARRAY_SLICE) {
        const slice = records.slice(k, k + ARRAY_SLICE);
        await this.o.store.commit(slice.map((r) => ({ kind: 'workload' as const, id: r.id, value: r })));
      }
      await this.o.store.commit([
        { kind: 'meta', id: arrayMarkerId(groupId), value: { count, createdAtMs: now } },
        ...(key ? [IdempotencyKeys.op(key, keyEntry)] : []),
      ]);
      if (key) keys.add(key, keyEntry);
      for (const [i, r] of records.entries()) {
        if (i > 0 && i % ARRAY_SLICE === 0) await this.yieldToLoop();
        this.placer.adopt(r, changesBefore, retryAtMs);
      }
      return answer;
    })();
    if (key) {
      this.submittingArrays.set(key, work);
      const first = work.then(() => records[0]!);
      first.catch(() => undefined); // its rejection is work's, reported below
      this.submitting.set(key, first);
    }
    try {
      await work;
    } catch (err) {
      for (const r of placed) this.book.unhold(r);
      throw new MoError(grpc.status.UNAVAILABLE, `could not persist the array: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      if (key) {
        this.submittingArrays.delete(key);
        this.submitting.delete(key);
      }
      this.waitingSubmits -= waiting;
    }
    return answer;
  }

  /**
   * What a keyed array submit seen before answers (its group, or the single workload the key
   * created); undefined, synchronously, for a new key.
   */
  private retriedArray(key: string): Promise<ArraySubmitted> | undefined {
    const array = this.submittingArrays.get(key);
    if (array) return array.then((a) => ({ ...a, existing: true }));
    const single = this.submitting.get(key);
    if (single) return single.then((r) => ({ groupId: '', workloadIds: [r.id], first: r, existing: true }));
    const entry = this.o.keys.get(key, this.o.clock.now());
    if (!entry) return undefined;
    const workloadIds = entry.workloadIds ?? [entry.workloadId];
    if (!workloadIds.some((id) => this.book.records.has(id))) return Promise.reject(IdempotencyKeys.gone(key, entry));
    const first = this.book.records.get(workloadIds[0]!);
    return Promise.resolve({ groupId: entry.groupId ?? '', workloadIds, first, existing: true });
  }

  private checkNode(name: string): void {
    if (name && !this.o.nodes.byNodeName(name)) {
      throw new InvalidArgumentError('scheduling.node', `unknown node ${quote(name)}`);
    }
  }

  /** Refuses a submission of `adding` that would wait when they would take the queue past maxPending. */
  private checkPendingBound(adding: number): void {
    const max = this.o.maxPending;
    const waiting = this.book.queue.size + this.waitingSubmits;
    if (waiting + adding <= max) return;
    const what = adding === 1 ? 'this one cannot' : `${adding} of these cannot`;
    throw new ResourceExhaustedError(
      `the workload queue is full (${waiting} pending, at most ${max}: --max-pending) and ${what} be placed now; submit again later`,
    );
  }

  private yieldToLoop(): Promise<void> {
    return new Promise((resolve) => this.o.clock.soon(resolve));
  }
}

/** A job instance's record: its job, named ports, checks and backoff. */
function withJob(record: WorkloadRecord, job: JobInstanceSubmit, nowMs: number): void {
  record.job = { ...job.ref };
  if (job.ports.length > 0) record.spec.ports = job.ports.map((p) => ({ ...p }));
  if (job.checks.length > 0) record.spec.checks = job.checks.map((c) => ({ ...c, command: [...c.command] }));
  if (job.notBeforeMs > nowMs) {
    record.notBeforeMs = job.notBeforeMs;
    record.reason = `waiting ${formatDuration(job.notBeforeMs - nowMs)} before attempt ${job.ref.attempt} (backoff)`;
  }
}
