// Jobs on a real cluster (a scheduler + 3 agents, as processes), process jobs without checks or
// ports: a service spread over the agents, the same file again changing nothing, scale, a rolling
// update max_parallel at a time, a broken version rolled back by auto_revert, a batch job of 50,
// stop; and a scheduler SIGKILL mid-rollout after which the rollout finishes with no index of the
// new version started twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobClient, SchedulerClient, type Job__Output, type ScheduledWorkload__Output } from '@mo/api';
import {
  apiCall,
  freePort,
  startAgentProcess,
  startCluster,
  startSchedulerProcess,
  stopAllWorkloads,
  testClientOptions,
  waitFor,
  type Cluster,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let jobs: JobClient;

beforeAll(async () => {
  // Ranked on declared reservations only: the three agents share one busy host, whose measured
  // load would make "3 replicas on 3 nodes" a matter of noise (CI saw 2 nodes once).
  cluster = await startCluster({ agents: 3, schedulerArgs: ['--reserved-weight', '1'] });
  cleanup.push(() => cluster.stop());
  cleanup.push(async () => {
    for (const a of cluster.agents) await stopAllWorkloads(a).catch(() => undefined);
  });
  jobs = new JobClient(cluster.scheduler.grpcAddress, testClientOptions());
  cleanup.push(async () => jobs.close());
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** A service file: `sleep 3600` replicas, settled 300 ms after they run. */
function service(
  name: string,
  o: { count?: number; env?: string; maxParallel?: number; command?: string; autoRevert?: boolean },
): string {
  return `
name: ${name}
count: ${o.count ?? 3}
command: ${o.command ?? '[sleep, "3600"]'}
env: { V: "${o.env ?? '1'}" }
resources: { cpu: 100m, memory: 16Mi }
update: { max_parallel: ${o.maxParallel ?? 1}, min_healthy_time: 300ms, healthy_deadline: 20s, auto_revert: ${o.autoRevert ?? false} }
`;
}

const live = (j: Job__Output) =>
  j.instances.filter((i) =>
    ['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING'].includes(i.state),
  );
const running = (j: Job__Output) => j.instances.filter((i) => i.state === 'WORKLOAD_STATE_RUNNING');

async function waitJob(c: JobClient, name: string, what: string, ok: (j: Job__Output) => boolean, timeoutMs = 30_000) {
  let last: Job__Output | undefined;
  try {
    return await waitFor(`${name}: ${what}`, async () => ((last = await c.get(name)), ok(last) ? last : undefined), {
      timeoutMs,
      intervalMs: 100,
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last)}`, { cause: err });
  }
}

/** Settled: its version's deployment succeeded with `count` running instances of it. */
const settled = (version: number, count: number) => (j: Job__Output) =>
  j.version === version &&
  j.deployment?.version === version &&
  j.deployment.state === 'succeeded' &&
  live(j).length === count &&
  running(j).length === count &&
  running(j).every((i) => i.version === version);

/** Every workload of job `name`, ended ones included (the scheduler keeps them). */
async function workloadsOf(client: SchedulerClient, name: string): Promise<ScheduledWorkload__Output[]> {
  return (await client.listAllWorkloads({ labels: { 'mo.job': name } })).workloads;
}

describe('a service on a real cluster', () => {
  it('runs 3 replicas spread over the agents; the same file again changes nothing', async () => {
    const first = await jobs.run(service('web', {}));
    expect(first).toMatchObject({ changed: true, kind: 'create', job: { name: 'web', version: 1, count: 3 } });
    const j = await waitJob(jobs, 'web', '3 running', settled(1, 3));
    expect(new Set(running(j).map((i) => i.nodeName)).size).toBe(3);
    expect(
      running(j)
        .map((i) => i.index)
        .sort(),
    ).toEqual([0, 1, 2]);

    const again = await jobs.run(service('web', {}));
    expect(again).toMatchObject({ changed: false, kind: 'none', job: { version: 1 } });
    expect((await jobs.get('web')).instances.map((i) => i.workloadId).sort()).toEqual(
      j.instances.map((i) => i.workloadId).sort(),
    );
    expect((await jobs.list()).jobs.map((x) => x.name)).toContain('web');
  });

  it('answers over HTTP (a service for a reverse proxy, a plan, the history) and on the Watch stream', async () => {
    const token = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
    const http = cluster.scheduler.httpAddress;
    const svc = await apiCall(http, '/api/v1/services/web', { token });
    expect(svc.status).toBe(200);
    const instances = svc.json<{ name: string; instances: Array<{ host: string; state: string; index: number }> }>();
    expect(instances.name).toBe('web');
    expect(instances.instances.map((i) => i.index).sort()).toEqual([0, 1, 2]);
    expect(instances.instances.every((i) => i.host !== '' && i.state === 'WORKLOAD_STATE_RUNNING')).toBe(true);
    const plan = await apiCall(http, '/api/v1/jobs?plan=1', { token, method: 'POST', body: service('web', {}) });
    expect(plan.status).toBe(200);
    expect(plan.json()).toMatchObject({ kind: 'none', version: 1 });
    const wrapped = await apiCall(http, '/api/v1/jobs?plan=1', {
      token,
      method: 'POST',
      body: { spec: service('web', { count: 4 }) },
    });
    expect(wrapped.json()).toMatchObject({ kind: 'scale', version: 1, starts: 1 });
    const bad = await apiCall(http, '/api/v1/jobs', {
      token,
      method: 'POST',
      body: 'name: web\ncount: 0\ncommand: [x]\n',
    });
    expect(bad.status).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/^count: must be between 1 and 10000, got 0/);
    const got = await apiCall(http, '/api/v1/jobs/web', { token });
    expect(got.json()).toMatchObject({ name: 'web', version: 1, count: 3 });
    const history = await apiCall(http, '/api/v1/jobs/web/history', { token });
    expect(history.json()).toMatchObject({
      versions: [{ version: 1 }],
      deployments: [{ version: 1, state: 'succeeded' }],
    });
    const missing = await apiCall(http, '/api/v1/jobs/nope', { token });
    expect(missing.status).toBe(404);
    expect(missing.json<{ message: string }>().message).toMatch(/^name: no job "nope"/);

    // A job's events: its set of healthy instances moves when it scales.
    // A stream that did not ask for jobs gets none of their events.
    const plain = new AbortController();
    const plainJobEvents: unknown[] = [];
    let plainWorkloadEvents = 0;
    let plainUp = false;
    const plainWatch = (async () => {
      for await (const e of cluster.scheduler.client.watch({}, plain.signal)) {
        if (e.caughtUp) plainUp = true;
        if (e.workload) plainWorkloadEvents++;
        if (e.job) plainJobEvents.push(e.job);
      }
    })().catch(() => undefined);
    await waitFor('the plain watch caught up', () => plainUp);
    const abort = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of cluster.scheduler.client.watch({ job: 'web' }, abort.signal)) {
        if (e.job) seen.push(e.job.what);
        if (e.job?.what === 'instances' && e.job.service!.instances.length === 4) abort.abort();
      }
    })().catch(() => undefined);
    await jobs.scale('web', 4);
    await waitFor('an instances event with 4 healthy', () => abort.signal.aborted, { timeoutMs: 15_000 });
    await watching;
    expect(seen).toContain('version');
    plain.abort();
    await plainWatch;
    expect(plainJobEvents).toEqual([]);
    expect(plainWorkloadEvents).toBeGreaterThan(0); // it was there: the new instance's events came
    await jobs.scale('web', 3);
  });

  it('scales up and down without a new version', async () => {
    const up = await jobs.scale('web', 5);
    expect(up).toMatchObject({ version: 1, count: 5 });
    await waitJob(jobs, 'web', '5 running', (j) => running(j).length === 5 && live(j).length === 5);
    await jobs.scale('web', 2);
    const down = await waitJob(jobs, 'web', '2 live', (j) => live(j).length === 2 && running(j).length === 2);
    expect(down.version).toBe(1);
    expect(
      live(down)
        .map((i) => i.index)
        .sort(),
    ).toEqual([0, 1]);
    // The file at count 2 is the same job: nothing to do.
    expect(await jobs.run(service('web', { count: 2 }))).toMatchObject({ changed: false, kind: 'none' });
    // Only its count changed: a scale, the same version.
    expect(await jobs.run(service('web', { count: 3 }))).toMatchObject({
      changed: true,
      kind: 'scale',
      job: { version: 1 },
    });
    await waitJob(jobs, 'web', '3 running', settled(1, 3));
  });

  it('rolls an update out max_parallel (1) at a time', async () => {
    const plan = await jobs.plan(service('web', { env: '2' }));
    expect(plan).toMatchObject({ kind: 'update', version: 2, starts: 1, stops: 1 });
    expect(plan.changes).toEqual([{ path: 'task.env.V', from: '"1"', to: '"2"' }]);
    expect(plan.placements).toHaveLength(1);
    expect(plan.placements[0]!.nodeName).toMatch(/^node-/);

    const r = await jobs.run(service('web', { env: '2' }));
    expect(r).toMatchObject({ changed: true, kind: 'update', job: { version: 2 } });
    await waitJob(jobs, 'web', 'version 2 rolled out', settled(2, 3));
    const client = cluster.scheduler.client;
    const v2 = (await workloadsOf(client, 'web')).filter((w) => w.jobVersion === 2);
    expect(v2).toHaveLength(3);
    // One at a time: each new instance was placed once the one before had run min_healthy_time.
    const placed = v2.map((w) => w.createdAtMs).sort((a, b) => a - b);
    for (let k = 1; k < placed.length; k++) expect(placed[k]! - placed[k - 1]!).toBeGreaterThanOrEqual(300);
    const history = await jobs.history('web');
    expect(history.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(history.deployments[0]).toMatchObject({ version: 2, state: 'succeeded' });
  });

  it('rolls a failing version back to the last good one (auto_revert)', async () => {
    const r = await jobs.run(service('web', { env: '3', command: '["false"]', autoRevert: true }));
    expect(r.job!.version).toBe(3);
    const j = await waitJob(jobs, 'web', 'back on version 2', settled(2, 3));
    expect(j.lastGoodVersion).toBe(2);
    const history = await jobs.history('web');
    const v3 = history.deployments.find((d) => d.version === 3)!;
    expect(v3.state).toBe('failed');
    expect(v3.reason).toMatch(/web\[\d\] .* of version 3 failed/);
    expect(history.deployments[0]).toMatchObject({ version: 2, state: 'succeeded' });
  });

  it('stops every instance; the job stays', async () => {
    const stopped = await jobs.stop('web');
    expect(stopped.stopped).toBe(true);
    const j = await waitJob(jobs, 'web', 'nothing live', (x) => live(x).length === 0);
    expect(j.instances.every((i) => i.state === 'WORKLOAD_STATE_STOPPED')).toBe(true);
    for (const a of cluster.agents) {
      const { workloads } = await a.client.getFullNodeStatus();
      expect(
        workloads.filter((w) => w.state === 'WORKLOAD_STATE_RUNNING' && w.spec?.labels['mo.job'] === 'web'),
      ).toEqual([]);
    }
  });
});

describe('a batch job on a real cluster', () => {
  it('runs 50 instances of `true` to completion', async () => {
    await jobs.run(`
name: fifty
type: batch
count: 50
command: ["true"]
resources: { cpu: 50m, memory: 8Mi }
`);
    const j = await waitJob(jobs, 'fifty', '50 succeeded', (x) => x.deployment?.state === 'succeeded', 60_000);
    expect(j.deployment).toMatchObject({ desired: 50, succeeded: 50 });
    const all = await workloadsOf(cluster.scheduler.client, 'fifty');
    expect(
      all
        .filter((w) => w.state === 'WORKLOAD_STATE_SUCCEEDED')
        .map((w) => w.jobIndex)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 50 }, (_, k) => k));
  }, 90_000);
});

describe('a scheduler SIGKILL mid-rollout', () => {
  it('resumes the rollout on restart, starting no index twice', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    let scheduler = await startSchedulerProcess({ grpcListen: listen });
    cleanup.push(() => scheduler.kill('SIGKILL'));
    for (const name of ['crash-1', 'crash-2']) {
      const a = await startAgentProcess({ extraArgs: ['--scheduler', listen, '--node-name', name] });
      cleanup.push(async () => {
        await stopAllWorkloads(a).catch(() => undefined);
        await a.kill('SIGTERM');
      });
    }
    await waitFor('2 nodes up', async () => (await scheduler.client.listNodes()).nodes.length === 2);
    const c = new JobClient(listen, testClientOptions({ deadlineMs: 3000 }));
    cleanup.push(async () => c.close());
    // Each new instance settles 1.5 s after it runs: a rollout of 4, one at a time, takes 6 s or more.
    const file = (v: string) => service('crashy', { count: 4, env: v }).replace('300ms', '1500ms');
    await c.run(file('1'));
    await waitJob(c, 'crashy', 'version 1 running', settled(1, 4));
    await c.run(file('2'));
    await waitJob(c, 'crashy', 'a version 2 instance running', (j) => running(j).some((i) => i.version === 2));
    await scheduler.kill('SIGKILL');
    scheduler = await startSchedulerProcess({ grpcListen: listen, dataDir: scheduler.dataDir });
    const j = await waitJob(c, 'crashy', 'version 2 rolled out after the restart', settled(2, 4), 60_000);
    expect(
      running(j)
        .map((i) => i.index)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    const v2 = (await workloadsOf(scheduler.client, 'crashy')).filter((w) => w.jobVersion === 2);
    const perIndex = new Map<number, number>();
    for (const w of v2) perIndex.set(w.jobIndex, (perIndex.get(w.jobIndex) ?? 0) + 1);
    expect([...perIndex.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    await c.stop('crashy');
    await waitJob(c, 'crashy', 'stopped', (x) => live(x).length === 0);
  }, 120_000);
});
