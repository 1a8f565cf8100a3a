// The HA suite (issue 18): several schedulers on etcd.
//   1. The store's cost: placed + acknowledged/s and submit → running p50/p99 with one scheduler on
//      SQLite and one on etcd (a one-member etcd on this machine), in the order SQLite, etcd, etcd,
//      SQLite, each with SIM_AGENTS simulated agents (sim-agents.ts). Target: etcd ≥ 50 % of
//      SQLite's throughput.
//   2. Failover: two schedulers on etcd, the simulated agents given both. The leader is SIGKILLed;
//      the time until a workload submitted to the cluster (a client given both addresses, retrying
//      under one key) is running, placed by the new leader. FAILOVERS runs; target p50 ≤ 5 s.
import { SchedulerClient } from '@mo/api';
import {
  schedulerLeads,
  startEtcd,
  startSchedulerProcess,
  testClientOptions,
  type SchedulerProcess,
} from '@mo/testkit';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MiB,
  msSince,
  pool,
  registerCleanup,
  removeLater,
  round,
  row,
  sleep,
  summarize,
  withTimeout,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';
import { readyLine, startSimAgents } from './scheduler.js';

const SIM_AGENTS = 50;
const SUBMISSIONS = 5000;
const CONCURRENCY = 128;
const LATENCY_SAMPLES = 200;
const LATENCY_RATE = 50;
const FAILOVERS = 5;

export const haSuite: Suite = {
  name: 'ha',
  description: `ha: etcd vs SQLite throughput and latency (${SIM_AGENTS} sim agents), leader failover to first placement (p50 of ${FAILOVERS})`,
  run,
};

const storeArg = (endpoints: string[]) => `etcd://${endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}`;
const DAEMON_ARGS = ['--log-level', 'info', '--register-rate', '0', '--rate-limit', 'mutating=off'];

interface Started {
  schedulers: SchedulerProcess[];
  addresses: string;
  stop(): Promise<void>;
}

/** Schedulers with `args` each, and SIM_AGENTS simulated agents given every address. */
async function startWith(ctx: SuiteContext, args: string[][], name: string): Promise<Started> {
  const schedulers: SchedulerProcess[] = [];
  for (const a of args)
    schedulers.push(await startSchedulerProcess({ extraArgs: [...DAEMON_ARGS, ...a], env: ctx.daemonEnv }));
  const addresses = schedulers.map((s) => s.grpcAddress).join(',');
  const simRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `mo-bench-${name}-`));
  const sim = startSimAgents(addresses, simRoot, ctx.daemonEnv, SIM_AGENTS);
  const unregister = registerCleanup(() => {
    for (const pid of [sim.pid, ...schedulers.map((s) => s.pid)]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const stop = async () => {
    sim.kill('SIGTERM');
    await sim;
    for (const s of schedulers) await s.kill('SIGTERM');
    removeLater(simRoot);
    for (const s of schedulers) removeLater(s.dataDir);
    unregister();
  };
  const client = new SchedulerClient(addresses, testClientOptions());
  try {
    await withTimeout(readyLine(sim), 120_000, 'simulated agents');
    await withTimeout(
      (async () => {
        for (;;) {
          const n = await client.listAllNodes().then(
            (r) => r.nodes.filter((x) => x.state === 'NODE_STATE_UP').length,
            () => 0,
          );
          if (n >= SIM_AGENTS) return;
          await sleep(100);
        }
      })(),
      60_000,
      'simulated agents registering',
    );
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.close();
  }
  return { schedulers, addresses, stop };
}

/** Placed + acknowledged/s, then submit → running latencies at a steady rate. */
async function storeRound(
  ctx: SuiteContext,
  store: 'sqlite' | 'etcd',
): Promise<{ perSecond: number; latencyMs: number[] }> {
  const etcd = store === 'etcd' ? await startEtcd({ members: 1 }) : undefined;
  const cluster = await startWith(ctx, [etcd ? ['--store', storeArg(etcd.endpoints)] : []], store).catch(
    async (err: unknown) => {
      await etcd?.close();
      throw err;
    },
  );
  const client = new SchedulerClient(cluster.addresses, testClientOptions({ deadlineMs: 30_000 }));
  try {
    let acked = 0;
    const t0 = process.hrtime.bigint();
    await pool(CONCURRENCY, SUBMISSIONS, async () => {
      await client.submitWorkload({ spec: { argv: ['/bin/true'], resources: { cpuMillis: 1, memoryBytes: MiB } } });
      acked++;
    });
    const perSecond = acked / (msSince(t0) / 1000);
    // Latency: watch for each one's running, submitting LATENCY_RATE a second.
    const abort = new AbortController();
    const submittedAt = new Map<string, number>();
    const latencyMs: number[] = [];
    const seen = new Set<string>();
    const watching = (async () => {
      try {
        for await (const e of client.watch({}, abort.signal)) {
          const w = e.workload;
          if (!w || w.state !== 'WORKLOAD_STATE_RUNNING' || seen.has(w.id)) continue;
          const at = submittedAt.get(w.id);
          if (at === undefined) continue;
          seen.add(w.id);
          latencyMs.push(performance.now() - at);
          if (latencyMs.length >= LATENCY_SAMPLES) abort.abort();
        }
      } catch {
        // aborted
      }
    })();
    await sleep(500); // the watch is open
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const start = performance.now();
      const { workload } = await client.submitWorkload({
        spec: { argv: ['sleep', '1'], resources: { cpuMillis: 1, memoryBytes: MiB } },
      });
      submittedAt.set(workload!.id, start);
      await sleep(Math.max(0, 1000 / LATENCY_RATE - (performance.now() - start)));
    }
    await withTimeout(watching, 60_000, 'latency samples');
    ctx.log(
      `${store}: ${round(perSecond, 0)} placed+acked/s; submit→running p50 ${round(summarize(latencyMs).p50, 1)} ms`,
    );
    return { perSecond, latencyMs };
  } finally {
    client.close();
    await cluster.stop();
    await etcd?.close();
  }
}

async function leaderOf(schedulers: Array<SchedulerProcess | undefined>): Promise<number> {
  for (const until = Date.now() + 30_000; Date.now() < until; await sleep(20)) {
    for (const [i, s] of schedulers.entries()) {
      if (!s) continue;
      const ok = await schedulerLeads(s);
      if (ok) return i;
    }
  }
  throw new Error('no leader after 30 s');
}

/** Leader SIGKILL → a workload submitted meanwhile is running, placed by the new leader. */
async function failovers(ctx: SuiteContext): Promise<number[]> {
  const etcd = await startEtcd({ members: 1 });
  // The default lease (4 s): what an operator gets.
  const args = [0, 1].map(() => ['--store', storeArg(etcd.endpoints)]);
  const cluster = await startWith(ctx, args, 'ha').catch(async (err: unknown) => {
    await etcd.close();
    throw err;
  });
  const schedulers: Array<SchedulerProcess | undefined> = [...cluster.schedulers];
  const client = new SchedulerClient(cluster.addresses, testClientOptions({ deadlineMs: 1000 }));
  const out: number[] = [];
  try {
    for (let r = 0; r < FAILOVERS; r++) {
      const leader = await leaderOf(schedulers);
      const dead = schedulers[leader]!;
      const t0 = process.hrtime.bigint();
      await dead.kill('SIGKILL');
      schedulers[leader] = undefined;
      const key = `failover-${r}-${Date.now()}`;
      let id = '';
      while (!id) {
        id = await client
          .submitWorkload({
            spec: { argv: ['sleep', '5'], resources: { cpuMillis: 1, memoryBytes: MiB } },
            idempotencyKey: key,
          })
          .then(
            (res) => res.workload!.id,
            () => '',
          );
        if (!id) await sleep(20);
      }
      for (;;) {
        const w = await client.getWorkload(id).catch(() => undefined);
        if (w?.state === 'WORKLOAD_STATE_RUNNING') break;
        await sleep(20);
      }
      out.push(msSince(t0));
      ctx.log(`failover ${r + 1}: ${round(out.at(-1)! / 1000, 2)} s to the first placement by the new leader`);
      // The dead one comes back (same data dir, same addresses) as a follower for the next round.
      schedulers[leader] = await startSchedulerProcess({
        dataDir: dead.dataDir,
        grpcListen: dead.grpcAddress,
        extraArgs: [...DAEMON_ARGS, ...args[leader]!, '--http-listen', dead.httpAddress],
        env: ctx.daemonEnv,
      });
      cluster.schedulers[leader] = schedulers[leader]!;
      await sleep(1000);
    }
    return out;
  } finally {
    client.close();
    await cluster.stop();
    await etcd.close();
  }
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const raw: Record<string, unknown> = {};
  const rounds: Record<'sqlite' | 'etcd', Array<{ perSecond: number; latencyMs: number[] }>> = { sqlite: [], etcd: [] };
  for (const store of ['sqlite', 'etcd', 'etcd', 'sqlite'] as const) rounds[store].push(await storeRound(ctx, store));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const tput = { sqlite: mean(rounds.sqlite.map((r) => r.perSecond)), etcd: mean(rounds.etcd.map((r) => r.perSecond)) };
  const lat = {
    sqlite: summarize(rounds.sqlite.flatMap((r) => r.latencyMs)),
    etcd: summarize(rounds.etcd.flatMap((r) => r.latencyMs)),
  };
  const fo = summarize(await failovers(ctx));
  raw.throughput = tput;
  raw.latencyMs = lat;
  raw.failoverMs = fo;
  const rows: Row[] = [
    row(`placed + acknowledged/s, SQLite (${SIM_AGENTS} sim agents, mean of 2)`, round(tput.sqlite, 0), '/s'),
    row('placed + acknowledged/s, etcd (one member)', round(tput.etcd, 0), '/s'),
    row('etcd ÷ SQLite throughput', round(tput.etcd / tput.sqlite, 2), '×', { op: '>=', limit: 0.5 }),
    row('submit → running p50 / p99, SQLite', round(lat.sqlite.p50, 1), `ms (p99 ${round(lat.sqlite.p99, 1)})`),
    row('submit → running p50 / p99, etcd', round(lat.etcd.p50, 1), `ms (p99 ${round(lat.etcd.p99, 1)})`),
    row(
      `failover: leader SIGKILL → first placement, p50 of ${FAILOVERS} (default lease, 4 s)`,
      round(fo.p50 / 1000, 2),
      's',
      {
        op: '<=',
        limit: 5,
      },
    ),
    row('  failover, slowest', round(fo.max / 1000, 2), 's'),
  ];
  return { rows, raw };
}
