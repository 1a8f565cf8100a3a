// A docker service on a real cluster (a scheduler + 2 agents as processes, a real Docker engine):
// busybox httpd in mo's sandbox on a named port mapped to its container port 8080, healthy by an
// http check on the published port and an exec check inside the container, found by GetService,
// each instance answering; a rolling update to a new version; the job stopped leaves no container.
// Needs docker.io and mo-sandbox:latest (deploy/sandbox/build.sh; .ci/run provides both).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobClient, type Job__Output } from '@mo/api';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  SANDBOX_IMAGE,
  startCluster,
  testClientOptions,
  waitFor,
  type Cluster,
} from '@mo/testkit';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ready = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)');
const suite = ready ? describe : describe.skip;
const BASE = 44000 + Math.floor(Math.random() * 400) * 10;

let cluster: Cluster;
let jobs: JobClient;
const nodeIds: string[] = [];

beforeAll(async () => {
  if (!ready) return;
  cluster = await startCluster({
    agents: 2,
    agentArgs: (i) => ['--port-range', `${BASE + i * 4}-${BASE + i * 4 + 3}`],
  });
  for (const a of cluster.agents) nodeIds.push(readFileSync(join(a.dataDir, 'node-id'), 'utf8').trim());
  jobs = new JobClient(cluster.scheduler.grpcAddress, testClientOptions());
}, 60_000);

afterAll(async () => {
  jobs?.close();
  await cluster?.stop();
  for (const id of nodeIds) removeContainersOfNode(id);
});

function sandboxJob(version: string): string {
  return JSON.stringify({
    name: 'box',
    count: 2,
    driver: 'docker',
    image: SANDBOX_IMAGE,
    network: 'bridge',
    command: ['sh', '-c', `echo ${version} > /tmp/version.txt && exec httpd -f -p 8080 -h /tmp`],
    ports: [{ name: 'http', to: 8080 }],
    checks: [
      { name: 'web', type: 'http', port: 'http', path: '/version.txt', interval: '300ms', timeout: '250ms' },
      // Inside the container (docker exec): its files are there.
      { name: 'inside', type: 'exec', command: ['test', '-s', '/tmp/version.txt'], interval: '2s', timeout: '1500ms' },
    ],
    update: { max_parallel: 1, min_healthy_time: '500ms', healthy_deadline: '30s' },
    shutdown_delay: '500ms',
  });
}

async function deployed(version: number): Promise<Job__Output> {
  let job: Job__Output | undefined;
  await waitFor(
    `version ${version} deployed`,
    async () => {
      job = await jobs.get('box');
      return job.deployment?.version === version && job.deployment.state !== 'running';
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
  const d = job!.deployment!;
  const instances = job!.instances.map((i) => `[${i.index}] ${i.state} ${i.health} ${i.reason}`);
  expect(`${d.state}: ${d.reason}; ${instances.join('; ')}`).toMatch(/^succeeded/);
  return job!;
}

async function versionsServed(): Promise<string[]> {
  const svc = await jobs.service({ name: 'box' });
  return Promise.all(
    svc.instances.map(async (i) => {
      const res = await fetch(`http://${i.address}/version.txt`, { signal: AbortSignal.timeout(2000) });
      return (await res.text()).trim();
    }),
  );
}

suite('a docker service on a real cluster', () => {
  it('runs sandboxes on named ports mapped to their container port, healthy by http and docker-exec checks', async () => {
    await jobs.run(sandboxJob('v1'));
    await deployed(1);
    const svc = await jobs.service({ name: 'box' });
    expect(svc.instances).toHaveLength(2);
    for (const i of svc.instances) {
      const port = i.ports.find((p) => p.name === 'http')!;
      expect(port).toMatchObject({ containerPort: 8080 });
      expect(port.hostPort).toBeGreaterThanOrEqual(BASE);
    }
    expect(await versionsServed()).toEqual(['v1', 'v1']);
    const w = await cluster.scheduler.client.getWorkload(svc.instances[0]!.workloadId);
    expect(w.checks.map((c) => [c.name, c.health])).toEqual([
      ['inside', 'HEALTH_HEALTHY'],
      ['web', 'HEALTH_HEALTHY'],
    ]);
  }, 120_000);

  it('rolls to a new version, and a stopped job leaves no container behind', async () => {
    await jobs.run(sandboxJob('v2'));
    await deployed(2);
    expect(await versionsServed()).toEqual(['v2', 'v2']);
    await jobs.stop('box');
    await waitFor(
      'no container of the job left',
      () =>
        nodeIds.every(
          (id) =>
            execFileSync('docker', ['ps', '-q', '--filter', `label=mo.node-id=${id}`], { encoding: 'utf8' }).trim() ===
            '',
        ),
      { timeoutMs: 30_000, intervalMs: 300 },
    );
  }, 150_000);
});
