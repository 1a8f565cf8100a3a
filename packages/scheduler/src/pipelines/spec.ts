// The pipeline spec: YAML (or JSON, which is YAML) text -> a validated PipelineSpec, or an
// InvalidArgumentError naming the offending field (`steps[2].needs[0]: unknown step "pars"`).
// The schema is documented in ./README.md; this file is the one place that enforces it.
// The parts job files parse the same way (workload fields, durations, the YAML read) are in
// ../workloads/spec-fields.ts.
import { NAME_RE, quote, validateArtifactPath } from '@mo/api';
import type { PriorityName } from '../workloads/record.js';
import {
  TEMPLATE_MAX_TIMEOUT_MS,
  fail,
  obj,
  onlyKeys,
  parseSpecDuration,
  parseWorkload,
  readSpecText,
  str,
  strList,
  workloadKeys,
  type WorkloadTemplate,
} from '../workloads/spec-fields.js';

// Shared with job files (jobs/spec.ts); re-exported for the pipeline code that imports them from here.
export { parseSpecDuration, type WorkloadTemplate };

export type WhenName = 'success' | 'failure' | 'always';

export interface RetryPolicy {
  /** Attempts in all, including the first (1 = no retry). */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface StepSpec extends WorkloadTemplate {
  id: string;
  needs: string[];
  retries: RetryPolicy;
  compensate?: WorkloadTemplate;
  approval: boolean;
  when: WhenName;
  /** Files (relative to the working dir) uploaded to the artifact store after the step succeeds. */
  artifacts: string[];
  /** Upstream steps whose artifacts are fetched into this step's working dir before it starts. */
  inputs: string[];
}

export interface PipelineSpec {
  name: string;
  priority: PriorityName;
  /** At most one running pipeline per key ('' = no limit). */
  concurrency: string;
  /** Whether a cancel runs the completed steps' compensations. */
  compensateOnCancel: boolean;
  steps: StepSpec[];
}

export const SPEC_LIMITS = {
  textBytes: 256 * 1024,
  steps: 500,
  needsPerStep: 100,
  maxTimeoutMs: TEMPLATE_MAX_TIMEOUT_MS,
  maxAttempts: 100,
  maxBackoffMs: 24 * 3600 * 1000,
  artifactsPerStep: 64,
} as const;

export const STEP_ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** `${{ steps.X.outputs.K }}` in a step's command or env. */
export const OUTPUT_REF_RE = /\$\{\{\s*steps\.([a-z0-9][a-z0-9_-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

const RETRY_DEFAULTS: RetryPolicy = { maxAttempts: 1, initialBackoffMs: 1000, maxBackoffMs: 60_000 };

const STEP_KEYS = [
  'id',
  'needs',
  ...workloadKeys('camel'),
  'retries',
  'compensate',
  'approval',
  'when',
  'artifacts',
  'inputs',
];

function parseRetries(path: string, v: unknown): RetryPolicy {
  if (typeof v === 'number') v = { attempts: v };
  const o = obj(path, v);
  onlyKeys(path, o, ['attempts', 'backoff', 'maxBackoff']);
  const attempts = o.attempts ?? RETRY_DEFAULTS.maxAttempts;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1) {
    fail(`${path}.attempts`, `must be a whole number >= 1 (attempts in all), got ${JSON.stringify(attempts)}`);
  }
  if (attempts > SPEC_LIMITS.maxAttempts) fail(`${path}.attempts`, `must be at most ${SPEC_LIMITS.maxAttempts}`);
  const initial =
    o.backoff === undefined
      ? RETRY_DEFAULTS.initialBackoffMs
      : parseSpecDuration(`${path}.backoff`, o.backoff, SPEC_LIMITS.maxBackoffMs);
  const max =
    o.maxBackoff === undefined
      ? Math.max(initial, RETRY_DEFAULTS.maxBackoffMs)
      : parseSpecDuration(`${path}.maxBackoff`, o.maxBackoff, SPEC_LIMITS.maxBackoffMs);
  if (max < initial) fail(`${path}.maxBackoff`, 'must not be shorter than backoff');
  return { maxAttempts: attempts, initialBackoffMs: initial, maxBackoffMs: max };
}

function parseStep(path: string, v: unknown): StepSpec {
  const o = obj(path, v);
  onlyKeys(path, o, STEP_KEYS);
  if (o.id === undefined) fail(`${path}.id`, 'is required');
  const id = str(`${path}.id`, o.id);
  if (!STEP_ID_RE.test(id)) fail(`${path}.id`, `${quote(id)} must match ${STEP_ID_RE.source}`);
  const needs = o.needs === undefined ? [] : strList(`${path}.needs`, o.needs, SPEC_LIMITS.needsPerStep);
  const when = o.when === undefined ? 'success' : str(`${path}.when`, o.when);
  if (when !== 'success' && when !== 'failure' && when !== 'always') {
    fail(`${path}.when`, `must be success, failure or always, got ${quote(when)}`);
  }
  if (o.approval !== undefined && typeof o.approval !== 'boolean') fail(`${path}.approval`, 'must be true or false');
  const artifacts =
    o.artifacts === undefined ? [] : strList(`${path}.artifacts`, o.artifacts, SPEC_LIMITS.artifactsPerStep);
  artifacts.forEach((a, j) => {
    validateArtifactPath(`${path}.artifacts[${j}]`, a);
    if (artifacts.indexOf(a) !== j) fail(`${path}.artifacts[${j}]`, `duplicate artifact ${quote(a)}`);
  });
  const inputs = o.inputs === undefined ? [] : strList(`${path}.inputs`, o.inputs, SPEC_LIMITS.needsPerStep);
  let compensate: WorkloadTemplate | undefined;
  if (o.compensate !== undefined) {
    const c = obj(`${path}.compensate`, o.compensate);
    onlyKeys(`${path}.compensate`, c, workloadKeys('camel'));
    compensate = parseWorkload(`${path}.compensate`, c);
  }
  return {
    id,
    needs,
    ...parseWorkload(path, o),
    retries: o.retries === undefined ? { ...RETRY_DEFAULTS } : parseRetries(`${path}.retries`, o.retries),
    ...(compensate ? { compensate } : {}),
    approval: o.approval === true,
    when,
    artifacts,
    inputs,
  };
}

/** Parses and validates a spec; every error names the field (and the step index) it is about. */
export function parsePipelineSpec(text: string): PipelineSpec {
  const doc = readSpecText(text, SPEC_LIMITS.textBytes);
  return validatePipelineSpec(doc);
}

export function validatePipelineSpec(doc: unknown): PipelineSpec {
  const o = obj('spec', doc);
  onlyKeys('', o, ['name', 'priority', 'concurrency', 'onCancel', 'steps']);
  if (o.name === undefined) fail('name', 'is required');
  const name = str('name', o.name);
  if (!NAME_RE.test(name)) fail('name', `${quote(name)} must match ${NAME_RE.source}`);
  const priority = o.priority === undefined ? 'normal' : str('priority', o.priority);
  if (priority !== 'low' && priority !== 'normal' && priority !== 'high') {
    fail('priority', `must be low, normal or high, got ${quote(priority)}`);
  }
  const concurrency = o.concurrency === undefined ? '' : str('concurrency', o.concurrency, 128);
  const onCancel = o.onCancel === undefined ? 'stop' : str('onCancel', o.onCancel);
  if (onCancel !== 'stop' && onCancel !== 'compensate') fail('onCancel', `must be stop or compensate`);
  if (!Array.isArray(o.steps) || o.steps.length === 0) fail('steps', 'must be a non-empty list');
  if (o.steps.length > SPEC_LIMITS.steps) fail('steps', `has ${o.steps.length} steps, at most ${SPEC_LIMITS.steps}`);
  const steps = o.steps.map((s, i) => parseStep(`steps[${i}]`, s));

  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    const first = index.get(s.id);
    if (first !== undefined) fail(`steps[${i}].id`, `duplicate step id ${quote(s.id)} (also steps[${first}])`);
    index.set(s.id, i);
  });
  steps.forEach((s, i) => {
    const seen = new Set<string>();
    s.needs.forEach((n, j) => {
      if (!index.has(n)) fail(`steps[${i}].needs[${j}]`, `unknown step ${quote(n)}`);
      if (n === s.id) fail(`steps[${i}].needs[${j}]`, 'a step cannot need itself');
      if (seen.has(n)) fail(`steps[${i}].needs[${j}]`, `duplicate need ${quote(n)}`);
      seen.add(n);
    });
  });
  checkCycles(steps, index);
  checkOutputRefs(steps, index);
  checkInputs(steps, index);
  return { name, priority, concurrency, compensateOnCancel: onCancel === 'compensate', steps };
}

/** Rejects a cycle, naming the need that closes it and the whole loop. */
function checkCycles(steps: StepSpec[], index: Map<string, number>): void {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (i: number): void => {
    const s = steps[i]!;
    state.set(s.id, 'open');
    stack.push(s.id);
    s.needs.forEach((n, j) => {
      const st = state.get(n);
      if (st === 'open') {
        const loop = [...stack.slice(stack.indexOf(n)), n];
        fail(`steps[${i}].needs[${j}]`, `cycle: ${loop.join(' -> ')}`);
      }
      if (st === undefined) visit(index.get(n)!);
    });
    stack.pop();
    state.set(s.id, 'done');
  };
  steps.forEach((s, i) => {
    if (!state.has(s.id)) visit(i);
  });
}

/** `${{ steps.X.outputs.K }}` may only name a step upstream of the one that uses it. */
function checkOutputRefs(steps: StepSpec[], index: Map<string, number>): void {
  steps.forEach((s, i) => {
    let up: Set<string> | undefined;
    const check = (path: string, value: string) => {
      for (const m of value.matchAll(OUTPUT_REF_RE)) {
        up ??= upstreamOf(steps, index, i);
        if (!index.has(m[1]!)) fail(path, `unknown step ${quote(m[1]!)} in ${m[0]}`);
        if (!up.has(m[1]!)) fail(path, `step ${quote(m[1]!)} is not upstream of ${quote(s.id)} (add it to needs)`);
      }
    };
    s.command.forEach((a, j) => check(`steps[${i}].command[${j}]`, a));
    for (const [k, v] of Object.entries(s.env)) check(`steps[${i}].env.${k}`, v);
  });
}

/** `inputs` name steps upstream of the one that uses them, and those steps declare artifacts. */
function checkInputs(steps: StepSpec[], index: Map<string, number>): void {
  steps.forEach((s, i) => {
    if (s.inputs.length === 0) return;
    const up = upstreamOf(steps, index, i);
    s.inputs.forEach((n, j) => {
      const at = `steps[${i}].inputs[${j}]`;
      if (!index.has(n)) fail(at, `unknown step ${quote(n)}`);
      if (!up.has(n)) fail(at, `step ${quote(n)} is not upstream of ${quote(s.id)} (add it to needs)`);
      if (s.inputs.indexOf(n) !== j) fail(at, `duplicate input ${quote(n)}`);
      if (steps[index.get(n)!]!.artifacts.length === 0) fail(at, `step ${quote(n)} declares no artifacts`);
    });
  });
}

/** Every step that `steps[i]` needs, directly or not. */
function upstreamOf(steps: StepSpec[], index: Map<string, number>, i: number): Set<string> {
  const out = new Set<string>();
  const todo = [...steps[i]!.needs];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    todo.push(...steps[index.get(n)!]!.needs);
  }
  return out;
}

/** Replaces output references with upstream steps' outputs (missing ones become ''). */
export function substituteOutputs(
  value: string,
  outputs: (step: string) => Record<string, string> | undefined,
): string {
  return value.replace(OUTPUT_REF_RE, (_m, step: string, key: string) => {
    const out = outputs(step);
    // Own keys only: `constructor` must not find Object.prototype's.
    return out && Object.hasOwn(out, key) ? (out[key] ?? '') : '';
  });
}

/** Step ids in an order where every step comes after its needs. */
export function topologicalOrder(steps: readonly StepSpec[]): string[] {
  const index = new Map(steps.map((s) => [s.id, s]));
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (id: string) => {
    if (done.has(id)) return;
    done.add(id);
    for (const n of index.get(id)!.needs) visit(n);
    out.push(id);
  };
  for (const s of steps) visit(s.id);
  return out;
}
