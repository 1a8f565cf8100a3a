// PipelineManager: runs pipelines (DAGs of steps) on top of the WorkloadManager. It decides
// nothing itself. Each input (a submit, a cancel, an approval, a workload's change, a timer) goes
// to a pure decision that returns actions (actions.ts): readiness in dag.ts, attempts, retries and
// timeouts in attempts.ts, compensation and the end in saga.ts, going down in cancel.ts, gates in
// approval.ts, restart in resume.ts, slots in admission.ts. `apply` performs them: the record
// (transitions.ts), events and writes (book.ts), workload submits (step-workload.ts) and stops,
// timers.
//
// Each step attempt is one workload, submitted with an idempotency key derived from (pipeline,
// step, attempt): after a scheduler crash the same submit finds the same workload, so a running
// step is adopted, never duplicated, and a succeeded one never runs again. A step's state follows
// its workload through the manager's onChange hook (`workloadChanged`).
// Just over ~400 lines: `perform` is one switch over every action, kept whole so each is seen once.
import {
  InvalidArgumentError,
  MoError,
  ResourceExhaustedError,
  newId,
  type Logger,
  type SubmitWorkloadRequest__Output,
  after,
  type Timer,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import type { Store } from '../store/store.js';
import { TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';
import type { PipelineAction } from './actions.js';
import { pickAdmissions } from './admission.js';
import { decideApproval } from './approval.js';
import {
  authorizeDownload,
  authorizeUpload,
  type ArtifactAccessContext,
  type ArtifactCaller,
} from './artifact-access.js';
import { decideAttemptEnd, decideRetryDue, decideStepTimeout, timeoutLeftMs } from './attempts.js';
import { PipelineBook, type PipelineEvent, type PipelineListFilter, type PipelineWatcher } from './book.js';
import { decideCancel, decideGoDown } from './cancel.js';
import { decideAdvance } from './dag.js';
import {
  newPipelineRecord,
  specOf,
  stepOf,
  type PipelineRecord,
  type PipelineStateName,
  type StepRecord,
} from './record.js';
import { decideResume } from './resume.js';
import { decideCompensationEnded, decideCompensationSubmitFailed, decideCompensationTimeout } from './saga.js';
import { parsePipelineSpec } from './spec.js';
import { stepArtifactSpec, stepWorkloadRequest, type StepArtifacts } from './step-workload.js';
import { applyToRecord } from './transitions.js';

export type { PipelineEvent, PipelineListFilter, PipelineWatcher } from './book.js';
export { LABEL_PIPELINE, LABEL_STEP, type StepArtifacts } from './step-workload.js';

/** What the pipeline engine needs from the workload manager (narrow, so tests can fake it). */
export interface StepWorkloads {
  submit(req: SubmitWorkloadRequest__Output): Promise<{ record: WorkloadRecord }>;
  stop(id: string, graceMs: number): Promise<WorkloadRecord>;
  get(id: string): WorkloadRecord;
}

/** Time as the engine sees it (a test passes a fake one). */
export interface PipelineClock {
  now(): number;
  after(ms: number, fn: () => void): Timer;
}

export interface PipelineManagerOptions {
  store: Store;
  workloads: StepWorkloads;
  /** Absent: steps that declare artifacts or inputs fail to submit. */
  artifacts?: StepArtifacts;
  logger: Logger;
  /** Pipelines running (not pending, not ended) at once. */
  maxRunning: number;
  /** Pipelines waiting for a running slot; past it, submits get RESOURCE_EXHAUSTED. */
  maxQueued: number;
  /** Ended pipelines kept (oldest dropped first). */
  maxRetainedEnded?: number;
  /** Default: the system clock and @mo/api's `after`. */
  clock?: PipelineClock;
  /** Retry jitter, in [0, 1) (default Math.random). */
  random?: () => number;
}

/** Grace for step workloads the pipeline stops (cancel, failure of a sibling, timeout). */
const STOP_GRACE_MS = 2000;

type Target = { pipelineId: string; stepId: string; compensation: boolean };

export class PipelineManager {
  private readonly book: PipelineBook;
  private readonly byWorkload = new Map<string, Target>();
  /** Per step: its attempt's timeout or its next attempt; per compensation: its timeout. */
  private readonly timers = new Map<string, Timer>();
  private readonly clock: PipelineClock;
  private readonly random: () => number;
  private closed = false;

  constructor(private readonly o: PipelineManagerOptions) {
    this.clock = o.clock ?? { now: () => Date.now(), after: (ms, fn) => after(ms, fn) };
    this.random = o.random ?? Math.random;
    this.book = new PipelineBook({
      store: o.store,
      logger: o.logger,
      now: () => this.clock.now(),
      maxRetainedEnded: o.maxRetainedEnded ?? 1000,
      dropped: (id) =>
        void this.o.artifacts?.removePipeline(id).catch((err: unknown) => {
          this.o.logger.warn('could not remove the artifacts of a dropped pipeline', { pipeline: id, err });
        }),
    });
  }

  // ---- start-up --------------------------------------------------------------------------------

  /** Loads persisted pipelines. Call after the workload manager has loaded, then `start`. */
  load(): Promise<number> {
    return this.book.load();
  }

  /** Resumes every pipeline that was under way, then admits what waits. */
  start(): void {
    for (const p of this.book.values()) this.apply(p, decideResume(p));
    this.admit();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.book.flush();
  }

  // ---- queries ---------------------------------------------------------------------------------

  get(id: string): PipelineRecord {
    return this.book.get(id);
  }

  /** Matching pipelines newest first (by id), strictly after the page cursor `beforeId`. Lazy. */
  newestFirst(filter: PipelineListFilter, beforeId?: string): Generator<PipelineRecord> {
    return this.book.newestFirst(filter, beforeId);
  }

  countMatching(filter: PipelineListFilter): number {
    return this.book.countMatching(filter);
  }

  counts(): Map<PipelineStateName, number> {
    return this.book.counts();
  }

  /** Retained events after `afterSeq`, in sequence order (of one pipeline, or all). */
  eventsAfter(afterSeq: number, pipelineId?: string): PipelineEvent[] {
    return this.book.eventsAfter(afterSeq, pipelineId);
  }

  watch(w: PipelineWatcher): () => void {
    return this.book.watch(w);
  }

  // ---- client operations -----------------------------------------------------------------------

  async submit(specText: string, idempotencyKey: string): Promise<{ pipeline: PipelineRecord; existing: boolean }> {
    if (this.closed) throw new MoError(grpc.status.UNAVAILABLE, 'the scheduler is shutting down');
    if (idempotencyKey.length > 128 || idempotencyKey.includes('\0')) {
      throw new InvalidArgumentError('idempotency_key', 'must be at most 128 characters');
    }
    const existing = this.book.byIdempotencyKey(idempotencyKey);
    if (existing) return { pipeline: existing, existing: true };
    const spec = parsePipelineSpec(specText);
    const queued = this.book.pendingCount();
    if (queued >= this.o.maxQueued) {
      throw new ResourceExhaustedError(
        `the pipeline queue is full (${queued} waiting, at most ${this.o.maxQueued}); submit again later`,
      );
    }
    const now = this.clock.now();
    const p = newPipelineRecord(newId(now), spec, specText, idempotencyKey, now);
    await this.book.add(p);
    this.admit();
    return { pipeline: p, existing: false };
  }

  cancel(id: string, reason: string): PipelineRecord {
    const p = this.get(id);
    this.apply(p, decideCancel(p, reason));
    return p;
  }

  /** Decides a step's gate; `by` is the caller's identity (describeIdentity), as the service found it. */
  approve(id: string, stepId: string, approved: boolean, by: string, reason: string): PipelineRecord {
    const p = this.get(id);
    this.apply(p, decideApproval(p, { stepId, approved, by, reason }, this.clock.now()));
    return p;
  }

  /** See artifact-access.ts: the workload the upload belongs to, or why it may not be sent. */
  authorizeUpload(pipelineId: string, stepId: string, path: string, caller: ArtifactCaller): string {
    return authorizeUpload(this.access, this.book.find(pipelineId), pipelineId, stepId, path, caller);
  }

  /** See artifact-access.ts: throws unless `caller` may download step `stepId`'s artifacts. */
  authorizeDownload(pipelineId: string, stepId: string, caller: ArtifactCaller): void {
    authorizeDownload(this.access, this.book.find(pipelineId), pipelineId, stepId, caller);
  }

  private readonly access: ArtifactAccessContext = {
    specOf: (p, stepId) => p.spec.steps.find((x) => x.id === stepId),
    workload: (id) => {
      try {
        return this.o.workloads.get(id);
      } catch {
        return undefined;
      }
    },
  };

  // ---- what the workload manager reports --------------------------------------------------------

  /** The workload manager's onChange: a step's state follows its workload's. */
  workloadChanged(w: WorkloadRecord): void {
    const t = this.byWorkload.get(w.id);
    if (!t) return;
    const p = this.book.find(t.pipelineId);
    if (!p) return;
    if (t.compensation) {
      const c = p.compensations.find((x) => x.stepId === t.stepId);
      if (!c || c.workloadId !== w.id || c.state !== 'running' || !TERMINAL_STATES.has(w.state)) return;
      this.byWorkload.delete(w.id);
      this.clearTimer(`${p.id}/compensate/${t.stepId}`);
      this.apply(p, decideCompensationEnded(p, c, w));
      return;
    }
    const s = stepOf(p, t.stepId);
    if (!s || s.workloadId !== w.id || s.state !== 'running') return;
    if (w.nodeName && s.nodeName !== w.nodeName) {
      s.nodeName = w.nodeName;
      this.book.markDirty(p);
    }
    if (TERMINAL_STATES.has(w.state)) this.attemptEnded(p, s, w);
  }

  // ---- applying decisions ----------------------------------------------------------------------

  /** Starts waiting pipelines while slots are free (admission.ts). */
  private admit(): void {
    if (this.closed) return;
    for (const p of pickAdmissions(this.book.values(), this.o.maxRunning)) {
      this.apply(p, [{ do: 'start-pipeline' }, { do: 'advance' }]);
    }
  }

  /**
   * Performs a decision's actions in order: each changes the record (and announces an event), then
   * has its effect. Chained decisions (`advance`, `go-down`) read the record as it is by then.
   */
  private apply(p: PipelineRecord, actions: readonly PipelineAction[]): void {
    const now = this.clock.now();
    for (const a of actions) {
      const note = applyToRecord(p, a, now);
      if (note) this.book.event(p, note.stepId, note.state, note.reason);
      this.perform(p, a);
    }
  }

  private perform(p: PipelineRecord, a: PipelineAction): void {
    switch (a.do) {
      case 'finish':
        this.book.retire(p);
        setImmediate(() => this.admit());
        return;
      case 'set-step':
      case 'fail-step':
        // An ended step has no timer left (neither its attempt's timeout nor its next attempt).
        if (a.do === 'fail-step' || a.ended) this.clearTimer(`${p.id}/${a.stepId}`);
        return;
      case 'start-attempt':
      case 'relaunch-step':
        this.launch(p, stepOf(p, a.stepId)!);
        return;
      case 'retry-later':
      case 'rearm-retry':
        this.armRetry(p, stepOf(p, a.stepId)!);
        return;
      case 'stop-step':
        this.stopWorkload(stepOf(p, a.stepId)!.workloadId);
        return;
      case 'compensate':
      case 'relaunch-compensation':
        this.launchCompensation(p, a.stepId);
        return;
      case 'stop-compensation':
        this.stopWorkload(p.compensations.find((c) => c.stepId === a.stepId)!.workloadId);
        return;
      case 'advance':
        if (!this.closed) this.apply(p, decideAdvance(p));
        return;
      case 'go-down':
        this.apply(p, decideGoDown(p, a.ending, a.reason));
        return;
      case 'admit':
        this.admit();
        return;
      default:
        return; // the record change was all
    }
  }

  /** Submits (or, after a restart, finds again) the workload of the step's current attempt. */
  private launch(p: PipelineRecord, s: StepRecord): void {
    const spec = specOf(p, s.id);
    const req = stepWorkloadRequest(p, spec, `${p.id}/${s.id}/${s.attempt}`, s.id);
    const attempt = s.attempt;
    let submitted: Promise<{ record: WorkloadRecord }>;
    try {
      if (spec.artifacts.length > 0 || spec.inputs.length > 0) {
        req.spec!.artifacts = stepArtifactSpec(p, spec, this.o.artifacts);
      }
      submitted = this.o.workloads.submit(req);
    } catch (err) {
      submitted = Promise.reject(err as Error);
    }
    submitted.then(
      ({ record }) => {
        if (s.attempt !== attempt || s.state !== 'running') return;
        s.workloadId = record.id;
        s.nodeName = record.nodeName;
        this.byWorkload.set(record.id, { pipelineId: p.id, stepId: s.id, compensation: false });
        this.book.markDirty(p);
        if (spec.timeoutMs > 0) {
          this.setTimer(`${p.id}/${s.id}`, timeoutLeftMs(s, spec, this.clock.now()), () =>
            this.apply(p, decideStepTimeout(p, s, attempt)),
          );
        }
        // It may have ended already (a fast step, or while the scheduler was down).
        if (TERMINAL_STATES.has(record.state)) this.attemptEnded(p, s, record);
        else if (s.stopping) this.stopWorkload(record.id);
      },
      (err: unknown) => {
        if (s.attempt !== attempt || s.state !== 'running') return;
        // Refused (INVALID_ARGUMENT: e.g. an unknown node) or not persisted: the attempt failed.
        this.attemptEnded(p, s, undefined, `could not submit its workload: ${(err as Error).message}`);
      },
    );
  }

  private launchCompensation(p: PipelineRecord, stepId: string): void {
    const c = p.compensations.find((x) => x.stepId === stepId)!;
    const template = specOf(p, stepId).compensate!;
    const req = stepWorkloadRequest(p, template, `${p.id}/compensate/${stepId}`, `${stepId}.compensate`);
    this.o.workloads.submit(req).then(
      ({ record }) => {
        c.workloadId = record.id;
        c.reason = record.reason;
        this.byWorkload.set(record.id, { pipelineId: p.id, stepId, compensation: true });
        this.book.markDirty(p);
        if (template.timeoutMs > 0 && !TERMINAL_STATES.has(record.state)) {
          // After a restart the clock restarts too: a compensation gets at least its full timeout.
          this.setTimer(`${p.id}/compensate/${stepId}`, template.timeoutMs, () =>
            this.apply(p, decideCompensationTimeout(p, c, record.id)),
          );
        }
        this.workloadChanged(record);
      },
      (err: unknown) => this.apply(p, decideCompensationSubmitFailed(c, (err as Error).message)),
    );
  }

  /** One attempt of a running step ended (its workload did, or it could not be submitted). */
  private attemptEnded(p: PipelineRecord, s: StepRecord, w: WorkloadRecord | undefined, why?: string): void {
    this.clearTimer(`${p.id}/${s.id}`);
    if (w) {
      this.byWorkload.delete(w.id);
      if (w.exit) s.exit = { ...w.exit };
    }
    this.apply(p, decideAttemptEnd(p, s, { workload: w, why }, this.clock.now(), this.random));
  }

  private armRetry(p: PipelineRecord, s: StepRecord): void {
    this.setTimer(`${p.id}/${s.id}`, s.notBeforeMs - this.clock.now(), () => this.apply(p, decideRetryDue(p, s)));
  }

  private stopWorkload(id: string): void {
    if (!id) return; // not submitted yet: stopped as soon as the submit returns
    this.o.workloads.stop(id, STOP_GRACE_MS).catch((err: unknown) => {
      this.o.logger.warn('could not stop a step workload', { workload: id, err });
    });
  }

  private setTimer(key: string, delayMs: number, fn: () => void): void {
    this.clearTimer(key);
    if (this.closed) return;
    this.timers.set(
      key,
      this.clock.after(delayMs, () => {
        this.timers.delete(key);
        fn();
      }),
    );
  }

  private clearTimer(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }
}
