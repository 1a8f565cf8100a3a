// `mo start` prints the host ports a docker workload's container ports were published on: the
// built `mo` against a real scheduler and a real agent with Docker.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  runMo,
  startCluster,
  type Cluster,
  type MoResult,
} from '@mo/testkit';

const ready = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)');
const suite = ready ? describe : describe.skip;

// Outside the agents' default range and the other tests' ranges.
const RANGE = '4751-4752';

suite('mo start with published ports', () => {
  let cluster: Cluster;
  const mo = (...args: string[]): Promise<MoResult> =>
    runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress }, timeoutMs: 60_000 });

  beforeAll(async () => {
    cluster = await startCluster({ agents: 1, agentArgs: () => ['--docker-ports', RANGE] });
  });

  afterAll(async () => {
    const nodes = await cluster?.scheduler.client.listNodes().catch(() => ({ nodes: [] }));
    await cluster?.stop();
    for (const n of nodes?.nodes ?? []) removeContainersOfNode(n.id);
  });

  it('prints host:port->container/tcp once running, and says where to find them before', async () => {
    const waited = await mo(
      'start',
      '--wait',
      '--driver',
      'docker',
      '--network',
      'bridge',
      '--port',
      '8080',
      '--',
      'sleep',
      '30',
    );
    expect(waited.code === 0 ? '' : waited.stderr).toBe(''); // exit 0; else its stderr says why
    expect(waited.stdout).toMatch(/^\S+ running on node-1 \(pid \d+\), ports 0\.0\.0\.0:475[12]->8080\/tcp\n$/);

    const submitted = await mo(
      'start',
      '--driver',
      'docker',
      '--network',
      'bridge',
      '--port',
      '8081',
      '--',
      'sleep',
      '30',
    );
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/ports 8081\/tcp are published once it runs \(mo status \S+\)\n$/);
    for (const r of [waited, submitted]) await mo('stop', r.stdout.split(' ')[0]!);
  });
});
