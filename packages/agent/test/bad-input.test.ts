// Nothing a client sends can crash the agent: every bad input is a clear gRPC error naming the
// field, and the agent keeps serving afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError, type WorkloadSpec } from '@mo/api';
import { startAgentProcess, type AgentProcess, testFetch } from '@mo/testkit';

let agent: AgentProcess;

beforeAll(async () => {
  agent = await startAgentProcess();
});

afterAll(async () => {
  await agent.kill('SIGTERM');
});

async function startError(spec: WorkloadSpec | undefined): Promise<MoError> {
  try {
    const w = await agent.client.startWorkload(spec as WorkloadSpec);
    throw new Error(`expected a rejection, got workload ${w.spec?.id}`);
  } catch (err) {
    if (!(err instanceof MoError)) throw err;
    return err;
  }
}

const INVALID = grpc.status.INVALID_ARGUMENT;

describe('StartWorkload rejects bad input by field name', () => {
  it.each<[string, WorkloadSpec | undefined, RegExp]>([
    ['no spec at all', undefined, /^spec: is required/],
    ['empty argv', { argv: [] }, /^spec\.argv: must not be empty/],
    ['empty program name', { argv: [''] }, /^spec\.argv\[0\]: must name a program/],
    [
      'a program that does not exist',
      { argv: ['no-such-program-xyz'] },
      /^spec\.argv\[0\]: "no-such-program-xyz" not found in PATH/,
    ],
    ['a path that does not exist', { argv: ['/nope/bin/x'] }, /^spec\.argv\[0\]: "\/nope\/bin\/x" does not exist/],
    ['a relative working dir', { argv: ['true'], workingDir: 'tmp' }, /^spec\.working_dir: must be an absolute path/],
    [
      'a missing working dir',
      { argv: ['true'], workingDir: '/no/such/dir' },
      /^spec\.working_dir: "\/no\/such\/dir" does not exist/,
    ],
    [
      'oversized env',
      { argv: ['true'], env: { BIG: 'x'.repeat(200 * 1024) } },
      /^spec\.env\["BIG"\]: takes env past 131072 bytes in all/,
    ],
    [
      'too many arguments',
      { argv: ['true', ...Array.from({ length: 5000 }, () => 'a')] },
      /^spec\.argv: has more than 4096 entries \(the limit\)/,
    ],
    [
      'oversized arguments',
      { argv: ['true', 'y'.repeat(200 * 1024)] },
      /^spec\.argv\[1\]: takes argv past 131072 bytes in all/,
    ],
    [
      'an invalid env name',
      { argv: ['true'], env: { '1BAD': 'x' } },
      /^spec\.env\["1BAD"\]: is not a valid variable name/,
    ],
    ['a NUL in an argument', { argv: ['echo', 'a\u0000b'] }, /^spec\.argv\[1\]: must not contain NUL/],
    ['negative grace', { argv: ['true'], gracePeriodMs: -5 }, /^spec\.grace_period_ms: must be a non-negative/],
    [
      'negative cpu',
      { argv: ['true'], resources: { cpuMillis: -1 } },
      /^spec\.resources\.cpu_millis: must be an integer from 0 to 1000000/,
    ],
    [
      'negative memory',
      { argv: ['true'], resources: { memoryBytes: -1 } },
      /^spec\.resources\.memory_bytes: must be an integer from 0 to 2\^53-1/,
    ],
    [
      'a malformed label',
      { argv: ['true'], labels: { 'bad key!': 'v' } },
      /^spec\.labels\["bad key!"\]: key must match/,
    ],
    ['a negative pids limit', { argv: ['true'], pidsLimit: -1 }, /^spec\.pids_limit: must be an integer from 0/],
    ['a malformed id', { argv: ['true'], id: '../etc' }, /^spec\.id: must match/],
    ['a malformed name', { argv: ['true'], name: 'Has Spaces' }, /^spec\.name: must match/],
    ['an unknown driver', { argv: ['true'], driver: 'vm' }, /^spec\.driver: driver "vm" is not available/],
  ])('%s', async (_case, spec, message) => {
    const err = await startError(spec);
    expect(err.code).toBe(INVALID);
    expect(err.message).toMatch(message);
  });

  it('rejects a second workload with an id that is taken', async () => {
    const w = await agent.client.startWorkload({ argv: ['true'], id: 'fixed-id-1' });
    const err = await startError({ argv: ['true'], id: w.spec!.id });
    expect(err.code).toBe(grpc.status.ALREADY_EXISTS);
  });

  it('rejects a message over the size limit before it reaches a handler', async () => {
    const err = await startError({ argv: ['true', 'z'.repeat(5 * 1024 * 1024)] });
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe('calls naming a workload', () => {
  it.each([
    ['stop', () => agent.client.stopWorkload('01UNKNOWN0000000000000000')],
    ['get', () => agent.client.getWorkload('01UNKNOWN0000000000000000')],
    [
      'logs',
      async () => {
        for await (const _ of agent.client.streamLogs({ workloadId: '01UNKNOWN0000000000000000' })) void _;
      },
    ],
  ])('%s of an unknown id is NOT_FOUND naming workload_id', async (_name, call) => {
    await expect(call()).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      message: 'workload_id: no workload "01UNKNOWN0000000000000000"',
    });
  });

  it('stop with a negative grace is INVALID_ARGUMENT naming grace_period_ms', async () => {
    const w = await agent.client.startWorkload({ argv: ['sleep', '30'] });
    await expect(agent.client.stopWorkload(w.spec!.id, -1)).rejects.toMatchObject({
      code: INVALID,
      message: expect.stringMatching(/^grace_period_ms: must be a non-negative/),
    });
    await agent.client.stopWorkload(w.spec!.id, 100);
  });

  it('an empty or malformed workload id, or a negative tail, is INVALID_ARGUMENT', async () => {
    await expect(agent.client.getWorkload('')).rejects.toMatchObject({
      code: INVALID,
      message: 'workload_id: is required',
    });
    await expect(agent.client.getWorkload('a/b')).rejects.toMatchObject({ code: INVALID });
    const w = await agent.client.startWorkload({ argv: ['true'] });
    await expect(
      (async () => {
        for await (const _ of agent.client.streamLogs({ workloadId: w.spec!.id, tailLines: -1 })) void _;
      })(),
    ).rejects.toMatchObject({ code: INVALID, message: 'tail_lines: must be ≥ 0, got -1' });
  });

  it('the agent is still healthy after all of the above', async () => {
    const status = await agent.client.getNodeStatus();
    expect(status.facts?.nodeName).toBeTruthy();
    const res = await testFetch(`https://${agent.httpAddress}/healthz`);
    expect(res.status).toBe(200);
  });
});
