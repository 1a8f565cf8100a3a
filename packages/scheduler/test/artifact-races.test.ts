// The artifact attacks of issue 13 that do not need identities, on a real cluster (a scheduler and
// an agent, as processes): an upload opened while a step runs and finished after it succeeded is
// refused (the next step still gets the real artifact); uploads under way count against the step's
// quota together; an attempt cannot replace what it stored (a retry of the same bytes is fine).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { PipelineClient, RegistryClient, type ArtifactUpload } from '@mo/api';
import {
  agentCertificate,
  startCluster,
  stepOf,
  testClientOptions,
  waitFor,
  waitForPipeline,
  type Cluster,
} from '@mo/testkit';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX = 256 * 1024;
const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let pipelines: PipelineClient;
let registry: RegistryClient;

beforeAll(async () => {
  cluster = await startCluster({ agents: 1, schedulerArgs: ['--max-artifact-bytes', String(MAX)] });
  cleanup.push(() => cluster.stop());
  pipelines = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  // The uploads below come from the certificate of the node the steps run on (node-1): the
  // attacks here are races by the right node, not other identities (see tls.test.ts for those).
  registry = new RegistryClient(
    cluster.scheduler.grpcAddress,
    testClientOptions({ pair: await agentCertificate('node-1') }),
  );
  cleanup.push(async () => {
    pipelines.close();
    registry.close();
  });
}, 60_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

const sh = (script: string) => ['sh', '-c', script];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function submit(spec: object): Promise<string> {
  return (await pipelines.submit({ spec: JSON.stringify(spec) })).pipeline!.id;
}

async function untilStep(id: string, stepId: string, state: string): Promise<void> {
  await waitFor(`step ${stepId} ${state}`, async () => stepOf(await pipelines.get(id), stepId).state === state, {
    timeoutMs: 30_000,
  });
}

/** An upload whose last message (and end) waits for `release`. */
function heldUpload(pipelineId: string, stepId: string, path: string, data: Buffer, release: Promise<void>) {
  async function* messages(): AsyncGenerator<ArtifactUpload> {
    yield { artifact: { pipelineId, stepId, path }, data: data.subarray(0, 1) };
    await release;
    yield { data: data.subarray(1), sha256: sha(data) };
  }
  return registry.uploadArtifact(messages(), 60_000);
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (err: { code?: number }) => grpc.status[err.code ?? grpc.status.UNKNOWN],
  );

describe('artifact races', () => {
  it('an upload opened during a step and finished after it succeeded is refused', async () => {
    const id = await submit({
      name: 'race',
      steps: [
        { id: 'make', command: sh('sleep 3; echo real > out.bin'), artifacts: ['out.bin'] },
        { id: 'use', needs: ['make'], inputs: ['make'], command: sh('echo "got=$(cat out.bin)" > "$MO_OUTPUT"') },
      ],
    });
    await untilStep(id, 'make', 'STEP_STATE_RUNNING');
    let release!: () => void;
    const evil = codeOf(
      heldUpload(id, 'make', 'out.bin', Buffer.from('EVIL-BINARY\n'), new Promise<void>((r) => (release = r))),
    );
    await untilStep(id, 'make', 'STEP_STATE_SUCCEEDED');
    release();
    expect(await evil).toBe('FAILED_PRECONDITION');
    const p = await waitForPipeline(pipelines, id, 'PIPELINE_STATE_SUCCEEDED');
    expect(stepOf(p, 'use').outputs).toEqual({ got: 'real' });
  });

  it('uploads under way count against the quota together; an attempt cannot replace its artifact', async () => {
    const id = await submit({
      name: 'quota',
      steps: [{ id: 'hold', command: ['sleep', '600'], artifacts: ['a.bin', 'b.bin', 'c.bin'] }],
    });
    cleanup.push(() => pipelines.cancel({ pipelineId: id }).then(() => undefined));
    await untilStep(id, 'hold', 'STEP_STATE_RUNNING');
    // Two uploads of 3/4 of the quota each, both under way before either ends: one must be refused.
    const big = Buffer.alloc((MAX * 3) / 4, 7);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = codeOf(heldUpload(id, 'hold', 'a.bin', big, gate));
    const b = codeOf(heldUpload(id, 'hold', 'b.bin', big, gate));
    // Both are under way: each has its temp file, with its first byte counted and written.
    const stepDir = join(cluster.scheduler.dataDir, 'artifacts', id, 'hold');
    await waitFor('both uploads under way', () => {
      const temps = readdirSync(stepDir).filter((f) => f.startsWith('.upload-'));
      return temps.length === 2 && temps.every((f) => statSync(join(stepDir, f), { throwIfNoEntry: false })?.size);
    });
    release();
    expect([await a, await b].sort()).toEqual(['OK', 'RESOURCE_EXHAUSTED']);

    // What the step stored stays: the same bytes again are answered as stored, other bytes refused.
    const small = Buffer.from('first\n');
    const stored = await heldUpload(id, 'hold', 'c.bin', small, Promise.resolve());
    expect(stored.sha256).toBe(sha(small));
    expect((await heldUpload(id, 'hold', 'c.bin', small, Promise.resolve())).sha256).toBe(sha(small));
    expect(await codeOf(heldUpload(id, 'hold', 'c.bin', Buffer.from('second\n'), Promise.resolve()))).toBe(
      'ALREADY_EXISTS',
    );
  });
});
