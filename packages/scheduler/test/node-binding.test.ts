// An agent acts only as its own node (issue 13), on a real cluster with TLS: a process holding
// node-2's agent certificate cannot register under node-1's name or id, heartbeat or send
// inventory pages for node-1, or upload the artifacts of a step that runs on node-1; node-1 stays
// up and its step's artifact stays what node-1 made. (A peer answering at node-1's address with
// another certificate gets no starts: tls.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError, PipelineClient, RegistryClient, type ArtifactUpload } from '@mo/api';
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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cluster: Cluster;
let pipelines: PipelineClient;
let intruder: RegistryClient;
let nodeId = '';

beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
  pipelines = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  intruder = new RegistryClient(
    cluster.scheduler.grpcAddress,
    testClientOptions({ pair: await agentCertificate('node-2') }),
  );
  nodeId = readFileSync(join(cluster.agents[0]!.dataDir, 'node-id'), 'utf8').trim();
}, 60_000);

afterAll(async () => {
  pipelines?.close();
  intruder?.close();
  await cluster?.stop();
});

async function refusal(p: Promise<unknown>): Promise<MoError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MoError);
  return err as MoError;
}

const registration = (over: { nodeId: string; nodeName: string }) => ({
  ...over,
  address: '127.0.0.1:1',
  facts: { nodeName: over.nodeName, cpuCores: 1, memoryTotalBytes: 1 << 30, drivers: ['process'] },
  capacity: { cpuMillis: 1000, memoryBytes: 1 << 30 },
});

describe("another node's certificate", () => {
  it("cannot register as node-1, nor take node-1's id under its own name", async () => {
    const asNode1 = await refusal(intruder.register(registration({ nodeId, nodeName: 'node-1' })));
    expect(asNode1.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(asNode1.message).toBe('agent "node-2" may register only as itself, not as node "node-1"');
    const stealId = await refusal(intruder.register(registration({ nodeId, nodeName: 'node-2' })));
    expect(stealId.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(stealId.message).toBe(`node id ${nodeId} belongs to node "node-1", not to agent "node-2"`);
  });

  it('cannot heartbeat or send inventory for node-1', async () => {
    const sync = await refusal(intruder.syncInventory({ nodeId, registrationId: 'x', inventory: [] }));
    expect(sync.code).toBe(grpc.status.PERMISSION_DENIED);
    const hb = intruder.heartbeat();
    const ended = new Promise<grpc.ServiceError>((resolve) => hb.on('error', resolve));
    hb.on('data', () => undefined);
    hb.write({ nodeId, metrics: { cpuUtilization: 0.1 } });
    const err = await ended;
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.details).toBe(`node id ${nodeId} belongs to node "node-1", not to agent "node-2"`);
    const { nodes } = await cluster.scheduler.client.listNodes();
    expect(nodes.map((n) => [n.name, n.state])).toEqual([['node-1', 'NODE_STATE_UP']]);
  });

  it('cannot upload the artifacts of a step that runs on node-1', async () => {
    const id = (
      await pipelines.submit({
        spec: JSON.stringify({
          name: 'bound',
          steps: [
            { id: 'make', command: ['sh', '-c', 'sleep 2; echo real > out.bin'], artifacts: ['out.bin'] },
            {
              id: 'use',
              needs: ['make'],
              inputs: ['make'],
              command: ['sh', '-c', 'echo "got=$(cat out.bin)" > "$MO_OUTPUT"'],
            },
          ],
        }),
      })
    ).pipeline!.id;
    await waitFor('make running', async () => stepOf(await pipelines.get(id), 'make').state === 'STEP_STATE_RUNNING', {
      timeoutMs: 30_000,
    });
    const data = Buffer.from('EVIL-BINARY\n');
    async function* messages(): AsyncGenerator<ArtifactUpload> {
      yield { artifact: { pipelineId: id, stepId: 'make', path: 'out.bin' }, data };
      yield { sha256: createHash('sha256').update(data).digest('hex') };
    }
    const err = await refusal(intruder.uploadArtifact(messages(), 10_000));
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.message).toBe('step make runs on node "node-1"; agent "node-2" may not upload its artifacts');
    const p = await waitForPipeline(pipelines, id, 'PIPELINE_STATE_SUCCEEDED');
    expect(stepOf(p, 'use').outputs).toEqual({ got: 'real' });
  });
});
