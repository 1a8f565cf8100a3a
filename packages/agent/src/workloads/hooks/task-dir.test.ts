// The task dir hook alone, on a real WorkloadStore in a temp dir: where a workload's files are, and
// what is handed to its user just before it starts (giving files away needs root: skipped without).
import { afterEach, describe, expect, it } from '@jest/globals';
import { newStringMap } from '@mo/api';
import { requireTool } from '@mo/testkit';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec } from '../../drivers/docker/settings.js';
import { WorkloadStore } from '../../state/workload-store.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import { TaskDirHook, TaskDirs } from './task-dir.js';

const nobody = { name: 'nobody', uid: 65534, gid: 65534, groups: [] };
const docker = validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS);
const mine = process.getuid?.() ?? 0;

function specOf(id: string, over: Partial<NormalizedSpec> = {}): NormalizedSpec {
  return {
    id,
    name: id,
    argv: ['/bin/true'],
    env: newStringMap(),
    workingDir: `/data/workloads/${id}/work`,
    cpuMillis: 0,
    memoryBytes: 0,
    labels: newStringMap(),
    gracePeriodMs: 1000,
    driver: over.docker ? 'docker' : 'process',
    ...over,
  };
}

describe('TaskDirs', () => {
  const dirs = (agentUid: number) => new TaskDirs({ dirOf: (id) => `/data/workloads/${id}`, agentUid });

  it.each([
    ['a process workload', specOf('p'), '/data/workloads/p/work', '/data/workloads/p/output'],
    ['a docker workload', specOf('d', { docker }), '/data/workloads/d/mo/work', '/data/workloads/d/mo/output'],
  ])('puts the workspace and $MO_OUTPUT of %s on the host at its paths', (_what, spec, workDir, output) => {
    expect(dirs(0).workDir(spec)).toBe(workDir);
    expect(dirs(0).outputFile(spec)).toBe(output);
  });

  it("reads back only its user's files when the agent is root and runs it as that user", () => {
    expect(dirs(0).fileOwner(specOf('p', { runAs: nobody }))).toBe(65534);
    expect(dirs(1000).fileOwner(specOf('p', { runAs: nobody }))).toBeUndefined(); // it ran as the agent
    expect(dirs(0).fileOwner(specOf('p'))).toBeUndefined(); // a record from before users were switched
  });
});

describe('the task dir hook', () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A real store with a workload's first record written, as the runner has it before prestart. */
  async function started(spec: NormalizedSpec, agentUid: number) {
    const dataDir = mkdtempSync(join(tmpdir(), `mo-task-dir-${process.pid}-`));
    roots.push(dataDir);
    const store = new WorkloadStore(dataDir, undefined, { spareDirs: 0 });
    spec.workingDir = join(store.dirOf(spec.id), 'work');
    const record: WorkloadRecord = {
      spec,
      state: 'starting',
      reason: 'starting',
      createdAtMs: 1,
      startedAtMs: 0,
      events: [],
    };
    await store.create(record);
    const dir = store.dirOf(spec.id);
    const owner = (rel: string) => lstatSync(join(dir, rel)).uid;
    return {
      hook: new TaskDirHook(new TaskDirs({ dirOf: (id) => store.dirOf(id), agentUid }), store),
      record,
      dir,
      owner,
    };
  }

  it('hands nothing over when the agent is not root (its workloads run as the agent)', async () => {
    const { hook, record, owner } = await started(specOf('w1', { runAs: nobody }), mine === 0 ? 1000 : mine);
    hook.prestart(record);
    expect([owner('.'), owner('work'), owner('output')]).toEqual([mine, mine, mine]);
  });

  it("gives a process workload's work dir and output file to its user, and keeps the task dir the agent's", async () => {
    if (!requireTool(mine === 0, 'root (to give files away)')) return;
    const { hook, record, owner } = await started(specOf('w2', { runAs: nobody }), 0);
    hook.prestart(record);
    expect([owner('.'), owner('work'), owner('output'), owner('workload.json')]).toEqual([0, 65534, 65534, 0]);
  });

  it('gives a step its fetched inputs too', async () => {
    if (!requireTool(mine === 0, 'root (to give files away)')) return;
    const inputs = [{ pipelineId: 'p', stepId: 'a', path: 'in/data.bin', sha256: '0'.repeat(64), sizeBytes: 1 }];
    const { hook, record, dir, owner } = await started(
      specOf('w3', { runAs: nobody, artifacts: { pipelineId: 'p', stepId: 'b', upload: [], inputs, maxBytes: 1 } }),
      0,
    );
    mkdirSync(join(dir, 'work', 'in'));
    writeFileSync(join(dir, 'work', 'in', 'data.bin'), 'x');
    hook.prestart(record);
    expect([owner('work/in'), owner('work/in/data.bin')]).toEqual([65534, 65534]);
  });

  it('gives a docker workload its sandbox dir (bound at /mo), with what the agent put there', async () => {
    if (!requireTool(mine === 0, 'root (to give files away)')) return;
    const { hook, record, dir, owner } = await started(specOf('w4', { docker, runAs: nobody }), 0);
    // As the artifacts hook leaves it: the workspace made (0700) and an input fetched.
    mkdirSync(join(dir, 'mo', 'work'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'mo', 'work', 'input'), 'x');
    hook.prestart(record);
    expect([owner('mo'), owner('mo/work'), owner('mo/work/input')]).toEqual([65534, 65534, 65534]);
    expect([owner('work'), owner('output')]).toEqual([0, 0]); // a container uses neither
  });

  it('hands nothing over for a record from before users were switched (no user: it runs as the agent)', async () => {
    const { hook, record, owner } = await started(specOf('w5'), 0);
    hook.prestart(record);
    expect([owner('work'), owner('output')]).toEqual([mine, mine]);
  });
});
