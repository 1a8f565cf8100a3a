// The hooks together, in the order workloadHooks() gives them: the order is what keeps the agent's
// writes (fetched inputs, the sandbox dir) ahead of handing the task dir to the workload's user.
import { afterAll, describe, expect, it } from '@jest/globals';
import { createLogger, newStringMap, type ArtifactSettings } from '@mo/api';
import { requireTool } from '@mo/testkit';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec } from '../../drivers/docker/settings.js';
import { WorkloadStore } from '../../state/workload-store.js';
import type { WorkloadRecord } from '../record.js';
import { workloadHooks, type WorkloadHooksOptions } from './index.js';

const dataDir = mkdtempSync(join(tmpdir(), `mo-hooks-${process.pid}-`));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const store = new WorkloadStore(dataDir, undefined, { spareDirs: 0 });

function hooksFor(agentUid: number): ReturnType<typeof workloadHooks> {
  const options: WorkloadHooksOptions = {
    store,
    agentUid,
    nodeName: 'n1',
    artifacts: {
      async fetchInputs(a: ArtifactSettings, workDir: string) {
        for (const ref of a.inputs) writeFileSync(join(workDir, ref.path), 'input');
      },
      upload: () => Promise.resolve(0),
    },
    logger: createLogger('error'),
    stopTimedOut: () => Promise.resolve(),
  };
  return workloadHooks(options);
}

describe('workloadHooks', () => {
  it('gives every phase its hooks in the documented order', () => {
    const hooks = hooksFor(0);
    const having = (phase: keyof (typeof hooks)[number]) => hooks.filter((h) => h[phase]).map((h) => h.name);
    expect(hooks.map((h) => h.name)).toEqual([
      'artifacts',
      'sandbox mount',
      'task dir',
      'environment',
      'ports',
      'outputs',
      'timeout',
    ]);
    expect(having('accept')).toEqual(['artifacts']);
    expect(having('prestart')).toEqual(['artifacts', 'sandbox mount', 'task dir']);
    expect(having('configure')).toEqual(['sandbox mount', 'environment', 'ports']);
    expect(having('poststart')).toEqual(['timeout']);
    expect(having('exited')).toEqual(['outputs', 'timeout']);
    expect(having('succeeding')).toEqual(['artifacts']);
    expect(having('close')).toEqual(['timeout']);
  });

  it("leaves a docker step's fetched inputs and sandbox dir to its user, once prestart is through", async () => {
    if (!requireTool(process.getuid?.() === 0, 'root (to give files away)')) return;
    const hooks = hooksFor(0);
    const spec = {
      id: 'step1',
      name: 'step1',
      argv: ['/bin/true'],
      env: newStringMap(),
      workingDir: '',
      cpuMillis: 0,
      memoryBytes: 0,
      labels: newStringMap(),
      gracePeriodMs: 1000,
      driver: 'docker',
      docker: validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS),
      runAs: { name: 'nobody', uid: 65534, gid: 65534, groups: [] },
    };
    const input = {
      workingDir: '',
      artifacts: {
        pipelineId: 'p1',
        stepId: 'step1',
        upload: [],
        inputs: [{ pipelineId: 'p1', stepId: 'step0', path: 'data.bin', sha256: 'b'.repeat(64), sizeBytes: 5 }],
        maxBytes: 0,
      },
    } as unknown as Parameters<NonNullable<(typeof hooks)[number]['accept']>>[1];
    for (const h of hooks) h.accept?.(spec, input);
    const record: WorkloadRecord = { spec, state: 'starting', reason: '', createdAtMs: 1, startedAtMs: 0, events: [] };
    await store.create(record);
    for (const h of hooks) await h.prestart?.(record);
    const owner = (rel: string) => lstatSync(join(store.dirOf('step1'), rel)).uid;
    expect([owner('mo'), owner('mo/work'), owner('mo/work/data.bin')]).toEqual([65534, 65534, 65534]);
    expect(spec.workingDir).toBe('/mo/work');
  });
});
