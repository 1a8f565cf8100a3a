// The leader cut off from etcd but not from its agents (issue 18), on the netns test bed: etcd and
// an agent in the host namespace (on the bed's bridge address), each of 3 schedulers in a
// namespace of its own. Dropping the leader's etcd traffic (that port only: the agent still
// reaches it) makes it stop scheduling within its lease; another takes over; healed, the old one
// stays a follower, and what was sent to it meanwhile never lands.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MoError, SchedulerClient } from '@mo/api';
import {
  createNetnsBed,
  netnsUnavailable,
  requireTool,
  schedulerLeads,
  startAgentProcess,
  startEtcd,
  startSchedulerProcess,
  stopAllWorkloads,
  testClientOptions,
  testFetch,
  waitFor,
  type AgentProcess,
  type EtcdServer,
  type NetnsBed,
  type NetnsHost,
  type SchedulerProcess,
} from '@mo/testkit';
import * as grpc from '@grpc/grpc-js';
import { existsSync } from 'node:fs';

const why = netnsUnavailable();
const ready = requireTool(why === undefined && existsSync('/usr/bin/etcd'), `network namespaces (${why}) and etcd`);
const PORT = 7600;
const HTTP_PORT = 7601;
let bed: NetnsBed | undefined;
let etcd: EtcdServer | undefined;
const schedulers: SchedulerProcess[] = [];
let agent: AgentProcess | undefined;
let client: SchedulerClient | undefined;

beforeAll(async () => {
  if (!ready) return;
  bed = await createNetnsBed({ hosts: 3 });
  etcd = await startEtcd({ members: 1, hosts: [bed.hostAddress] });
  const store = `etcd://${etcd.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}`;
  for (const h of bed.hosts) {
    schedulers.push(
      await startSchedulerProcess({
        wrap: h.wrap,
        grpcListen: `${h.address}:${PORT}`,
        extraArgs: ['--store', store, '--lease-ttl', '2s', '--http-listen', `${h.address}:${HTTP_PORT}`],
      }),
    );
  }
  const addresses = schedulers.map((s) => s.grpcAddress).join(',');
  agent = await startAgentProcess({
    grpcListen: `${bed.hostAddress}:0`,
    extraArgs: ['--scheduler', addresses, '--node-name', 'ha-node'],
  });
  client = new SchedulerClient(addresses, testClientOptions({ deadlineMs: 8000 }));
}, 120_000);

afterAll(async () => {
  client?.close();
  if (agent) {
    await stopAllWorkloads(agent).catch(() => undefined);
    await agent.kill('SIGTERM');
  }
  for (const s of schedulers) await s.kill('SIGKILL');
  await etcd?.close();
  await bed?.close();
});

async function leaderIndex(): Promise<number> {
  return waitFor(
    'a leader',
    async () => {
      for (const [i, s] of schedulers.entries()) if (await schedulerLeads(s)) return i;
      return undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
}

/** Drops the traffic between host `h` and etcd's client port, both ways (silent). */
async function cutFromEtcd(h: NetnsHost, port: string, on: boolean): Promise<void> {
  const op = on ? '-I' : '-D';
  await h.exec(['iptables', op, 'OUTPUT', '-p', 'tcp', '-d', bed!.hostAddress, '--dport', port, '-j', 'DROP']);
  await h.exec(['iptables', op, 'INPUT', '-p', 'tcp', '-s', bed!.hostAddress, '--sport', port, '-j', 'DROP']);
}

describe('a leader cut off from etcd', () => {
  it('stops within its lease, another takes over, and healed it never writes', async () => {
    if (!ready) return;
    const first = await leaderIndex();
    await waitFor(
      'the node up',
      async () => (await client!.listNodes()).nodes.some((n) => n.state === 'NODE_STATE_UP'),
      {
        timeoutMs: 30_000,
      },
    );
    const host = bed!.hosts[first]!;
    const etcdPort = new URL(etcd!.endpoints[0]!).port;
    await cutFromEtcd(host, etcdPort, true);
    const cutAt = Date.now();
    // What is sent to it now cannot land: refused (no etcd) or redirected.
    const direct = new SchedulerClient(schedulers[first]!.grpcAddress, testClientOptions({ deadlineMs: 8000 }));
    const ghost = await direct.submitWorkload({ spec: { name: 'ghost', argv: ['true'] } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ghost).toBeInstanceOf(MoError);
    expect((ghost as MoError).code).toBe(grpc.status.UNAVAILABLE);
    // It stops leading within its lease (2 s) and a little; another leads.
    await waitFor('the old leader stepped down', async () => !(await schedulerLeads(schedulers[first]!)), {
      timeoutMs: 6000,
      intervalMs: 100,
    });
    const second = await leaderIndex();
    expect(second).not.toBe(first);
    console.log(`cut from etcd: stepped down and replaced ${Date.now() - cutAt} ms after the cut`);

    await cutFromEtcd(host, etcdPort, false);
    // Healed: still a follower, naming the new leader (its /healthz; a client would follow it
    // there at once); the ghost never landed.
    await waitFor(
      'the old leader names the new one',
      async () => {
        const res = await testFetch(`https://${schedulers[first]!.httpAddress}/healthz`).catch(() => undefined);
        if (!res) return false;
        const body = (await res.json()) as { role?: string; leader?: { grpc?: string } };
        return res.status === 503 && body.role === 'follower' && body.leader?.grpc === schedulers[second]!.grpcAddress;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    direct.close();
    expect(await leaderIndex()).toBe(second);
    expect((await client!.listWorkloads({ name: 'ghost' })).workloads).toEqual([]);
    // And the cluster works: a workload runs through the new leader.
    const { workload } = await client!.submitWorkload({ spec: { name: 'after', argv: ['true'] } });
    await waitFor(
      'after succeeded',
      async () => (await client!.getWorkload(workload!.id)).state === 'WORKLOAD_STATE_SUCCEEDED',
      {
        timeoutMs: 20_000,
      },
    );
  }, 180_000);
});
