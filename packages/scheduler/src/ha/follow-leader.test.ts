// Daemons and the CLI given several schedulers find the leader: a follower server in this process,
// a real mo-scheduler process as the leader, real agent processes and the built `mo`, TLS as
// deployed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, type LeaderAddress } from '@mo/api';
import {
  ensureTestPki,
  freePort,
  runMo,
  startAgentProcess,
  startSchedulerProcess,
  testFetch,
  testServerOptions,
  waitFor,
  type AgentProcess,
  type SchedulerProcess,
} from '@mo/testkit';
import { startFollowerServer, type FollowerServer } from './follower.js';

let leaderProcess: SchedulerProcess;
let follower: FollowerServer;
let leader: LeaderAddress | undefined;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  await ensureTestPki();
  leaderProcess = await startSchedulerProcess();
  follower = await startFollowerServer({
    grpcListen: '127.0.0.1:0',
    httpListen: '127.0.0.1:0',
    ...testServerOptions(),
    leader: () => leader,
    logger: createLogger('error'),
    defaultMetrics: false,
  });
});

afterAll(async () => {
  await Promise.allSettled(agents.map((a) => a.kill('SIGTERM')));
  await follower?.close();
  leaderProcess?.client.close();
  await leaderProcess?.kill();
});

/** Whether the leader lists `node` up. */
async function upOnLeader(node: string): Promise<boolean> {
  const { nodes } = await leaderProcess.client.listAllNodes();
  return nodes.some((n) => n.name === node && n.state === 'NODE_STATE_UP');
}

/** The scheduler the agent reports to, and whether it is connected (its /healthz). */
async function reportingTo(agent: AgentProcess): Promise<{ address: string; connected: boolean }> {
  const res = await testFetch(`https://${agent.httpAddress}/healthz`, { pair: null });
  return ((await res.json()) as { scheduler: { address: string; connected: boolean } }).scheduler;
}

describe('an agent given several schedulers', () => {
  it('--scheduler follower,leader: registers with the leader', async () => {
    leader = { grpc: leaderProcess.grpcAddress, http: leaderProcess.httpAddress };
    const node = `ha-agent-${process.pid}-a`;
    const agent = await startAgentProcess({
      extraArgs: ['--scheduler', `${follower.grpcAddress},${leaderProcess.grpcAddress}`, '--node-name', node],
    });
    agents.push(agent);
    await waitFor(`${node} up on the leader`, () => upOnLeader(node), { timeoutMs: 15_000 });
    await waitFor('the agent connected', async () => (await reportingTo(agent)).connected);
    expect(await reportingTo(agent)).toMatchObject({ address: leaderProcess.grpcAddress, connected: true });
  });

  it('MO_SCHEDULER_ADDR=follower alone, no leader known at first: registers once the follower names one', async () => {
    leader = undefined;
    const node = `ha-agent-${process.pid}-b`;
    const agent = await startAgentProcess({
      extraArgs: ['--node-name', node],
      env: { MO_SCHEDULER_ADDR: follower.grpcAddress },
    });
    agents.push(agent);
    // Refused while no leader is elected (the agent keeps trying the follower).
    expect(await reportingTo(agent)).toMatchObject({ address: follower.grpcAddress, connected: false });
    expect(await upOnLeader(node)).toBe(false);
    leader = { grpc: leaderProcess.grpcAddress, http: leaderProcess.httpAddress };
    await waitFor(`${node} up on the leader`, () => upOnLeader(node), { timeoutMs: 15_000 });
    await waitFor('the agent connected', async () => (await reportingTo(agent)).connected);
    expect(await reportingTo(agent)).toMatchObject({ address: leaderProcess.grpcAddress, connected: true });
  });
  it('loses its leader: re-registers through the follower with the one it names', async () => {
    // A leader of its own, killed below (the other tests keep theirs).
    const first = await startSchedulerProcess();
    let second: SchedulerProcess | undefined;
    try {
      leader = { grpc: first.grpcAddress, http: first.httpAddress };
      const node = `ha-agent-${process.pid}-c`;
      const agent = await startAgentProcess({
        extraArgs: ['--scheduler', `${first.grpcAddress},${follower.grpcAddress}`, '--node-name', node],
      });
      agents.push(agent);
      await waitFor('registered with the first leader', async () => (await reportingTo(agent)).connected);
      expect((await reportingTo(agent)).address).toBe(first.grpcAddress);
      // The leader dies; another scheduler (an address the agent was never given) takes over, and
      // the follower names it.
      await first.kill('SIGKILL');
      second = await startSchedulerProcess();
      leader = { grpc: second.grpcAddress, http: second.httpAddress };
      const next = second;
      await waitFor(
        `${node} up on the new leader`,
        async () =>
          (await next.client.listAllNodes()).nodes.some((n) => n.name === node && n.state === 'NODE_STATE_UP'),
        { timeoutMs: 20_000 },
      );
      expect(await reportingTo(agent)).toMatchObject({ address: second.grpcAddress, connected: true });
    } finally {
      leader = { grpc: leaderProcess.grpcAddress, http: leaderProcess.httpAddress };
      await first.kill().catch(() => undefined);
      second?.client.close();
      await second?.kill();
    }
  });
});

describe('mo given several schedulers', () => {
  it('--scheduler follower,dead,leader (and MO_SCHEDULER_ADDR): commands reach the leader', async () => {
    leader = { grpc: leaderProcess.grpcAddress, http: leaderProcess.httpAddress };
    const dead = `127.0.0.1:${await freePort()}`;
    const list = `${follower.grpcAddress},${dead},${leaderProcess.grpcAddress}`;
    // `mo start` (the fast path, over the wire client) without an idempotency key: a write.
    const started = await runMo([
      '--scheduler',
      list,
      'start',
      '--json',
      '--name',
      `ha-cli-${process.pid}`,
      '--',
      'true',
    ]);
    expect([started.code, started.stderr]).toEqual([0, '']);
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    expect((await leaderProcess.client.getWorkload(id)).spec?.argv).toEqual(['true']);
    // `mo pipeline list` (the full client, grpc-js), the list from the environment.
    const pipelines = await runMo(['pipeline', 'list', '--json'], { env: { MO_SCHEDULER_ADDR: list } });
    expect([pipelines.code, pipelines.stderr]).toEqual([0, '']);
    // An empty entry is a usage error naming where it came from.
    const bad = await runMo(['status'], { env: { MO_SCHEDULER_ADDR: `${list},` } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('MO_SCHEDULER_ADDR: expected host:port[,host:port...]');
  });
});
