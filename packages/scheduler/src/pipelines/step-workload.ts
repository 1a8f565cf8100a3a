// The workload a step attempt (or a compensation) submits: its WorkloadSpec + SchedulingSpec from
// the step's template, upstream outputs substituted, the pipeline's labels and environment, restart
// `never` (retries are the step's), and what the agent moves in and out of the artifact store.
import {
  FailedPreconditionError,
  type ArtifactSpec__Output,
  type SubmitWorkloadRequest,
  type SubmitWorkloadRequest__Output,
} from '@mo/api';
import type { ArtifactRecord } from './artifacts.js';
import { PRIORITY_ENUM } from '../workloads/record.js';
import { specOf, stepOf, type PipelineRecord } from './record.js';
import { substituteOutputs, type StepSpec, type WorkloadTemplate } from './spec.js';

/** Labels on every step workload, so `mo status` shows where a workload comes from. */
export const LABEL_PIPELINE = 'mo.pipeline';
export const LABEL_STEP = 'mo.step';

/** What the engine needs from the artifact store (pipelines/artifacts.ts). */
export interface StepArtifacts {
  list(pipelineId: string, stepId: string): ArtifactRecord[];
  removePipeline(pipelineId: string): Promise<void>;
  readonly maxBytesPerStep: number;
}

/** The request of one step attempt (or compensation); `name` is the step id (`<id>.compensate`). */
export function stepWorkloadRequest(
  p: PipelineRecord,
  t: WorkloadTemplate,
  idempotencyKey: string,
  name: string,
): SubmitWorkloadRequest__Output {
  const sub = (v: string) => substituteOutputs(v, (id) => stepOf(p, id)?.outputs);
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
      // Older stored pipelines have no user: the node's default.
      ...(t.user && { user: t.user }),
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

/**
 * What the agent uploads after the step succeeds, and the upstream artifacts it fetches first.
 * Throws FailedPreconditionError without an artifact store, or when a succeeded input's artifact
 * is missing from it.
 */
export function stepArtifactSpec(
  p: PipelineRecord,
  spec: StepSpec,
  store: StepArtifacts | undefined,
): ArtifactSpec__Output {
  if (!store) throw new FailedPreconditionError('this scheduler has no artifact store');
  const inputs = [];
  for (const from of spec.inputs) {
    const upstream = stepOf(p, from)!;
    // A `when: always|failure` step may run after an input step that did not succeed: it gets
    // what exists. After a success, every declared artifact must be there.
    if (upstream.state !== 'succeeded') continue;
    const stored = new Map(store.list(p.id, from).map((r) => [r.path, r]));
    for (const path of specOf(p, from).artifacts) {
      const r = stored.get(path);
      if (!r) throw new FailedPreconditionError(`input ${from}/${path} is missing from the artifact store`);
      inputs.push({ pipelineId: p.id, stepId: from, path, sha256: r.sha256, sizeBytes: r.sizeBytes });
    }
  }
  return { pipelineId: p.id, stepId: spec.id, upload: spec.artifacts, inputs, maxBytes: store.maxBytesPerStep };
}
