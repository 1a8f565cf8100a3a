// PipelineManager: runs pipelines (DAGs of steps) on top of the WorkloadManager. Each step
// attempt is one workload, submitted with an idempotency key derived from (pipeline, step,
// attempt): after a scheduler crash the same submit finds the same workload, so a running step is
// adopted, never duplicated, and a succeeded one never runs again. A step's state follows its
// workload through the manager's onChange hook (`workloadChanged`).
//
// Pipeline: pending -> running (<-> awaiting_approval) -> [compensating] -> succeeded | failed |
// cancelled. Admission: at most maxRunning run at once; at most maxQueued wait (by priority),
// past that a submit is refused with RESOURCE_EXHAUSTED.
// Over ~400 lines for now: DAG decisions (ready steps, retries, compensation) and their effects are
// still mixed; issue 15 moves the decisions into pure functions with a harness, which is the split.
import {
  FailedPreconditionError,
  InvalidArgumentError,
  MoError,
  NotFoundError,
  ResourceExhaustedError,
  newId,
  type ArtifactSpec__Output,
  type Logger,
  type SubmitWorkloadRequest,
  type SubmitWorkloadRequest__Output,
  after,
  type Timer,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import type { Store, StoreOp } from '../store/store.js';
import { SortedIds } from '../listing/sorted-ids.js';
import type { ArtifactRecord } from './artifacts.js';
import {
  authorizeDownload,
  authorizeUpload,
  type ArtifactAccessContext,
  type ArtifactCaller,
} from './artifact-access.js';
import { PRIORITY_ENUM, PRIORITY_RANK, TERMINAL_STATES, type WorkloadRecord } from '../workloads/record.js';
import {
  MAX_PIPELINE_EVENTS,
  PIPELINE_TERMINAL,
  STEP_TERMINAL,
  type PipelineEventRecord,
  type PipelineRecord,
  type PipelineStateName,
  type StepRecord,
  type StepStateName,
} from './record.js';
import {
  parsePipelineSpec,
  substituteOutputs,
  topologicalOrder,
  type PipelineSpec,
  type StepSpec,
  type WorkloadTemplate,
} from './spec.js';

/** What the pipeline engine needs from the workload manager (narrow, so tests can fake it). */
export interface StepWorkloads {
  submit(req: SubmitWorkloadRequest__Output): Promise<{ record: WorkloadRecord }>;
  stop(id: string, graceMs: number): Promise<WorkloadRecord>;
  get(id: string): WorkloadRecord;
}

/** What the engine needs from the artifact store (pipelines/artifacts.ts). */
export interface StepArtifacts {
  list(pipelineId: string, stepId: string): ArtifactRecord[];
  removePipeline(pipelineId: string): Promise<void>;
  readonly maxBytesPerStep: number;
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
}

export interface PipelineEvent extends PipelineEventRecord {
  pipeline: PipelineRecord;
}

export interface PipelineWatcher {
  pipelineId?: string;
  push(event: PipelineEvent): void;
}

export interface PipelineListFilter {
  states?: ReadonlySet<PipelineStateName>;
  name?: string;
}

/** Labels on every step workload, so `mo status` shows where a workload comes from. */
export const LABEL_PIPELINE = 'mo.pipeline';
export const LABEL_STEP = 'mo.step';
const SEQ_META_ID = 'pipelines.seq';
/** Grace for step workloads the pipeline stops (cancel, failure of a sibling, timeout). */
const STOP_GRACE_MS = 2000;

type Target = { pipelineId: string; stepId: string; compensation: boolean };

export class PipelineManager {
  private readonly pipelines = new Map<string, PipelineRecord>();
  /** The pipelines' ids in order, for paged lists. */
  private readonly order = new SortedIds();
  private readonly byKey = new Map<string, string>();
  private readonly byWorkload = new Map<string, Target>();
  private readonly timers = new Map<string, Timer>();
  private readonly watchers = new Set<PipelineWatcher>();
  private readonly dirty = new Set<string>();
  private readonly ended: string[] = [];
  /** Step id -> index per pipeline spec (see indexOf). */
  private readonly stepIndex = new WeakMap<PipelineSpec, Map<string, number>>();
  private flushQueued = false;
  private seq = 0;
  private closed = false;

  constructor(private readonly o: PipelineManagerOptions) {}

  // ---- start-up --------------------------------------------------------------------------------

  /** Loads persisted pipelines. Call after the workload manager has loaded, then `start`. */
  async load(): Promise<number> {
    const rows = await this.o.store.load('pipeline');
    for (const row of await this.o.store.load('meta')) {
      if (row.id === SEQ_META_ID) this.seq = Math.max(this.seq, Number(row.value) || 0);
    }
    for (const { value } of rows) {
      const p = value as PipelineRecord;
      this.pipelines.set(p.id, p);
      this.order.add(p.id);
      if (p.idempotencyKey) this.byKey.set(p.idempotencyKey, p.id);
      for (const e of p.events) this.seq = Math.max(this.seq, e.seq);
    }
    const ended = [...this.pipelines.values()].filter((p) => PIPELINE_TERMINAL.has(p.state));
    ended.sort((a, b) => a.endedAtMs - b.endedAtMs);
    this.ended.push(...ended.map((p) => p.id));
    return rows.length;
  }

  /** Resumes every pipeline that was under way, then admits what waits. */
  start(): void {
    for (const p of this.pipelines.values()) {
      if (PIPELINE_TERMINAL.has(p.state) || p.state === 'pending') continue;
      for (const s of p.steps) {
        // Same key as before the crash: the existing workload is adopted, or it is created now.
        if (s.state === 'running') this.launch(p, s);
        else if (s.state === 'retrying') this.armRetry(p, s);
      }
      const c = p.compensations.at(-1);
      if (p.state === 'compensating' && c && c.state === 'running') this.launchCompensation(p, c.stepId);
      this.advance(p);
    }
    this.admit();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.flush();
  }

  // ---- queries ---------------------------------------------------------------------------------

  get(id: string): PipelineRecord {
    const p = this.pipelines.get(id);
    if (!p) throw new NotFoundError('pipeline_id', 'pipeline', id);
    return p;
  }

  /** Matching pipelines newest first (by id), strictly after the page cursor `beforeId`. Lazy. */
  *newestFirst(filter: PipelineListFilter, beforeId?: string): Generator<PipelineRecord> {
    for (const id of this.order.descending(beforeId)) {
      const p = this.pipelines.get(id);
      if (p && this.matches(p, filter)) yield p;
    }
  }

  countMatching(filter: PipelineListFilter): number {
    if (!filter.states && !filter.name) return this.pipelines.size;
    let n = 0;
    for (const p of this.pipelines.values()) if (this.matches(p, filter)) n++;
    return n;
  }

  private matches(p: PipelineRecord, filter: PipelineListFilter): boolean {
    return (!filter.states || filter.states.has(p.state)) && (!filter.name || p.name === filter.name);
  }

  counts(): Map<PipelineStateName, number> {
    const c = new Map<PipelineStateName, number>();
    for (const p of this.pipelines.values()) c.set(p.state, (c.get(p.state) ?? 0) + 1);
    return c;
  }

  /** Retained events after `afterSeq`, in sequence order (of one pipeline, or all). */
  eventsAfter(afterSeq: number, pipelineId?: string): PipelineEvent[] {
    const sources = pipelineId ? [this.get(pipelineId)] : [...this.pipelines.values()];
    const out: PipelineEvent[] = [];
    for (const p of sources) for (const e of p.events) if (e.seq > afterSeq) out.push({ ...e, pipeline: p });
    return out.sort((a, b) => a.seq - b.seq);
  }

  watch(w: PipelineWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  // ---- client operations -----------------------------------------------------------------------

  async submit(specText: string, idempotencyKey: string): Promise<{ pipeline: PipelineRecord; existing: boolean }> {
    if (this.closed) throw new MoError(grpc.status.UNAVAILABLE, 'the scheduler is shutting down');
    if (idempotencyKey.length > 128 || idempotencyKey.includes('\0')) {
      throw new InvalidArgumentError('idempotency_key', 'must be at most 128 characters');
    }
    const existingId = idempotencyKey ? this.byKey.get(idempotencyKey) : undefined;
    if (existingId) return { pipeline: this.get(existingId), existing: true };
    const spec = parsePipelineSpec(specText);
    let queued = 0;
    for (const p of this.pipelines.values()) if (p.state === 'pending') queued++;
    if (queued >= this.o.maxQueued) {
      throw new ResourceExhaustedError(
        `the pipeline queue is full (${queued} waiting, at most ${this.o.maxQueued}); submit again later`,
      );
    }
    const order = topologicalOrder(spec.steps);
    const byId = new Map(spec.steps.map((s) => [s.id, s]));
    spec.steps = order.map((id) => byId.get(id)!);
    const now = Date.now();
    const p: PipelineRecord = {
      id: newId(now),
      name: spec.name,
      specText,
      spec,
      idempotencyKey,
      state: 'pending',
      reason: 'waiting for a running slot',
      steps: spec.steps.map((s) => ({
        id: s.id,
        state: 'waiting',
        reason: s.needs.length ? `waiting for ${s.needs.join(', ')}` : 'waiting to start',
        attempt: 0,
        workloadId: '',
        nodeName: '',
        outputs: {},
        startedAtMs: 0,
        endedAtMs: 0,
        notBeforeMs: 0,
      })),
      compensations: [],
      createdAtMs: now,
      startedAtMs: 0,
      endedAtMs: 0,
      updatedAtMs: now,
      events: [],
    };
    this.pipelines.set(p.id, p);
    this.order.add(p.id);
    if (idempotencyKey) this.byKey.set(idempotencyKey, p.id);
    this.event(p, '', 'pending', 'submitted');
    // Acknowledged once durable: written now, not with the next coalesced flush.
    this.dirty.delete(p.id);
    try {
      await this.o.store.commit([
        { kind: 'pipeline', id: p.id, value: p },
        { kind: 'meta', id: SEQ_META_ID, value: this.seq },
      ]);
    } catch (err) {
      this.pipelines.delete(p.id);
      this.order.delete(p.id);
      if (idempotencyKey) this.byKey.delete(idempotencyKey);
      throw new MoError(grpc.status.UNAVAILABLE, `could not persist the pipeline: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.admit();
    return { pipeline: p, existing: false };
  }

  cancel(id: string, reason: string): PipelineRecord {
    const p = this.get(id);
    if (PIPELINE_TERMINAL.has(p.state) || p.ending) return p;
    const why = `cancelled${reason ? `: ${reason}` : ' by request'}`;
    if (p.state === 'pending') {
      for (const s of p.steps) this.setStep(p, s, 'cancelled', 'the pipeline was cancelled before it started');
      this.finish(p, 'cancelled', why);
      this.admit();
      return p;
    }
    this.goDown(p, 'cancelled', why);
    return p;
  }

  /** Decides a step's gate; `by` is the caller's identity (describeIdentity), as the service found it. */
  approve(id: string, stepId: string, approved: boolean, by: string, reason: string): PipelineRecord {
    const p = this.get(id);
    const s = this.stepOf(p, stepId);
    if (!s) throw new NotFoundError('step_id', `step of pipeline ${id}`, stepId);
    if (s.state !== 'awaiting_approval') {
      throw new FailedPreconditionError(`step ${stepId} is ${s.state.replace('_', ' ')}, not awaiting approval`);
    }
    const who = by || 'anonymous';
    s.approval = { approved, by: who, reason, atMs: Date.now() };
    if (approved) {
      this.event(p, stepId, 'approved', `approved by ${who}${reason ? `: ${reason}` : ''}`);
      this.startAttempt(p, s);
    } else {
      const why = `rejected by ${who}${reason ? `: ${reason}` : ''}`;
      this.setStep(p, s, 'failed', why, true);
      this.goDown(p, 'failed', `step ${stepId} ${why}`);
    }
    this.advance(p);
    return p;
  }

  /**
   * An agent may upload an artifact only for a running step of a live pipeline that declares it
   * (the artifact store asks before it writes anything).
   */
  /** See artifact-access.ts: the workload the upload belongs to, or why it may not be sent. */
  authorizeUpload(pipelineId: string, stepId: string, path: string, caller: ArtifactCaller): string {
    return authorizeUpload(this.access, this.pipelines.get(pipelineId), pipelineId, stepId, path, caller);
  }

  /** See artifact-access.ts: throws unless `caller` may download step `stepId`'s artifacts. */
  authorizeDownload(pipelineId: string, stepId: string, caller: ArtifactCaller): void {
    authorizeDownload(this.access, this.pipelines.get(pipelineId), pipelineId, stepId, caller);
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
    const p = this.pipelines.get(t.pipelineId);
    if (!p) return;
    if (t.compensation) {
      const c = p.compensations.find((x) => x.stepId === t.stepId);
      if (!c || c.workloadId !== w.id || c.state !== 'running' || !TERMINAL_STATES.has(w.state)) return;
      this.byWorkload.delete(w.id);
      this.clearTimer(`${p.id}/compensate/${t.stepId}`);
      c.state = w.state === 'succeeded' && !c.timedOut ? 'succeeded' : 'failed';
      c.reason = c.timedOut ? `timed out after ${this.specOf(p, t.stepId).compensate!.timeoutMs} ms` : w.reason;
      delete c.timedOut;
      this.event(p, t.stepId, `compensation ${c.state}`, w.reason);
      this.advance(p);
      return;
    }
    const s = this.stepOf(p, t.stepId);
    if (!s || s.workloadId !== w.id || s.state !== 'running') return;
    if (w.nodeName && s.nodeName !== w.nodeName) {
      s.nodeName = w.nodeName;
      this.markDirty(p);
    }
    if (TERMINAL_STATES.has(w.state)) this.attemptEnded(p, s, w);
  }

  // ---- the engine ------------------------------------------------------------------------------

  /** Starts waiting pipelines while slots are free: priority first, then oldest. */
  private admit(): void {
    if (this.closed) return;
    const running: PipelineRecord[] = [];
    const waiting: PipelineRecord[] = [];
    for (const p of this.pipelines.values()) {
      if (p.state === 'pending') waiting.push(p);
      else if (!PIPELINE_TERMINAL.has(p.state)) running.push(p);
    }
    const keys = new Set(running.map((p) => p.spec.concurrency).filter(Boolean));
    waiting.sort(
      (a, b) => PRIORITY_RANK[a.spec.priority] - PRIORITY_RANK[b.spec.priority] || a.createdAtMs - b.createdAtMs,
    );
    let slots = this.o.maxRunning - running.length;
    for (const p of waiting) {
      if (slots <= 0) break;
      if (p.spec.concurrency && keys.has(p.spec.concurrency)) continue;
      if (p.spec.concurrency) keys.add(p.spec.concurrency);
      slots--;
      p.startedAtMs = Date.now();
      this.setPipeline(p, 'running', 'running');
      this.advance(p);
    }
  }

  /**
   * Re-evaluates a pipeline after any change: starts the steps whose needs have ended (per their
   * `when`), and once nothing is left to run, compensates and ends it.
   */
  private advance(p: PipelineRecord): void {
    if (PIPELINE_TERMINAL.has(p.state) || p.state === 'pending' || this.closed) return;
    if (p.state !== 'compensating') {
      for (const [i, s] of p.steps.entries()) {
        if (s.state !== 'waiting') continue;
        const spec = p.spec.steps[i]!;
        const needs = spec.needs.map((n) => this.stepOf(p, n)!);
        if (needs.some((n) => !STEP_TERMINAL.has(n.state))) continue;
        const allOk = needs.every((n) => n.state === 'succeeded');
        const anyFailed = p.ending === 'failed' || needs.some((n) => n.state === 'failed');
        const run =
          spec.when === 'always' ? true : spec.when === 'failure' ? anyFailed : allOk && p.ending === undefined;
        if (!run) {
          const why =
            spec.when === 'failure'
              ? 'skipped: nothing failed upstream'
              : p.ending
                ? `skipped: the pipeline is ${p.ending === 'failed' ? 'failing' : 'cancelled'}`
                : `skipped: ${needs
                    .filter((n) => n.state !== 'succeeded')
                    .map((n) => `${n.id} ${n.state}`)
                    .join(', ')}`;
          this.setStep(p, s, 'skipped', why, true);
          continue;
        }
        if (spec.approval && !s.approval) {
          this.setStep(p, s, 'awaiting_approval', 'waiting for approval (mo pipeline approve)');
          continue;
        }
        this.startAttempt(p, s);
      }
      if (!p.steps.every((s) => STEP_TERMINAL.has(s.state))) {
        const busy = p.steps.some((s) => s.state === 'running' || s.state === 'retrying');
        const gated = p.steps.some((s) => s.state === 'awaiting_approval');
        if (!busy && gated && p.state !== 'awaiting_approval') {
          this.setPipeline(p, 'awaiting_approval', 'a step waits for approval');
        } else if (busy && p.state === 'awaiting_approval') {
          this.setPipeline(p, 'running', 'running');
        }
        return;
      }
      const failed = p.steps.find((s) => s.state === 'failed');
      if (!p.ending && !failed) {
        this.finish(p, 'succeeded', 'every step succeeded or was skipped');
        return;
      }
      p.ending ??= 'failed';
      if (p.ending === 'failed' && failed && p.reason === 'running') p.reason = `step ${failed.id} failed`;
    }
    // Saga: compensate the succeeded steps, one at a time, in reverse dependency order.
    if (p.ending === 'cancelled' && !p.spec.compensateOnCancel) {
      this.finish(p, 'cancelled', p.reason);
      return;
    }
    const last = p.compensations.at(-1);
    if (last?.state === 'running') return;
    const done = new Set(p.compensations.map((c) => c.stepId));
    const next = [...p.steps]
      .reverse()
      .find((s) => s.state === 'succeeded' && this.specOf(p, s.id).compensate && !done.has(s.id));
    if (!next) {
      this.finish(p, p.ending ?? 'failed', p.reason);
      return;
    }
    if (p.state !== 'compensating') this.setPipeline(p, 'compensating', `${p.reason}; compensating`);
    p.compensations.push({ stepId: next.id, workloadId: '', state: 'running', reason: 'starting' });
    this.event(p, next.id, 'compensating', `running the compensation of ${next.id}`);
    this.launchCompensation(p, next.id);
  }

  /** The pipeline goes down (a step failed for good, a rejection, a cancel): stop what runs. */
  private goDown(p: PipelineRecord, how: 'failed' | 'cancelled', why: string): void {
    if (p.ending) return;
    p.ending = how;
    p.reason = why;
    this.event(p, '', how === 'failed' ? 'failing' : 'cancelling', why);
    for (const s of p.steps) {
      if (s.state === 'running') {
        s.stopping = 'cancel';
        this.stopWorkload(s.workloadId);
      } else if (s.state === 'retrying' || s.state === 'awaiting_approval') {
        this.clearTimer(`${p.id}/${s.id}`);
        this.setStep(p, s, 'cancelled', `cancelled: ${why}`, true);
      }
    }
    this.advance(p);
  }

  private startAttempt(p: PipelineRecord, s: StepRecord): void {
    s.attempt++;
    s.startedAtMs = Date.now();
    s.notBeforeMs = 0;
    s.workloadId = '';
    delete s.stopping;
    delete s.exit;
    const max = this.specOf(p, s.id).retries.maxAttempts;
    this.setStep(p, s, 'running', max > 1 ? `attempt ${s.attempt} of ${max}` : 'submitted');
    this.launch(p, s);
  }

  /** Submits (or, after a restart, finds again) the workload of the step's current attempt. */
  private launch(p: PipelineRecord, s: StepRecord): void {
    const spec = this.specOf(p, s.id);
    const outputsOf = (id: string) => this.stepOf(p, id)?.outputs;
    const req = this.workloadRequest(p, spec, `${p.id}/${s.id}/${s.attempt}`, s.id, outputsOf);
    const attempt = s.attempt;
    let submitted: Promise<{ record: WorkloadRecord }>;
    try {
      if (spec.artifacts.length > 0 || spec.inputs.length > 0) req.spec!.artifacts = this.artifactSpec(p, spec);
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
        this.markDirty(p);
        if (spec.timeoutMs > 0) {
          const left = s.startedAtMs + spec.timeoutMs - Date.now();
          this.setTimer(`${p.id}/${s.id}`, left, () => {
            if (s.state !== 'running' || s.attempt !== attempt || s.stopping) return;
            s.stopping = 'timeout';
            this.event(p, s.id, 'timing out', `timed out after ${spec.timeoutMs} ms`);
            this.stopWorkload(s.workloadId);
          });
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
    const template = this.specOf(p, stepId).compensate!;
    const outputsOf = (id: string) => this.stepOf(p, id)?.outputs;
    const req = this.workloadRequest(p, template, `${p.id}/compensate/${stepId}`, `${stepId}.compensate`, outputsOf);
    this.o.workloads.submit(req).then(
      ({ record }) => {
        c.workloadId = record.id;
        c.reason = record.reason;
        this.byWorkload.set(record.id, { pipelineId: p.id, stepId, compensation: true });
        this.markDirty(p);
        if (template.timeoutMs > 0 && !TERMINAL_STATES.has(record.state)) {
          // After a restart the clock restarts too: a compensation gets at least its full timeout.
          this.setTimer(`${p.id}/compensate/${stepId}`, template.timeoutMs, () => {
            if (c.state !== 'running' || c.workloadId !== record.id) return;
            c.timedOut = true;
            this.event(p, stepId, 'compensation timing out', `timed out after ${template.timeoutMs} ms`);
            this.stopWorkload(record.id);
          });
        }
        this.workloadChanged(record);
      },
      (err: unknown) => {
        c.state = 'failed';
        c.reason = `could not submit: ${(err as Error).message}`;
        this.event(p, stepId, 'compensation failed', c.reason);
        this.advance(p);
      },
    );
  }

  /** One attempt of a running step ended (its workload did, or it could not be submitted). */
  private attemptEnded(p: PipelineRecord, s: StepRecord, w: WorkloadRecord | undefined, why?: string): void {
    this.clearTimer(`${p.id}/${s.id}`);
    if (w) {
      this.byWorkload.delete(w.id);
      if (w.exit) s.exit = { ...w.exit };
    }
    const spec = this.specOf(p, s.id);
    if (w?.state === 'succeeded' && s.stopping !== 'timeout') {
      s.outputs = { ...(w.outputs ?? {}) };
      this.setStep(p, s, 'succeeded', w.reason, true);
      this.advance(p);
      return;
    }
    if (s.stopping === 'cancel') {
      this.setStep(p, s, 'cancelled', `stopped: ${p.reason}`, true);
      this.advance(p);
      return;
    }
    const reason =
      s.stopping === 'timeout' ? `timed out after ${spec.timeoutMs} ms` : (why ?? w?.reason ?? 'the workload ended');
    delete s.stopping;
    if (s.attempt < spec.retries.maxAttempts) {
      const { initialBackoffMs, maxBackoffMs } = spec.retries;
      const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (s.attempt - 1));
      const delay = Math.round(base * (0.8 + Math.random() * 0.4));
      s.notBeforeMs = Date.now() + delay;
      this.setStep(
        p,
        s,
        'retrying',
        `attempt ${s.attempt} of ${spec.retries.maxAttempts} failed (${reason}); next in ${(delay / 1000).toFixed(1)}s`,
      );
      this.armRetry(p, s);
      return;
    }
    this.setStep(p, s, 'failed', reason, true);
    if (p.ending) this.advance(p);
    else this.goDown(p, 'failed', `step ${s.id} failed: ${reason}`);
  }

  private armRetry(p: PipelineRecord, s: StepRecord): void {
    this.setTimer(`${p.id}/${s.id}`, s.notBeforeMs - Date.now(), () => {
      if (s.state !== 'retrying') return;
      this.startAttempt(p, s);
      this.advance(p);
    });
  }

  /** The WorkloadSpec + SchedulingSpec of one step attempt (or compensation). */
  private workloadRequest(
    p: PipelineRecord,
    t: WorkloadTemplate,
    idempotencyKey: string,
    name: string,
    outputsOf: (step: string) => Record<string, string> | undefined,
  ): SubmitWorkloadRequest__Output {
    const sub = (v: string) => substituteOutputs(v, outputsOf);
    const env: Record<string, string> = {
      MO_PIPELINE_ID: p.id,
      MO_PIPELINE_NAME: p.name,
      MO_STEP_ID: name,
    };
    for (const [k, v] of Object.entries(t.env)) env[k] = sub(v);
    const req: SubmitWorkloadRequest = {
      spec: {
        name: `${p.name}.${name}`.slice(0, 63).replace(/[^a-z0-9._-]/g, '-'),
        argv: t.command.map(sub),
        env,
        resources: { cpuMillis: t.cpuMillis, memoryBytes: t.memoryBytes },
        labels: { ...t.labels, [LABEL_PIPELINE]: p.id, [LABEL_STEP]: name.replace(/[^A-Za-z0-9._-]/g, '-') },
        driver: t.driver,
        ...(t.driver === 'docker'
          ? { docker: { image: t.image, network: t.network, writableRoot: t.writableRoot } }
          : {}),
      },
      scheduling: {
        constraints: t.constraints,
        node: t.node,
        priority: PRIORITY_ENUM[p.spec.priority],
        restart: { mode: 'RESTART_MODE_NEVER' },
        batch: true,
      },
      idempotencyKey,
    };
    // The permissive request type carries everything validateSubmission reads.
    return req as SubmitWorkloadRequest__Output;
  }

  /** What the agent uploads after the step succeeds, and the upstream artifacts it fetches first. */
  private artifactSpec(p: PipelineRecord, spec: StepSpec): ArtifactSpec__Output {
    const store = this.o.artifacts;
    if (!store) throw new FailedPreconditionError('this scheduler has no artifact store');
    const inputs = [];
    for (const from of spec.inputs) {
      const upstream = this.stepOf(p, from)!;
      // A `when: always|failure` step may run after an input step that did not succeed: it gets
      // what exists. After a success, every declared artifact must be there.
      if (upstream.state !== 'succeeded') continue;
      const stored = new Map(store.list(p.id, from).map((r) => [r.path, r]));
      for (const path of this.specOf(p, from).artifacts) {
        const r = stored.get(path);
        if (!r) throw new FailedPreconditionError(`input ${from}/${path} is missing from the artifact store`);
        inputs.push({ pipelineId: p.id, stepId: from, path, sha256: r.sha256, sizeBytes: r.sizeBytes });
      }
    }
    return { pipelineId: p.id, stepId: spec.id, upload: spec.artifacts, inputs, maxBytes: store.maxBytesPerStep };
  }

  /** A step's spec (p.spec.steps and p.steps line up by index: both are in the spec's order). */
  private specOf(p: PipelineRecord, stepId: string): StepSpec {
    return p.spec.steps[this.indexOf(p, stepId)!]!;
  }

  private stepOf(p: PipelineRecord, stepId: string): StepRecord | undefined {
    const i = this.indexOf(p, stepId);
    return i === undefined ? undefined : p.steps[i];
  }

  /** Step id -> index, built once per pipeline (not persisted): lookups run on every step event. */
  private indexOf(p: PipelineRecord, stepId: string): number | undefined {
    let index = this.stepIndex.get(p.spec);
    if (!index) {
      index = new Map(p.spec.steps.map((st, i) => [st.id, i]));
      this.stepIndex.set(p.spec, index);
    }
    return index.get(stepId);
  }

  private stopWorkload(id: string): void {
    if (!id) return; // not submitted yet: stopped as soon as the submit returns
    this.o.workloads.stop(id, STOP_GRACE_MS).catch((err: unknown) => {
      this.o.logger.warn('could not stop a step workload', { workload: id, err });
    });
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  private setStep(p: PipelineRecord, s: StepRecord, state: StepStateName, reason: string, ended = false): void {
    s.state = state;
    s.reason = reason;
    if (ended) s.endedAtMs = Date.now();
    this.event(p, s.id, state, reason);
  }

  private setPipeline(p: PipelineRecord, state: PipelineStateName, reason: string): void {
    p.state = state;
    p.reason = reason;
    this.event(p, '', state, reason);
  }

  private finish(p: PipelineRecord, state: 'succeeded' | 'failed' | 'cancelled', reason: string): void {
    p.endedAtMs = Date.now();
    this.setPipeline(p, state, reason);
    this.retire(p);
    setImmediate(() => this.admit());
  }

  /** Records an event (sequence number, timestamp), persists the pipeline and tells watchers. */
  private event(p: PipelineRecord, stepId: string, state: string, reason: string): void {
    const e: PipelineEventRecord = { seq: ++this.seq, atMs: Date.now(), stepId, state, reason };
    p.events.push(e);
    if (p.events.length > MAX_PIPELINE_EVENTS) p.events.splice(0, p.events.length - MAX_PIPELINE_EVENTS);
    this.markDirty(p);
    for (const w of this.watchers) if (!w.pipelineId || w.pipelineId === p.id) w.push({ ...e, pipeline: p });
  }

  /** Writes are coalesced per tick: a 100-step fan-out is one write of the pipeline, not 100. */
  private markDirty(p: PipelineRecord): void {
    p.updatedAtMs = Date.now();
    this.dirty.add(p.id);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.dirty.size === 0) return;
    const ops: StoreOp[] = [...this.dirty].map((id) => ({
      kind: 'pipeline',
      id,
      value: this.pipelines.get(id) ?? null,
    }));
    this.dirty.clear();
    ops.push({ kind: 'meta', id: SEQ_META_ID, value: this.seq });
    this.o.store.commit(ops).catch((err: unknown) => {
      this.o.logger.error('could not persist pipelines', { err });
    });
  }

  private setTimer(key: string, delayMs: number, fn: () => void): void {
    this.clearTimer(key);
    if (this.closed) return;
    this.timers.set(
      key,
      after(delayMs, () => {
        this.timers.delete(key);
        fn();
      }),
    );
  }

  private clearTimer(key: string): void {
    const t = this.timers.get(key);
    t?.cancel();
    this.timers.delete(key);
  }

  private retire(p: PipelineRecord): void {
    this.ended.push(p.id);
    const max = this.o.maxRetainedEnded ?? 1000;
    while (this.ended.length > max) {
      const id = this.ended.shift()!;
      const old = this.pipelines.get(id);
      if (!old || !PIPELINE_TERMINAL.has(old.state)) continue;
      this.pipelines.delete(id);
      this.order.delete(id);
      this.o.artifacts?.removePipeline(id).catch((err: unknown) => {
        this.o.logger.warn('could not remove the artifacts of a dropped pipeline', { pipeline: id, err });
      });
      if (old.idempotencyKey && this.byKey.get(old.idempotencyKey) === id) this.byKey.delete(old.idempotencyKey);
      this.dirty.add(id); // flushed as a delete
    }
  }
}
