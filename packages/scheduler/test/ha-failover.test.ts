// Several schedulers on etcd, as processes (issue 18): 3 schedulers, 3 etcd members on loopback,
// agents given every scheduler's address. The leader is SIGKILLed during a burst of keyed
// submissions and a running pipeline: a new leader takes over within the lease; every submission
// that was acknowledged is there; nothing started twice (each start appends its key to a file the
// test reads, so the count is the agents' own); the pipeline completes with each step run once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentClient, PipelineClient, SchedulerClient } from '@mo/api';
import {
  requireTool,
  startHaCluster,
  stepOf,
  testAgentClientOptions,
  testClientOptions,
  waitFor,
  waitForPipeline,
  type HaCluster,
} from '@mo/testkit';
import { chownSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const haveEtcd = requireTool(existsSync('/usr/bin/etcd'), 'etcd (Debian etcd-server)');
const BURST = 2000;
const dir = mkdtempSync(join(tmpdir(), 'mo-ha-test-'));
// Workloads run as the agents' default user (nobody) and append their starts here.
chownSync(dir, 65534, 65534);
let ha: HaCluster;
const closers: Array<{ close(): void }> = [];

beforeAll(async () => {
  if (!haveEtcd) return;
  ha = await startHaCluster({ schedulers: 3, agents: 5, leaseTtl: '2s', etcdMembers: 3 });
}, 120_000);

afterAll(async () => {
  for (const c of closers) c.close();
  await ha?.stop();
});

/** Submits until acknowledged, under its key (a retry after a failover is the same submission). */
async function submitKeyed(client: SchedulerClient, key: string, argv: string[]): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await client.submitWorkload({
        spec: { argv, env: { KEY: key }, resources: { cpuMillis: 1, memoryBytes: 1 << 20 } },
        idempotencyKey: key,
      });
      return r.workload!.id;
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('three schedulers on etcd', () => {
  it('fails over within the lease when the leader is SIGKILLed mid-burst: nothing lost, nothing started twice', async () => {
    if (!haveEtcd) return;
    const starts = join(dir, 'starts');
    const pipelineLog = join(dir, 'pipeline.log');
    const client = new SchedulerClient(ha.addresses, testClientOptions({ deadlineMs: 5000 }));
    const pipelines = new PipelineClient(ha.addresses, testClientOptions({ deadlineMs: 5000 }));
    closers.push(client, pipelines);
    const run = (s: string, extra = '') => ['sh', '-c', `echo ${s} >> ${pipelineLog}${extra}`];
    const { pipeline } = await pipelines.submit({
      spec: JSON.stringify({
        name: 'through-failover',
        steps: [
          { id: 'first', command: run('first') },
          { id: 'long', needs: ['first'], command: run('long', '; sleep 3') },
          { id: 'last', needs: ['long'], command: run('last') },
        ],
      }),
      idempotencyKey: 'ha-pipeline',
    });
    const pipelineId = pipeline!.id;
    await waitForPipeline(pipelines, pipelineId, (p) => stepOf(p, 'long').state === 'STEP_STATE_RUNNING', 30_000);

    const first = await ha.leader();
    const acked = new Map<string, string>();
    let killedAtMs = 0;
    const burst = (async () => {
      const keys = Array.from({ length: BURST }, (_, i) => `ha-${i}`);
      // 20 at a time: a steady stream the kill lands in the middle of.
      for (let i = 0; i < keys.length; i += 20) {
        await Promise.all(
          keys.slice(i, i + 20).map(async (key) => {
            acked.set(
              key,
              await submitKeyed(client, key, ['sh', '-c', `echo $KEY $MO_WORKLOAD_ID $MO_NODE_NAME >> ${starts}`]),
            );
          }),
        );
      }
    })();
    await waitFor('a tenth of the burst acknowledged', () => acked.size >= BURST / 10, { timeoutMs: 60_000 });
    await ha.killScheduler(first, 'SIGKILL');
    killedAtMs = Date.now();
    const second = await ha.leader(10_000);
    const failoverMs = Date.now() - killedAtMs;
    expect(second).not.toBe(first);
    // The lease (2 s) plus a campaign and a start: well within 5 s.
    expect(failoverMs).toBeLessThan(5000);
    await burst;
    expect(acked.size).toBe(BURST);

    // Every acknowledged submission is there, once, and ran once.
    let byState: Record<string, number> = {};
    await waitFor(
      'every submission ended',
      async () => {
        byState = (await client.getClusterStatus()).workloadCounts;
        return (byState.succeeded ?? 0) >= BURST + 3;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    ).catch(async (err: unknown) => {
      const lost = await client.listWorkloads({
        states: ['WORKLOAD_STATE_LOST', 'WORKLOAD_STATE_STOPPED'],
        pageSize: 3,
      });
      const why = lost.workloads.map((w) => ({
        node: w.nodeName,
        attempt: w.attempt,
        events: w.events.map((e) => `${e.state}: ${e.reason}`),
      }));
      const nodes = (await client.listAllNodes()).nodes.map((n) => `${n.name} ${n.state}`);
      const agentLogs = ha.agents.map((a) =>
        a
          .logs()
          .split('\n')
          .filter((l) => /warn|error|regist|leader/i.test(l))
          .slice(-12)
          .join('\n'),
      );
      const schedulerLogs = ha.schedulers.map((sch, i) =>
        (sch?.logs() ?? '')
          .split('\n')
          .filter((l) => /leading|lost leadership|could not/i.test(l))
          .map((l) => `scheduler ${i}: ${l}`)
          .join('\n'),
      );
      throw new Error(
        `${(err as Error).message}; by state: ${JSON.stringify(byState)}; nodes ${nodes.join(', ')}; lost: ${JSON.stringify(why)}\n${agentLogs.join('\n---\n')}\n${schedulerLogs.join('\n')}`,
      );
    });
    const ids = new Set(acked.values());
    expect(ids.size).toBe(BURST);
    // Each line: the key, the allocation that ran it, its node.
    const lines = readFileSync(starts, 'utf8').trim().split('\n');
    const runs = new Map<string, string[]>();
    for (const l of lines) {
      const [key, ...rest] = l.split(' ');
      runs.set(key!, [...(runs.get(key!) ?? []), rest.join(' ')]);
    }
    const twice = [...runs].filter(([, r]) => r.length > 1);
    if (twice.length > 0) {
      // Say why: the first few, with their workloads' events as the leader has them.
      const shown = await Promise.all(
        twice.slice(0, 3).map(async ([key, r]) => {
          const w = await client.getWorkload(acked.get(key)!).catch((err: unknown) => String(err));
          const events = typeof w === 'string' ? w : w.events.map((e) => `${e.state}: ${e.reason}`);
          return { key, runs: r, events };
        }),
      );
      console.log(`${twice.length} keys ran more than once, e.g. ${JSON.stringify(shown, null, 1)}`);
    }
    expect(twice.map(([key]) => key)).toEqual([]);
    expect(runs.size).toBe(BURST);

    // The agents heard the new leader's epoch: an order from an older one (the killed leader's
    // is at most this) is refused, naming the field.
    const stale = new AgentClient(ha.agents[0]!.grpcAddress, { ...testAgentClientOptions(), leaderEpoch: 1 });
    closers.push(stale);
    await expect(stale.startWorkload({ argv: ['true'] })).rejects.toMatchObject({
      code: 9,
      message: expect.stringMatching(/leader_epoch: 1 is older than \d+/),
    });

    const p = await waitForPipeline(pipelines, pipelineId, 'PIPELINE_STATE_SUCCEEDED', 60_000);
    expect(p.steps.map((s) => s.attempt)).toEqual([1, 1, 1]);
    expect(readFileSync(pipelineLog, 'utf8')).toBe('first\nlong\nlast\n');

    // The killed one comes back as a follower (it does not take over), and there is a leader.
    const back = await ha.restartScheduler(first);
    expect(back.logs()).toMatch(/"role":"follower"/);
    const now = await ha.leader();
    // A loaded machine can delay a keepalive past the 2 s lease: leadership may move (and is
    // fenced when it does); say so rather than hide it.
    if (now !== second) console.log(`leadership moved again after the failover: scheduler ${second} → ${now}`);
  }, 420_000);
});
