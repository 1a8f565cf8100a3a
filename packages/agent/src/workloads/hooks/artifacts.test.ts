// The artifacts hook alone, with a stand-in for the scheduler (the ArtifactTransfer: see
// ../artifacts.test.ts for the transfer itself) and real dirs: what a step with artifacts is refused
// for, where its inputs are fetched, and what its success waits for.
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  newStringMap,
  type ArtifactSettings,
  type WorkloadSpec__Output,
} from '@mo/api';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec } from '../../drivers/docker/settings.js';
import { StartFailedError } from '../../drivers/driver.js';
import type { ArtifactTransfer } from '../artifacts.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import { ArtifactsHook } from './artifacts.js';
import { TaskDirs } from './task-dir.js';

const root = mkdtempSync(join(tmpdir(), `mo-artifacts-hook-${process.pid}-`));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dirs = new TaskDirs({ dirOf: (id) => join(root, id), agentUid: 0 });
const docker = validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS);
const alice = { name: 'alice', uid: 1001, gid: 1001, groups: [] };
const SHA = 'a'.repeat(64);

function specOf(id: string, over: Partial<NormalizedSpec> = {}): NormalizedSpec {
  return {
    id,
    name: id,
    argv: ['/bin/true'],
    env: newStringMap(),
    workingDir: join(root, id, 'work'),
    cpuMillis: 0,
    memoryBytes: 0,
    labels: newStringMap(),
    gracePeriodMs: 1000,
    driver: over.docker ? 'docker' : 'process',
    ...over,
  };
}

const recordOf = (spec: NormalizedSpec): WorkloadRecord => ({
  spec,
  state: 'starting',
  reason: 'starting',
  createdAtMs: 0,
  startedAtMs: 0,
  events: [],
});

/** The wire form of a step's artifacts, as the scheduler sends it. */
function wire(inputs: number, upload: string[] = []): Pick<WorkloadSpec__Output, 'artifacts' | 'workingDir'> {
  return {
    workingDir: '',
    artifacts: {
      pipelineId: 'pipe1',
      stepId: 'build',
      upload,
      inputs: Array.from({ length: inputs }, (_, i) => ({
        pipelineId: 'pipe1',
        stepId: 'fetch',
        path: `in/${i}.txt`,
        sha256: SHA,
        sizeBytes: 2,
      })),
      maxBytes: 1024,
    },
  };
}

/** Stands in for the scheduler: writes each input's content, records each call. */
function transfer(fail?: { fetch?: string; upload?: string }) {
  const calls: string[] = [];
  const t: ArtifactTransfer = {
    async fetchInputs(a: ArtifactSettings, workDir: string) {
      calls.push(`fetch ${workDir} mode ${(statSync(workDir).mode & 0o777).toString(8)}`);
      if (fail?.fetch) throw new Error(fail.fetch);
      for (const ref of a.inputs) writeFileSync(join(workDir, ref.path.replace('/', '-')), `${ref.stepId}\n`);
    },
    async upload(a: ArtifactSettings, workDir: string, ownerUid?: number) {
      calls.push(`upload ${a.upload.join(',')} from ${workDir} owner ${ownerUid}`);
      if (fail?.upload) throw new Error(fail.upload);
      return 42;
    },
  };
  return { t, calls };
}

describe('the artifacts hook: accepting a step', () => {
  it('leaves a workload without artifacts alone', () => {
    const spec = specOf('a0');
    new ArtifactsHook(dirs, undefined).accept(spec, { workingDir: '', artifacts: null });
    expect(spec.artifacts).toBeUndefined();
  });

  it('refuses a step on an agent with no scheduler to move artifacts through', () => {
    const accept = () => new ArtifactsHook(dirs, undefined).accept(specOf('a1'), wire(0, ['out.txt']));
    expect(accept).toThrow(FailedPreconditionError);
    expect(accept).toThrow('spec.artifacts: this agent has no scheduler to move artifacts through');
  });

  it('validates its artifact spec into the normalised spec', () => {
    const spec = specOf('a2');
    new ArtifactsHook(dirs, transfer().t).accept(spec, wire(1, ['out.txt']));
    expect(spec.artifacts).toEqual({
      pipelineId: 'pipe1',
      stepId: 'build',
      upload: ['out.txt'],
      inputs: [{ pipelineId: 'pipe1', stepId: 'fetch', path: 'in/0.txt', sha256: SHA, sizeBytes: 2 }],
      maxBytes: 1024,
    });
  });

  it('puts a docker step to work in /mo/work, and refuses another working dir for it', () => {
    const hook = new ArtifactsHook(dirs, transfer().t);
    const spec = specOf('a3', { docker, workingDir: '' });
    hook.accept(spec, wire(0, ['out.txt']));
    expect(spec.workingDir).toBe('/mo/work');
    expect(() => hook.accept(specOf('a4', { docker, workingDir: '/src' }), wire(0, ['out.txt']))).toThrow(
      new InvalidArgumentError('spec.working_dir', 'must be empty or /mo/work with artifacts'),
    );
  });

  it('refuses a working dir of its own to a step with inputs that runs as another user (they are written as root)', () => {
    const hook = new ArtifactsHook(dirs, transfer().t);
    const mine = { ...wire(1), workingDir: '/home/alice/src' };
    expect(() => hook.accept(specOf('a5', { runAs: alice, workingDir: '/home/alice/src' }), mine)).toThrow(
      'spec.working_dir: a step with inputs that runs as alice works in its own dir (leave it empty)',
    );
    // Its own dir (the default), or no inputs to write: accepted.
    expect(() => hook.accept(specOf('a6', { runAs: alice }), wire(1))).not.toThrow();
    expect(() => hook.accept(specOf('a7', { runAs: alice }), { ...wire(0, ['o']), workingDir: '/x' })).not.toThrow();
  });
});

describe('the artifacts hook: inputs before the start', () => {
  it("fetches a step's inputs into its workspace, made first and the agent's alone (0700)", async () => {
    const { t, calls } = transfer();
    const hook = new ArtifactsHook(dirs, t);
    const spec = specOf('f1');
    hook.accept(spec, wire(2));
    await hook.prestart(recordOf(spec));
    expect(calls).toEqual([`fetch ${join(root, 'f1', 'work')} mode 700`]);
    expect(readFileSync(join(root, 'f1', 'work', 'in-1.txt'), 'utf8')).toBe('fetch\n');
  });

  it("fetches a docker step's into its sandbox dir (/mo/work inside)", async () => {
    const { t, calls } = transfer();
    const hook = new ArtifactsHook(dirs, t);
    const spec = specOf('f2', { docker, workingDir: '' });
    hook.accept(spec, wire(1));
    await hook.prestart(recordOf(spec));
    expect(calls).toEqual([`fetch ${join(root, 'f2', 'mo', 'work')} mode 700`]);
  });

  it('makes the workspace of a step without inputs, and calls the scheduler for nothing', async () => {
    const { t, calls } = transfer();
    const hook = new ArtifactsHook(dirs, t);
    const spec = specOf('f3', { docker, workingDir: '' });
    hook.accept(spec, wire(0, ['out.txt']));
    await hook.prestart(recordOf(spec));
    expect(statSync(join(root, 'f3', 'mo', 'work')).isDirectory()).toBe(true);
    expect(calls).toEqual([]);
  });

  it('turns a failed fetch into the start error of the step (exit 127, as a program that could not run)', async () => {
    const hook = new ArtifactsHook(
      dirs,
      transfer({ fetch: 'could not fetch input fetch/in/0.txt: sha256 mismatch' }).t,
    );
    const spec = specOf('f4');
    hook.accept(spec, wire(1));
    const err = await Promise.resolve(hook.prestart(recordOf(spec))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartFailedError);
    expect((err as StartFailedError).exit).toMatchObject({
      startError: 'could not fetch input fetch/in/0.txt: sha256 mismatch',
      exitCode: 127,
    });
  });
});

describe('the artifacts hook: uploads before success', () => {
  it('has nothing to do for a workload that uploads nothing (it succeeds at once)', () => {
    const hook = new ArtifactsHook(dirs, transfer().t);
    expect(hook.succeeding(recordOf(specOf('u0')))).toBeUndefined();
    const spec = specOf('u1');
    hook.accept(spec, wire(1));
    expect(hook.succeeding(recordOf(spec))).toBeUndefined();
  });

  it("uploads from its workspace, reading only its user's files, and notes what it sent", async () => {
    const { t, calls } = transfer();
    const hook = new ArtifactsHook(dirs, t);
    const spec = specOf('u2', { runAs: alice });
    hook.accept(spec, wire(0, ['dist/app', 'dist/app.sha256']));
    await expect(hook.succeeding(recordOf(spec))).resolves.toBe('uploaded 2 artifact(s), 42 bytes');
    expect(calls).toEqual([`upload dist/app,dist/app.sha256 from ${join(root, 'u2', 'work')} owner 1001`]);
  });

  it('fails with what went wrong when the upload does', async () => {
    const hook = new ArtifactsHook(dirs, transfer({ upload: 'scheduler unavailable' }).t);
    const spec = specOf('u3');
    hook.accept(spec, wire(0, ['out.txt']));
    await expect(hook.succeeding(recordOf(spec))).rejects.toThrow('the artifact upload failed: scheduler unavailable');
  });
});
