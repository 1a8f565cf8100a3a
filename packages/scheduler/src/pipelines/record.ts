// The scheduler's record of one pipeline and its steps. Persisted as JSON in the store (kind
// 'pipeline'); the proto Pipeline is derived from it (toPipeline, server/pipeline-convert.ts).
// Also the step lookups every decision uses, and the record of a new submission.
import type { ExitRecord } from '../workloads/record.js';
import { topologicalOrder, type PipelineSpec, type StepSpec } from './spec.js';

export type PipelineStateName =
  'pending' | 'running' | 'awaiting_approval' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';
export const PIPELINE_TERMINAL: ReadonlySet<PipelineStateName> = new Set(['succeeded', 'failed', 'cancelled']);

export type StepStateName =
  'waiting' | 'awaiting_approval' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const STEP_TERMINAL: ReadonlySet<StepStateName> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

export interface ApprovalRecord {
  approved: boolean;
  by: string;
  reason: string;
  atMs: number;
}

export interface StepRecord {
  id: string;
  state: StepStateName;
  reason: string;
  /** Attempts started so far. */
  attempt: number;
  /** The current attempt's workload ('' before the first submit returns). */
  workloadId: string;
  nodeName: string;
  exit?: ExitRecord;
  outputs: Record<string, string>;
  startedAtMs: number;
  endedAtMs: number;
  /** A retrying step's next attempt starts then. */
  notBeforeMs: number;
  approval?: ApprovalRecord;
  /** Set when the scheduler stops the step's workload: why (the end is read in that light). */
  stopping?: 'timeout' | 'cancel';
}

export interface CompensationRecord {
  stepId: string;
  workloadId: string;
  state: StepStateName;
  reason: string;
  /** Set when the engine stopped it for running past `compensate.timeout`. */
  timedOut?: boolean;
}

export interface PipelineEventRecord {
  seq: number;
  atMs: number;
  /** '' = the pipeline itself. */
  stepId: string;
  state: string;
  reason: string;
}

export interface PipelineRecord {
  id: string;
  name: string;
  specText: string;
  spec: PipelineSpec;
  idempotencyKey: string;
  state: PipelineStateName;
  reason: string;
  /** In the spec's dependency (topological) order. */
  steps: StepRecord[];
  compensations: CompensationRecord[];
  /** Set once the pipeline is going down: how it will end when everything has stopped. */
  ending?: 'failed' | 'cancelled';
  createdAtMs: number;
  startedAtMs: number;
  endedAtMs: number;
  updatedAtMs: number;
  events: PipelineEventRecord[];
}

/** Events kept per pipeline (oldest dropped first). */
export const MAX_PIPELINE_EVENTS = 2000;

/** Step id -> index, built once per spec (not persisted): lookups run on every step event. */
const stepIndexes = new WeakMap<PipelineSpec, Map<string, number>>();

/** Where step `stepId` sits in `p.spec.steps` and `p.steps` (both in the spec's order). */
export function stepIndexOf(p: PipelineRecord, stepId: string): number | undefined {
  let index = stepIndexes.get(p.spec);
  if (!index) {
    index = new Map(p.spec.steps.map((st, i) => [st.id, i]));
    stepIndexes.set(p.spec, index);
  }
  return index.get(stepId);
}

export function stepOf(p: PipelineRecord, stepId: string): StepRecord | undefined {
  const i = stepIndexOf(p, stepId);
  return i === undefined ? undefined : p.steps[i];
}

/** A step's spec; the id must be one of the pipeline's. */
export function specOf(p: PipelineRecord, stepId: string): StepSpec {
  return p.spec.steps[stepIndexOf(p, stepId)!]!;
}

/** The record of a pipeline just submitted: pending, its steps waiting in dependency order. */
export function newPipelineRecord(
  id: string,
  spec: PipelineSpec,
  specText: string,
  idempotencyKey: string,
  now: number,
): PipelineRecord {
  const byId = new Map(spec.steps.map((s) => [s.id, s]));
  spec.steps = topologicalOrder(spec.steps).map((stepId) => byId.get(stepId)!);
  return {
    id,
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
}
