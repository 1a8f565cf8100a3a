// The services suite (issue 17): how fast a job's instances get placed, started and healthy, and
// how fast a rolling update goes, on one real scheduler (TLS, as deployed) with 100 simulated
// agents (sim-agents.ts: the real agent with a mock process driver and in-memory records).
//   1. `run` of a 100-replica service of no-op servers to all healthy. Each instance gets a named
//      port from its agent and the mock driver answers HTTP there; the agents really run the http
//      check (every 5 s, the first at once), so "healthy" has gone through the whole path (the
//      agent's check runner, the heartbeat, the scheduler's records, the job's deployment). An exec
//      check would fork from the one process that hosts all 100 simulated agents: that measured
//      the simulation (its forks took 38 % of its CPU), not mo.
//      Compared with 100 plain workloads (one SubmitWorkload array) to running, in the same run.
//   2. A rolling update of that service to a new version with max_parallel 10 and
//      min_healthy_time 0: submit to the deployment's success.
// Each figure is the median of ROUNDS rounds, each on a job of its own name.
import { JobClient } from '@mo/api';
import { testClientOptions, type SchedulerProcess } from '@mo/testkit';
import {
  msSince,
  round,
  row,
  sleep,
  summarize,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';
import { startSimCluster } from './sim-cluster.js';

const NODES = 100;
const REPLICAS = 100;
const ROUNDS = 3;

export const servicesSuite: Suite = {
  name: 'services',
  description: `services: a ${REPLICAS}-replica job to all healthy, and its rolling update (max_parallel 10), on ${NODES} simulated agents`,
  run,
};

function jobFile(name: string, version: string): string {
  return JSON.stringify({
    name,
    type: 'service',
    count: REPLICAS,
    command: ['sleep', 'infinity'], // the mock driver runs nothing (the agent checks argv[0] exists)
    env: { VERSION: version },
    resources: { cpu: '10m', memory: '8Mi' },
    ports: [{ name: 'http' }],
    checks: [{ name: 'alive', type: 'http', port: 'http', path: '/', interval: '5s', timeout: '2s' }],
    update: { max_parallel: 10, min_healthy_time: '0s', healthy_deadline: '1m' },
  });
}

/** Polls the job until its deployment of `version` has ended; returns the job's state then. */
async function deployed(
  jobs: JobClient,
  scheduler: SchedulerProcess['client'],
  name: string,
  version: number,
  timeoutMs: number,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobs.get(name);
    const d = job.deployment;
    if (d && d.version === version && d.state !== 'running') {
      if (d.state === 'succeeded') return d.state;
      // What a failure needs to be understood: the instances that were not healthy, and one's checks.
      const bad = job.instances.filter((i) => i.health !== 'HEALTH_HEALTHY');
      const first = bad[0] && (await scheduler.getWorkload(bad[0].workloadId));
      const detail = first && { health: first.health, checks: first.checks, events: first.events };
      const list = bad.map((i) => `[${i.index}] ${i.state} ${i.health}`).join(', ');
      return `${d.state}: ${d.reason}; not healthy: ${list}; the first: ${JSON.stringify(detail)}`;
    }
    if (Date.now() > until)
      throw new Error(`${name} v${version}: still ${d?.state ?? 'none'} (${d?.healthy}/${d?.desired} healthy)`);
    await sleep(20);
  }
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const raw: Record<string, unknown> = {};
  const cluster = await startSimCluster(ctx, NODES, 'svc');
  const { scheduler } = cluster;
  const jobs = new JobClient(scheduler.grpcAddress, testClientOptions());
  try {
    const toHealthy: number[] = [];
    const toRunning: number[] = [];
    const plain: number[] = [];
    const update: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const name = `bench-web-${r}`;
      let t0 = process.hrtime.bigint();
      await jobs.run(jobFile(name, 'v1'));
      // Where the time goes: all running (placed, started), then all healthy (checked, reported).
      for (const until = Date.now() + 120_000; (await jobs.get(name)).running < REPLICAS;) {
        if (Date.now() > until) throw new Error(`${name}: not all running after 120 s`);
        await sleep(50);
      }
      toRunning.push(msSince(t0));
      const first = await deployed(jobs, scheduler.client, name, 1, 120_000);
      toHealthy.push(msSince(t0));
      if (first !== 'succeeded') throw new Error(`${name} v1 deployment ${first}`);

      t0 = process.hrtime.bigint();
      await jobs.run(jobFile(name, 'v2'));
      const second = await deployed(jobs, scheduler.client, name, 2, 300_000);
      update.push(msSince(t0));
      if (second !== 'succeeded') throw new Error(`${name} v2 deployment ${second}`);
      await jobs.stop(name);
      await sleep(2000); // the job's stops settle first
      // Plain workloads: the floor of placing and starting 100 on these agents.
      t0 = process.hrtime.bigint();
      const arr = await scheduler.client.submitWorkload({
        spec: { argv: ['sleep', 'infinity'], resources: { cpuMillis: 10, memoryBytes: 8 * 1024 ** 2 } },
        count: REPLICAS,
      });
      for (const until = Date.now() + 120_000; ;) {
        if (Date.now() > until) throw new Error(`${REPLICAS} plain workloads: not all running after 120 s`);
        const page = await scheduler.client.listWorkloads({
          groupId: arr.groupId,
          states: ['WORKLOAD_STATE_RUNNING'],
          pageSize: 1,
        });
        if ((page.total ?? 0) >= REPLICAS) break;
        await sleep(20);
      }
      plain.push(msSince(t0));
      await Promise.all(arr.workloadIds.map((id) => scheduler.client.stopWorkload(id, 0)));

      ctx.log(
        `round ${r}: ${REPLICAS} plain running ${round(plain.at(-1)! / 1000, 2)} s; job running ` +
          `${round(toRunning.at(-1)! / 1000, 2)} s, healthy ` +
          `${round(toHealthy.at(-1)! / 1000, 2)} s; rolling update ${round(update.at(-1)! / 1000, 2)} s`,
      );
      await sleep(2000); // the stops settle before the next round
    }
    const h = summarize(toHealthy);
    const p = summarize(plain);
    const u = summarize(update);
    const run = summarize(toRunning);
    raw.toRunningMs = run;
    raw.toHealthyMs = h;
    raw.plainRunningMs = p;
    raw.rollingUpdateMs = u;
    const rows: Row[] = [
      row(`${REPLICAS} plain workloads (one array) to running, p50`, round(p.p50 / 1000, 2), 's'),
      row(`${REPLICAS}-replica service to all running, p50`, round(run.p50 / 1000, 2), 's'),
      row(`${REPLICAS}-replica service (http check) to all healthy, p50`, round(h.p50 / 1000, 2), 's'),
      // The first check runs at once and must pass once: a job costs that probe, the heartbeat that
      // carries it, and 100 submits instead of one array's. Measured 2.6× (0.52 s against 0.20 s).
      row('service to healthy ÷ plain to running', round(h.p50 / p.p50, 2), '×', { op: '<=', limit: 5 }),
      row(`rolling update of ${REPLICAS}, max_parallel 10, p50`, round(u.p50 / 1000, 2), 's'),
    ];
    return { rows, raw };
  } finally {
    jobs.close();
    await cluster.stop();
  }
}
