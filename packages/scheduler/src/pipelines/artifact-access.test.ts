import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import type { WorkloadRecord } from '../workloads/record.js';
import {
  authorizeDownload,
  authorizeUpload,
  type ArtifactAccessContext,
  type ArtifactCaller,
} from './artifact-access.js';
import type { PipelineRecord, StepRecord } from './record.js';
import type { StepSpec } from './spec.js';

const step = (id: string, over: Partial<StepRecord> = {}): StepRecord =>
  ({ id, state: 'running', workloadId: `w-${id}`, nodeName: 'n1', outputs: {}, ...over }) as StepRecord;
const spec = (id: string, artifacts: string[], inputs: string[] = []): StepSpec =>
  ({ id, artifacts, inputs }) as unknown as StepSpec;

function world(opts: { steps: StepRecord[]; specs: StepSpec[]; workloads: Array<Partial<WorkloadRecord>> }) {
  const p = { id: 'P', state: 'running', steps: opts.steps, spec: { steps: opts.specs } } as unknown as PipelineRecord;
  const ctx: ArtifactAccessContext = {
    specOf: (_p, id) => opts.specs.find((s) => s.id === id),
    workload: (id) => opts.workloads.find((w) => w.id === id) as WorkloadRecord | undefined,
  };
  return { p, ctx };
}

const agent = (node: string): ArtifactCaller => ({ kind: 'agent', node });
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'OK';
  } catch (err) {
    return grpc.status[(err as { code: number }).code]!;
  }
};

describe('authorizeUpload', () => {
  const base = () =>
    world({
      steps: [step('make')],
      specs: [spec('make', ['out.bin'])],
      workloads: [{ id: 'w-make', state: 'running', nodeName: 'n1', allocationId: 'a1' }],
    });

  it("returns the step's current allocation to the agent of its node, or to anyone when insecure", () => {
    const { p, ctx } = base();
    expect(authorizeUpload(ctx, p, 'P', 'make', 'out.bin', agent('n1'))).toBe('a1');
    expect(authorizeUpload(ctx, p, 'P', 'make', 'out.bin', { kind: 'anyone' })).toBe('a1');
  });

  it('refuses another node, a client, a scheduler, an undeclared path, an ended step or attempt, an ended pipeline', () => {
    const { p, ctx } = base();
    const up = (caller: ArtifactCaller, path = 'out.bin', pp: PipelineRecord | undefined = p) =>
      codeOf(() => authorizeUpload(ctx, pp, 'P', 'make', path, caller));
    expect(up(agent('n2'))).toBe('PERMISSION_DENIED');
    expect(up({ kind: 'client', name: 'alice' })).toBe('PERMISSION_DENIED');
    expect(up({ kind: 'scheduler' })).toBe('PERMISSION_DENIED');
    expect(up(agent('n1'), 'other.bin')).toBe('FAILED_PRECONDITION');
    expect(codeOf(() => authorizeUpload(ctx, undefined, 'P', 'make', 'out.bin', agent('n1')))).toBe(
      'FAILED_PRECONDITION',
    );
    expect(up(agent('n1'), 'out.bin', { ...p, state: 'succeeded' })).toBe('FAILED_PRECONDITION');
    p.steps[0]!.state = 'succeeded';
    expect(up(agent('n1'))).toBe('FAILED_PRECONDITION');
    p.steps[0]!.state = 'running';
    const ended = world({
      steps: [step('make')],
      specs: [spec('make', ['out.bin'])],
      workloads: [{ id: 'w-make', state: 'succeeded', nodeName: 'n1', allocationId: 'a1' }],
    });
    expect(codeOf(() => authorizeUpload(ended.ctx, ended.p, 'P', 'make', 'out.bin', agent('n1')))).toBe(
      'FAILED_PRECONDITION',
    );
    expect(codeOf(() => authorizeUpload(ctx, p, 'P', 'nope', 'out.bin', agent('n1')))).toBe('NOT_FOUND');
  });
});

describe('authorizeDownload', () => {
  const w = () =>
    world({
      steps: [step('make', { state: 'succeeded' }), step('use', { state: 'running' }), step('other')],
      specs: [spec('make', ['out.bin']), spec('use', [], ['make']), spec('other', [])],
      workloads: [
        { id: 'w-use', state: 'starting', nodeName: 'n2', allocationId: 'a2' },
        { id: 'w-other', state: 'running', nodeName: 'n3', allocationId: 'a3' },
      ],
    });

  it('lets the agent of a running step that takes the artifacts as input, clients, schedulers and anyone', () => {
    const { p, ctx } = w();
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', agent('n2')))).toBe('OK');
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', { kind: 'client', name: 'r' }))).toBe('OK');
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', { kind: 'anyone' }))).toBe('OK');
    // Another scheduler's artifact mirror: any step, running or not, even one no step takes.
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'other', { kind: 'scheduler' }))).toBe('OK');
    p.steps[1]!.state = 'succeeded';
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', { kind: 'scheduler' }))).toBe('OK');
  });

  it('refuses agents that run no such step', () => {
    const { p, ctx } = w();
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', agent('n3')))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', agent('n9')))).toBe('PERMISSION_DENIED');
    p.steps[1]!.state = 'succeeded';
    expect(codeOf(() => authorizeDownload(ctx, p, 'P', 'make', agent('n2')))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => authorizeDownload(ctx, undefined, 'P', 'make', agent('n2')))).toBe('NOT_FOUND');
  });
});
