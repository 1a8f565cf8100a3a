// The build-then-run example (deploy/examples/build-then-run.yaml) on a real cluster with Docker:
// a sandbox with network and a writable root builds an artifact on node-1; a sandbox with no
// network and a read-only root runs it on node-2. Needs docker and mo-sandbox:latest
// (deploy/sandbox/build.sh): fails without them in CI, skips with the reason elsewhere.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineClient, type Pipeline__Output } from '@mo/api';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  startCluster,
  waitFor,
  type Cluster,
  testClientOptions,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const EXAMPLE = new URL('../../../deploy/examples/build-then-run.yaml', import.meta.url);
const ready = requireTool(dockerReady(), 'docker with the mo-sandbox:latest image (deploy/sandbox/build.sh)');
const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let client: PipelineClient;

beforeAll(async () => {
  if (!ready) return;
  cluster = await startCluster({ agents: 2 });
  cleanup.push(async () => {
    await cluster.stop();
    for (const a of cluster.agents) removeContainersOfNode(readFileSync(join(a.dataDir, 'node-id'), 'utf8').trim());
  });
  client = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  cleanup.push(async () => client.close());
  await waitFor(
    'docker on both nodes',
    async () =>
      (await cluster.scheduler.client.listNodes()).nodes.filter((n) => n.facts?.drivers.includes('docker')).length ===
      2,
    { timeoutMs: 15_000 },
  );
}, 30_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

(ready ? describe : describe.skip)('build-then-run in docker sandboxes', () => {
  it('builds with network on node-1, runs the artifact read-only without network on node-2', async () => {
    // The example as shipped, pinned to two nodes so the artifact has to cross.
    const spec = parse(readFileSync(EXAMPLE, 'utf8')) as { steps: Array<Record<string, unknown>> };
    spec.steps[0]!.node = 'node-1';
    spec.steps[1]!.node = 'node-2';
    const { pipeline } = await client.submit({ spec: stringify(spec) });
    let p: Pipeline__Output | undefined;
    await waitFor(
      'the pipeline to end',
      async () => {
        p = await client.get(pipeline!.id);
        return ['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED'].includes(p.state);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect({ state: p!.state, reason: p!.reason }).toEqual({
      state: 'PIPELINE_STATE_SUCCEEDED',
      reason: expect.any(String),
    });
    const [build, run] = p!.steps;
    expect(build!.outputs.root).toBe('writable');
    expect(run!.outputs.root).toBe('read-only');
    expect(run!.outputs.sha256).toBe(build!.outputs.sha256);
    expect([build!.nodeName, run!.nodeName]).toEqual(['node-1', 'node-2']);
    const w = await cluster.scheduler.client.getWorkload(run!.workloadId);
    expect(w.spec!.docker).toMatchObject({ image: 'mo-sandbox:latest', network: 'none', writableRoot: false });
    const chunks: Buffer[] = [];
    for await (const c of client.stepLogs({ pipelineId: p!.id, stepId: 'run' })) chunks.push(c.data);
    expect(Buffer.concat(chunks).toString()).toContain('hello from a read-only sandbox on node-2');
  }, 90_000);
});
