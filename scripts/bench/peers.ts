// The peers suite (issue 19): mo beside Slurm on this machine, the same tiny job on both, in
// alternating rounds (mo, Slurm, mo, Slurm, …), each on freshly started daemons: idle RSS and CPU,
// CLI one-job latency (`mo start --wait=exit` vs `srun`), submit → process running (the job
// stamps its own start), API throughput (2,000 × /bin/true over mo's gRPC API vs 2,000 sbatch and
// one job array) and the memory of daemons + per-job supervisors with 500 running. Rows give the
// median of the rounds with each round's figure, and mo/Slurm ratios per round with their spread.
// Slurm (Debian's slurm-wlm + munge, installed when missing) runs privately with
// peers/slurm.conf (peers/slurm.ts); when it cannot, the rows say why and only mo is measured.
import { SchedulerClient, type WorkloadState } from '@mo/api';
import { CLI_BIN, measureCpuPercent, startCluster, testCliEnv, testClientOptions, type Cluster } from '@mo/testkit';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { timed } from './cli-throughput.js';
import {
  MiB,
  msSince,
  percentile,
  pool,
  readRssBytes,
  registerCleanup,
  removeLater,
  round,
  row,
  sleep,
  withTimeout,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
  type Target,
} from './lib.js';
import { descendsFrom, pssBytes, snapshot, withArgv } from './peers/procs.js';
import { ensureSlurmInstalled, startSlurm, type SlurmCluster } from './peers/slurm.js';

// MO_BENCH_PEERS_ROUNDS, _JOBS and _RUNNING shrink a run to check the suite itself.
const ROUNDS = Number(process.env.MO_BENCH_PEERS_ROUNDS ?? 3);
const JOBS = Number(process.env.MO_BENCH_PEERS_JOBS ?? 2000);
/** Submissions in flight at once: over mo's API (one client), and sbatch processes at once. */
const MO_CONCURRENCY = 64;
const SBATCH_PARALLEL = 8;
const LATENCY = { warmup: 2, samples: 20 };
const RUNNING = Number(process.env.MO_BENCH_PEERS_RUNNING ?? 500);
const SLEEP = ['sleep', '300'];
/** Idle: the daemons settle this long after start, then their CPU is read over the window. */
const IDLE = { settleMs: 2000, windowMs: 10_000 };
const TARGETS = { sbatch: 10, srun: 2, memory: 0.25, idleRss: 4, idleCpuPercent: 0.1 };
const ENDED: WorkloadState[] = ['WORKLOAD_STATE_SUCCEEDED', 'WORKLOAD_STATE_FAILED'];

export const peersSuite: Suite = {
  name: 'peers',
  description: 'mo beside Slurm (private slurmctld + slurmd): throughput, CLI latency, start, memory, idle',
  run,
};

/** One round's figures of one system, by name (MiB, %, ms, jobs/s); a failed phase leaves its out. */
type Figures = Record<string, number>;

interface Rounds {
  mo: Figures[];
  slurm: Figures[];
  errors: string[];
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const rounds: Rounds = { mo: [], slurm: [], errors: [] };
  let slurmError: string | undefined;
  try {
    await ensureSlurmInstalled(ctx.log);
  } catch (err) {
    slurmError = (err as Error).message;
  }
  for (let i = 1; i <= ROUNDS; i++) {
    const mo: Figures = {};
    rounds.mo.push(mo);
    await system(ctx, `mo round ${i}`, rounds.errors, () => moRound(ctx, mo, rounds.errors, i));
    if (slurmError) continue;
    const slurm: Figures = {};
    rounds.slurm.push(slurm);
    await system(ctx, `Slurm round ${i}`, rounds.errors, () => slurmRound(ctx, slurm, rounds.errors, i));
  }
  if (!slurmError && rounds.slurm.every((f) => Object.keys(f).length === 0)) slurmError = rounds.errors.join('; ');
  return { rows: rowsOf(rounds, slurmError), raw: { rounds, slurmError, jobs: JOBS, running: RUNNING, LATENCY } };
}

async function system(ctx: SuiteContext, name: string, errors: string[], fn: () => Promise<void>): Promise<void> {
  const t0 = process.hrtime.bigint();
  try {
    await fn();
  } catch (err) {
    errors.push(`${name}: ${(err as Error).message}`);
    ctx.log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
  ctx.log(`${name} done in ${round(msSince(t0) / 1000, 1)} s`);
}

/** Runs one measurement; a failure is noted (and the figure left out), the round goes on. */
async function phase(name: string, errors: string[], ctx: SuiteContext, fn: () => Promise<void>): Promise<void> {
  const t0 = process.hrtime.bigint();
  try {
    await fn();
    ctx.log(`${name}: ${round(msSince(t0) / 1000, 1)} s`);
  } catch (err) {
    errors.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    ctx.log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}

// ---- mo -----------------------------------------------------------------------------------------

async function moRound(ctx: SuiteContext, fig: Figures, errors: string[], n: number): Promise<void> {
  // Production log level; no rate limit per identity (the load comes from one client, as with
  // Slurm, which limits no one by default); workloads run as the agent's default user (nobody).
  let cluster: Cluster | undefined;
  const unregister = registerCleanup(() => {
    if (!cluster) return;
    const agents = new Set(cluster.agents.map((a) => a.pid));
    const procs = snapshot();
    const under = [...procs.keys()].filter((pid) => descendsFrom(procs, pid, agents));
    for (const pid of [...agents, cluster.scheduler.pid, ...under]) tryKill(pid);
  });
  const stamps = stampDir();
  try {
    cluster = await startCluster({
      agents: 1,
      schedulerArgs: ['--log-level', 'info', '--rate-limit', 'mutating=off'],
      agentArgs: () => ['--log-level', 'info', '--max-ended', String(2 * JOBS)],
      ...(Object.keys(ctx.daemonEnv).length > 0 ? { env: ctx.daemonEnv } : {}),
    });
    const scheduler = cluster.scheduler;
    const agent = cluster.agents[0]!;
    const address = scheduler.grpcAddress;
    const client = new SchedulerClient(address, testClientOptions({ deadlineMs: 30_000 }));
    const cliEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...testCliEnv() };
    const mo = (...args: string[]) => [CLI_BIN, '--scheduler', address, ...args];
    const label = `mo round ${n}`;
    try {
      await phase(`${label} idle`, errors, ctx, async () => {
        Object.assign(fig, await idle({ scheduler: scheduler.pid, agent: agent.pid }));
      });
      await phase(`${label} CLI latency`, errors, ctx, async () => {
        fig.cliMs = await p50(() => timed(mo('start', '--wait=exit', '--', '/bin/true'), cliEnv));
      });
      await phase(`${label} submit → running`, errors, ctx, async () => {
        const api = (cmd: string) => client.submitWorkload({ spec: { argv: ['sh', '-c', cmd] } });
        fig.startApiMs = await p50((i) => stampLatency(stamps, `mo-api-${i}`, api));
        const cli = (cmd: string) => timed(mo('start', '--', 'sh', '-c', cmd), cliEnv);
        fig.startCliMs = await p50((i) => stampLatency(stamps, `mo-cli-${i}`, cli));
      });
      await phase(`${label} API throughput`, errors, ctx, async () => {
        ctx.log(`${label}: ${JOBS} × /bin/true over gRPC, ${MO_CONCURRENCY} in flight`);
        const t0 = process.hrtime.bigint();
        const { errors: failed } = await pool(MO_CONCURRENCY, JOBS, async () => {
          await client.submitWorkload({ spec: { name: 'peers-api', argv: ['/bin/true'] } });
        });
        if (failed.length > 0) throw new Error(`${failed.length} submissions failed: ${String(failed[0])}`);
        await until(`${JOBS} ended`, 120_000, async () => {
          const { total } = await client.listWorkloads({ name: 'peers-api', states: ENDED, limit: 1 });
          return total >= JOBS;
        });
        fig.apiPerS = JOBS / (msSince(t0) / 1000);
        const { total } = await client.listWorkloads({
          name: 'peers-api',
          states: ['WORKLOAD_STATE_FAILED'],
          limit: 1,
        });
        if (total > 0) throw new Error(`${total} of ${JOBS} /bin/true failed`);
      });
      await phase(`${label} memory with ${RUNNING} running`, errors, ctx, async () => {
        ctx.log(`${label}: ${RUNNING} × ${SLEEP.join(' ')}`);
        const t0 = process.hrtime.bigint();
        await pool(MO_CONCURRENCY, RUNNING, async () => {
          await client.submitWorkload({ spec: { name: 'peers-mem', argv: SLEEP } });
        });
        const ours = new Set([agent.pid]);
        await until(`${RUNNING} sleeps under mo-shim`, 120_000, () => {
          const procs = snapshot();
          return withArgv(procs, SLEEP).filter((pid) => descendsFrom(procs, pid, ours)).length >= RUNNING;
        });
        fig.memStartS = msSince(t0) / 1000;
        await sleep(1000);
        const procs = snapshot();
        const shims = [...procs.values()].filter((p) => p.comm === 'mo-shim' && descendsFrom(procs, p.pid, ours));
        fig.memShims = shims.length;
        fig.memSchedulerMiB = pssBytes(scheduler.pid) / MiB;
        fig.memAgentMiB = pssBytes(agent.pid) / MiB;
        fig.memShimsMiB = shims.reduce((a, p) => a + pssBytes(p.pid), 0) / MiB;
        fig.memMiB = fig.memSchedulerMiB + fig.memAgentMiB + fig.memShimsMiB;
      });
    } finally {
      client.close();
    }
  } finally {
    await cluster?.stop(); // stops every workload still running first
    unregister();
    removeLater(stamps);
  }
}

// ---- Slurm --------------------------------------------------------------------------------------

async function slurmRound(ctx: SuiteContext, fig: Figures, errors: string[], n: number): Promise<void> {
  const slurm = await startSlurm(ctx.log);
  const stamps = stampDir();
  const label = `Slurm round ${n}`;
  const sbatch = (...args: string[]) => ['sbatch', '--quiet', '--output', '/dev/null', ...args];
  try {
    await phase(`${label} idle`, errors, ctx, async () => {
      Object.assign(fig, await idle(slurm.pids));
    });
    await phase(`${label} CLI latency`, errors, ctx, async () => {
      fig.cliMs = await p50(() => timed(['srun', '--job-name', 'peers-srun', '/bin/true'], slurm.env));
    });
    await phase(`${label} submit → running`, errors, ctx, async () => {
      const submit = (cmd: string) => timed(sbatch('--job-name', 'peers-stamp', '--wrap', cmd), slurm.env);
      fig.startSbatchMs = await p50((i) => stampLatency(stamps, `slurm-${i}`, submit));
    });
    await phase(`${label} sbatch throughput`, errors, ctx, async () => {
      ctx.log(`${label}: ${JOBS} × sbatch --wrap /bin/true, ${SBATCH_PARALLEL} at a time`);
      const t0 = process.hrtime.bigint();
      const { errors: failed } = await pool(SBATCH_PARALLEL, JOBS, async () => {
        await timed(sbatch('--job-name', 'peers-sbatch', '--wrap', '/bin/true'), slurm.env);
      });
      if (failed.length > 0) throw new Error(`${failed.length} sbatch failed: ${String(failed[0])}`);
      await untilQueueEmpty(slurm, 'peers-sbatch');
      fig.sbatchPerS = JOBS / (msSince(t0) / 1000);
    });
    await phase(`${label} job array throughput`, errors, ctx, async () => {
      const t0 = process.hrtime.bigint();
      await timed(sbatch('--job-name', 'peers-array', `--array=1-${JOBS}`, '--wrap', '/bin/true'), slurm.env);
      await untilQueueEmpty(slurm, 'peers-array');
      fig.arrayPerS = JOBS / (msSince(t0) / 1000);
    });
    await phase(`${label} memory with ${RUNNING} running`, errors, ctx, async () => {
      ctx.log(`${label}: ${RUNNING} × ${SLEEP.join(' ')} (one array)`);
      const t0 = process.hrtime.bigint();
      const wrap = `exec ${SLEEP.join(' ')}`;
      await timed(sbatch('--job-name', 'peers-mem', `--array=1-${RUNNING}`, '--wrap', wrap), slurm.env);
      const steps = () => {
        const procs = snapshot();
        const ours = new Set(slurm.stepds(procs));
        return { procs, ours, sleeps: withArgv(procs, SLEEP).filter((pid) => descendsFrom(procs, pid, ours)) };
      };
      await until(`${RUNNING} sleeps under slurmstepd`, 180_000, () => steps().sleeps.length >= RUNNING);
      fig.memStartS = msSince(t0) / 1000;
      await sleep(1000);
      const { ours } = steps();
      fig.memStepds = ours.size;
      fig.memSlurmctldMiB = pssBytes(slurm.pids.slurmctld) / MiB;
      fig.memSlurmdMiB = pssBytes(slurm.pids.slurmd) / MiB;
      fig.memMungedMiB = pssBytes(slurm.pids.munged) / MiB;
      fig.memStepdsMiB = [...ours].reduce((a, pid) => a + pssBytes(pid), 0) / MiB;
      fig.memMiB = fig.memSlurmctldMiB + fig.memSlurmdMiB + fig.memMungedMiB + fig.memStepdsMiB;
      await execa('scancel', ['--name', 'peers-mem'], { env: slurm.env, reject: false });
    });
  } finally {
    await slurm.stop(); // kills any job left, then the daemons
    removeLater(stamps);
  }
}

async function untilQueueEmpty(slurm: SlurmCluster, name: string): Promise<void> {
  await until(`squeue empty of ${name}`, 300_000, async () => {
    const r = await execa('squeue', ['--noheader', '--name', name, '--format', '%i'], { env: slurm.env });
    return r.stdout.trim() === '';
  });
}

// ---- shared measurements ------------------------------------------------------------------------

/** Fresh daemons after IDLE.settleMs: each one's CPU % of a core over the window, then its RSS. */
async function idle(pids: Record<string, number>): Promise<Figures> {
  await sleep(IDLE.settleMs);
  const names = Object.keys(pids);
  const cpu = await Promise.all(names.map((k) => measureCpuPercent(pids[k]!, IDLE.windowMs)));
  const fig: Figures = {};
  names.forEach((k, i) => {
    fig[`idleCpu.${k}`] = cpu[i]!;
    fig[`idleRss.${k}`] = (readRssBytes(pids[k]!) ?? NaN) / MiB;
  });
  return fig;
}

/** p50 (ms) of LATENCY.samples sequential runs after LATENCY.warmup. */
async function p50(once: (i: number) => Promise<number>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < LATENCY.warmup + LATENCY.samples; i++) {
    const v = await once(i);
    if (i >= LATENCY.warmup) ms.push(v);
  }
  return percentile(
    ms.sort((a, b) => a - b),
    50,
  );
}

/** A directory the jobs write their stamps to (world-writable: mo's workloads run as nobody). */
function stampDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mo-bench-peers-'));
  chmodSync(dir, 0o1777);
  return dir;
}

/**
 * Submits a job that writes the wall clock (ns) to a file as its first act, and returns the ms from
 * just before the submission to that stamp. The submission's own end is awaited too.
 */
async function stampLatency(dir: string, name: string, submit: (cmd: string) => Promise<unknown>): Promise<number> {
  const file = join(dir, name);
  const t0 = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const submitted = submit(`date +%s%N > ${file}.tmp && mv ${file}.tmp ${file}`);
  submitted.catch(() => undefined); // awaited below
  await withTimeout(
    (async () => {
      while (!existsSync(file)) await sleep(1);
    })(),
    30_000,
    `stamp ${name}`,
  );
  await submitted;
  return Number(BigInt(readFileSync(file, 'utf8').trim()) - t0) / 1e6;
}

async function until(what: string, ms: number, probe: () => Promise<boolean> | boolean): Promise<void> {
  await withTimeout(
    (async () => {
      while (!(await probe())) await sleep(50);
    })(),
    ms,
    what,
  );
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// ---- rows ---------------------------------------------------------------------------------------

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));

/** The median over the rounds that have the figure, each round's value in the label. */
function figure(metric: string, rounds: Figures[], f: (r: Figures) => number, unit: string, target?: Target): Row[] {
  const vs = rounds.map(f).filter((v) => Number.isFinite(v));
  if (vs.length === 0) return [];
  return [row(`${metric} [${vs.map(fmt).join(', ')}]`, round(median(vs), 3), unit, target)];
}

/** mo ÷ Slurm per round (round i of each), the median as the value, the min–max in the label. */
function ratio(metric: string, r: Rounds, mo: (f: Figures) => number, slurm: (f: Figures) => number, t?: Target) {
  const vs = r.mo.map((m, i) => mo(m) / slurm(r.slurm[i] ?? {})).filter((v) => Number.isFinite(v));
  if (vs.length === 0) return [];
  const spread = `${fmt(Math.min(...vs))}–${fmt(Math.max(...vs))}`;
  return [row(`${metric} (${vs.length} rounds, ${spread})`, round(median(vs), 3), '×', t)];
}

function rowsOf(r: Rounds, slurmError: string | undefined): Row[] {
  const g = (k: string) => (f: Figures) => f[k] ?? NaN;
  const sum =
    (...ks: string[]) =>
    (f: Figures) =>
      ks.reduce((a, k) => a + (f[k] ?? NaN), 0);
  const rows: Row[] = [
    ...figure(`mo: ${JOBS} × /bin/true over gRPC, submit until all ended`, r.mo, g('apiPerS'), 'jobs/s'),
    ...figure(
      `Slurm: ${JOBS} × sbatch --wrap /bin/true (${SBATCH_PARALLEL} at once) until ended`,
      r.slurm,
      g('sbatchPerS'),
      'jobs/s',
    ),
    ...figure(`Slurm: sbatch --array=1-${JOBS} /bin/true until ended`, r.slurm, g('arrayPerS'), 'jobs/s'),
    ...ratio('API throughput mo ÷ sbatch', r, g('apiPerS'), g('sbatchPerS'), { op: '>=', limit: TARGETS.sbatch }),
    ...ratio('API throughput mo ÷ job array', r, g('apiPerS'), g('arrayPerS')),
    ...figure('mo start --wait=exit -- /bin/true wall p50', r.mo, g('cliMs'), 'ms'),
    ...figure('srun /bin/true wall p50', r.slurm, g('cliMs'), 'ms'),
    ...ratio('mo start --wait=exit ÷ srun (p50)', r, g('cliMs'), g('cliMs'), { op: '<=', limit: TARGETS.srun }),
    ...figure('submit → job stamps its start p50: mo API (gRPC)', r.mo, g('startApiMs'), 'ms'),
    ...figure('  mo start (CLI)', r.mo, g('startCliMs'), 'ms'),
    ...figure('  sbatch', r.slurm, g('startSbatchMs'), 'ms'),
    ...ratio('  mo API ÷ sbatch', r, g('startApiMs'), g('startSbatchMs')),
    ...ratio('  mo start ÷ sbatch', r, g('startCliMs'), g('startSbatchMs')),
    ...figure(`mo: scheduler + agent + mo-shims PSS, ${RUNNING} running`, r.mo, g('memMiB'), 'MiB'),
    ...figure('  mo-shim processes', r.mo, g('memShims'), ''),
    ...figure('  of which mo-shims', r.mo, g('memShimsMiB'), 'MiB'),
    ...figure(`Slurm: slurmctld + slurmd + slurmstepds + munged PSS, ${RUNNING} running`, r.slurm, g('memMiB'), 'MiB'),
    ...figure('  slurmstepd processes', r.slurm, g('memStepds'), ''),
    ...figure('  of which slurmstepds', r.slurm, g('memStepdsMiB'), 'MiB'),
    ...ratio(`memory with ${RUNNING} running mo ÷ Slurm`, r, g('memMiB'), g('memMiB'), {
      op: '<=',
      limit: TARGETS.memory,
    }),
    ...figure(`  ${RUNNING} started and running after: mo`, r.mo, g('memStartS'), 's'),
    ...figure(`  ${RUNNING} started and running after: Slurm`, r.slurm, g('memStartS'), 's'),
    ...figure('idle RSS scheduler + agent', r.mo, sum('idleRss.scheduler', 'idleRss.agent'), 'MiB'),
    ...figure('idle RSS slurmctld + slurmd', r.slurm, sum('idleRss.slurmctld', 'idleRss.slurmd'), 'MiB'),
    ...ratio(
      'idle RSS mo ÷ Slurm',
      r,
      sum('idleRss.scheduler', 'idleRss.agent'),
      sum('idleRss.slurmctld', 'idleRss.slurmd'),
      {
        op: '<=',
        limit: TARGETS.idleRss,
      },
    ),
    ...['scheduler', 'agent'].flatMap((d) =>
      figure(`idle CPU mo ${d}`, r.mo, g(`idleCpu.${d}`), '% of a core', { op: '<=', limit: TARGETS.idleCpuPercent }),
    ),
    ...['slurmctld', 'slurmd', 'munged'].flatMap((d) =>
      figure(`idle CPU ${d}`, r.slurm, g(`idleCpu.${d}`), '% of a core'),
    ),
  ];
  if (slurmError)
    rows.unshift(row(`Slurm unavailable, nothing compared: ${slurmError}`, 1, '', { op: '<=', limit: 0 }));
  for (const e of r.errors) rows.push(row(`error: ${e}`, 1, '', { op: '<=', limit: 0 }));
  return rows;
}
