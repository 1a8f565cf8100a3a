// The outputs hook alone, on real files in a temp dir: what a workload wrote to $MO_OUTPUT lands
// in its record when it exits, from the right file, and only if it was its user's.
import { afterAll, describe, expect, it } from '@jest/globals';
import { newStringMap } from '@mo/api';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec } from '../../drivers/docker/settings.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import { OutputsHook } from './outputs.js';
import { TaskDirs } from './task-dir.js';

const root = mkdtempSync(join(tmpdir(), `mo-outputs-hook-${process.pid}-`));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mine = process.getuid?.() ?? 0;

function recordOf(id: string, over: Partial<NormalizedSpec> = {}): WorkloadRecord {
  mkdirSync(join(root, id), { recursive: true });
  return {
    spec: {
      id,
      name: id,
      argv: ['/bin/true'],
      env: newStringMap(),
      workingDir: join(root, id, 'work'),
      cpuMillis: 0,
      memoryBytes: 0,
      labels: newStringMap(),
      gracePeriodMs: 1000,
      driver: 'process',
      ...over,
    },
    state: 'running',
    reason: 'running',
    createdAtMs: 0,
    startedAtMs: 0,
    events: [],
  };
}

const exit0 = { exitCode: 0, finishedAtMs: 1 };

describe('the outputs hook', () => {
  const hook = new OutputsHook(new TaskDirs({ dirOf: (id) => join(root, id), agentUid: mine }));

  it("reads a process workload's <taskDir>/output into its record when it exits, whatever its code", () => {
    const record = recordOf('p1');
    writeFileSync(join(root, 'p1', 'output'), 'version=1.2.3\nnot a pair\n');
    hook.exited(record, { exitCode: 3, finishedAtMs: 1 });
    expect({ ...record.outputs }).toEqual({ version: '1.2.3' });
    expect(record.outputsIgnored).toBe(1);
  });

  it("reads a docker workload's from its sandbox dir (<taskDir>/mo/output, /mo/output inside)", () => {
    const record = recordOf('d1', { driver: 'docker', docker: validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS) });
    writeFileSync(join(root, 'd1', 'output'), 'wrong=file\n');
    mkdirSync(join(root, 'd1', 'mo'));
    writeFileSync(join(root, 'd1', 'mo', 'output'), 'image=sha256:abc\n');
    hook.exited(record, exit0);
    expect({ ...record.outputs }).toEqual({ image: 'sha256:abc' });
  });

  it('gives a workload that wrote nothing empty outputs', () => {
    const record = recordOf('p2');
    hook.exited(record, exit0);
    expect({ ...record.outputs }).toEqual({});
    expect(record.outputsIgnored).toBe(0);
  });

  it('reads nothing for a program that never ran', () => {
    const record = recordOf('p3');
    writeFileSync(join(root, 'p3', 'output'), 'k=v\n');
    hook.exited(record, { startError: 'exec: no such file', exitCode: 127, finishedAtMs: 1 });
    expect(record.outputs).toBeUndefined();
    expect(record.outputsIgnored).toBeUndefined();
  });

  it("does not read a file that is not its user's when the agent switches users", () => {
    const asRoot = new OutputsHook(new TaskDirs({ dirOf: (id) => join(root, id), agentUid: 0 }));
    const record = recordOf('p4', { runAs: { name: 'other', uid: mine + 1, gid: mine + 1, groups: [] } });
    writeFileSync(join(root, 'p4', 'output'), 'secret=from another file\n');
    asRoot.exited(record, exit0);
    expect({ ...record.outputs }).toEqual({});
    expect(record.outputsIgnored).toBe(1);
  });
});
