// The peers suite (issue 19): mo beside Slurm on this machine, the same tiny job on both, in
// alternating rounds (mo, Slurm, mo, Slurm, …), each on freshly started daemons: idle RSS and CPU,
// CLI one-job latency (`mo start --wait=exit` vs `srun`), submit → process running (the job
// stamps its own start), API throughput (500 × /bin/true over mo's gRPC API vs 500 sbatch and one
// job array, with the CPU per job) and the memory of daemons + per-job supervisors with 500
// running. Rows give the median of the rounds with each round's figure, and mo/Slurm ratios per
// round with their spread.
// Slurm (Debian's slurm-wlm + munge, installed when missing) runs privately with
// peers/slurm.conf (peers/slurm.ts); when it cannot, the rows say why and only mo is measured.
import { SchedulerClient, type WorkloadState } from '@mo/api';
import {
  CLI_FRONT,
  cliHelperRuntime,
  cpuSecondsOf,
  measureCpuPercent,
  startCluster,
  testCliEnv,
  testClientOptions,
  type Cluster,
} from '@mo/testkit';
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
  sleep,
  withTimeout,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';
import { descendsFrom, machineCpuSeconds, pssBytes, snapshot, treeCpuSeconds, withArgv } from './peers/procs.js';
import { peerRows, type Figures, type Rounds } from './peers/rows.js';
import { ensureSlurmInstalled, startSlurm, type SlurmCluster } from './peers/slurm.js';

// MO_BENCH_PEERS_ROUNDS, _JOBS and _RUNNING change the sizes (smaller: to check the suite itself).
const ROUNDS = Number(process.env.MO_BENCH_PEERS_ROUNDS ?? 3);
// Issue 19 ran 2,000; on this 2-core VM Slurm ends 15-20 batch jobs/s (~100 ms of CPU each, most of
// it slurmd and slurmstepd forking), so 2,000 sbatch + a 2,000 array took ~4 min per round. 500 on
// both sides keeps three rounds within ~8 min; MO_BENCH_PEERS_JOBS=2000 for the count.
const JOBS = Number(process.env.MO_BENCH_PEERS_JOBS ?? 500);
/** Submissions in flight at once: over mo's API (one client), and sbatch processes at once. */
const MO_CONCURRENCY = 64;
const SBATCH_PARALLEL = 8;
const LATENCY = { warmup: 2, samples: 20 };
const RUNNING = Number(process.env.MO_BENCH_PEERS_RUNNING ?? 500);
const SLEEP = ['sleep', '300'];
/**
 * Idle: the daemons settle this long after start, then their CPU is read over the window. 20 s:
 * a Node daemon spends its first ~15 s in V8's post-start work (compiling, the memory reducer's
 * GCs: 0.4-7 % of a core), which is start-up, not idle; Slurm's daemons get the same wait.
 */
const IDLE = { settleMs: 20_000, windowMs: 10_000 };
/** Jobs submitted one at a time at this rate (issue 19: CPU per job at 10 jobs/s ≤ 2× a burst's). */
const TRICKLE = { jobs: 100, perSecond: 10 };
const ENDED: WorkloadState[] = ['WORKLOAD_STATE_SUCCEEDED', 'WORKLOAD_STATE_FAILED'];

export const peersSuite: Suite = {
  name: 'peers',
  description: 'mo beside Slurm (private slurmctld + slurmd): throughput, CLI latency, start, memory, idle',
  run,
};

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
  if (!slurmError && rounds.slurm.every((f) => Object.keys(f).length === 0)) {
    // Slurm never came up: its reasons once (each round's are usually the same), not per round.
    const slurmErrors = rounds.errors.filter((e) => e.startsWith('Slurm round'));
    slurmError = [...new Set(slurmErrors.map((e) => e.replace(/^Slurm round \d+: /, '')))].join('; ');
    rounds.errors = rounds.errors.filter((e) => !slurmErrors.includes(e));
  }
  const { rows, ratios } = peerRows(rounds, slurmError, {
    jobs: JOBS,
    running: RUNNING,
    sbatchParallel: SBATCH_PARALLEL,
  });
  return { rows, raw: { ratios, rounds, slurmError, jobs: JOBS, running: RUNNING, latency: LATENCY } };
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
  // `mo` as installed: the front, whose CLI helper serves a script's calls after its first.
  const runtime = cliHelperRuntime();
  const unregister = registerCleanup(() => {
    runtime.stop();
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
    const cliEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...testCliEnv(), ...runtime.env };
    const mo = (...args: string[]) => [CLI_FRONT, '--scheduler', address, ...args];
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
        const cpu = cpuFrom([scheduler.pid, agent.pid], JOBS, launcherOf(agent.pid));
        const { errors: failed } = await pool(MO_CONCURRENCY, JOBS, async () => {
          await client.submitWorkload({ spec: { name: 'peers-api', argv: ['/bin/true'] } });
        });
        if (failed.length > 0) throw new Error(`${failed.length} submissions failed: ${String(failed[0])}`);
        fig.apiAckPerS = JOBS / (msSince(t0) / 1000);
        await until(`${JOBS} ended`, 120_000, async () => {
          const { total } = await client.listWorkloads({ name: 'peers-api', states: ENDED, limit: 1 });
          return total >= JOBS;
        });
        fig.apiPerS = JOBS / (msSince(t0) / 1000);
        const used = cpu();
        [fig.apiCpuMs, fig.apiDaemonsCpuMs] = [used.machine, used.daemons];
        [fig.apiShimsCpuMs, fig.apiSubmitterCpuMs] = [used.trees, used.submitter];
        const { total } = await client.listWorkloads({
          name: 'peers-api',
          states: ['WORKLOAD_STATE_FAILED'],
          limit: 1,
        });
        if (total > 0) throw new Error(`${total} of ${JOBS} /bin/true failed`);
      });
      await phase(`${label} trickle`, errors, ctx, async () => {
        // The same job arriving one at a time: what a job costs the daemons when nothing is shared
        // with the next (no group commit, no coalesced heartbeat), against the burst above.
        ctx.log(`${label}: ${TRICKLE.jobs} × /bin/true at ${TRICKLE.perSecond}/s`);
        const cpu = cpuFrom([scheduler.pid, agent.pid], TRICKLE.jobs);
        const t0 = performance.now();
        const sent: Promise<unknown>[] = [];
        for (let i = 0; i < TRICKLE.jobs; i++) {
          await sleep(Math.max(0, t0 + (i * 1000) / TRICKLE.perSecond - performance.now()));
          sent.push(client.submitWorkload({ spec: { name: 'peers-trickle', argv: ['/bin/true'] } }));
        }
        await Promise.all(sent);
        await until(`${TRICKLE.jobs} trickled ended`, 60_000, async () => {
          const { total } = await client.listWorkloads({ name: 'peers-trickle', states: ENDED, limit: 1 });
          return total >= TRICKLE.jobs;
        });
        fig.trickleDaemonsCpuMs = cpu().daemons;
      });
      await phase(`${label} memory with ${RUNNING} running`, errors, ctx, async () => {
        ctx.log(`${label}: ${RUNNING} × ${SLEEP.join(' ')}`);
        const t0 = process.hrtime.bigint();
        const submitted = await pool(MO_CONCURRENCY, RUNNING, async () => {
          await client.submitWorkload({ spec: { name: 'peers-mem', argv: SLEEP } });
        });
        if (submitted.errors.length > 0) throw new Error(`submit: ${String(submitted.errors[0])}`);
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
    for (const pid of runtime.helpers())
      ctx.log(
        `mo round ${n}: the CLI helper's PSS ${round(pssBytes(pid) / MiB, 1)} MiB (a client process, not counted above)`,
      );
    runtime.stop();
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
      const cpu = cpuFrom([slurm.pids.slurmctld, slurm.pids.slurmd]);
      const { errors: failed } = await pool(SBATCH_PARALLEL, JOBS, async () => {
        await timed(sbatch('--job-name', 'peers-sbatch', '--wrap', '/bin/true'), slurm.env);
      });
      if (failed.length > 0) throw new Error(`${failed.length} sbatch failed: ${String(failed[0])}`);
      fig.sbatchAckPerS = JOBS / (msSince(t0) / 1000);
      await untilQueueEmpty(slurm, 'peers-sbatch');
      fig.sbatchPerS = JOBS / (msSince(t0) / 1000);
      const used = cpu();
      [fig.sbatchCpuMs, fig.sbatchDaemonsCpuMs, fig.sbatchSubmitterCpuMs] = [
        used.machine,
        used.daemons,
        used.submitter,
      ];
    });
    await phase(`${label} job array throughput`, errors, ctx, async () => {
      const t0 = process.hrtime.bigint();
      const cpu = cpuFrom([slurm.pids.slurmctld, slurm.pids.slurmd]);
      await timed(sbatch('--job-name', 'peers-array', `--array=1-${JOBS}`, '--wrap', '/bin/true'), slurm.env);
      await untilQueueEmpty(slurm, 'peers-array');
      fig.arrayPerS = JOBS / (msSince(t0) / 1000);
      const used = cpu();
      [fig.arrayCpuMs, fig.arrayDaemonsCpuMs] = [used.machine, used.daemons];
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
    const r = await execa('squeue', ['--noheader', '--name', name, '--format', '%i %r'], { env: slurm.env });
    // A launch slurmd did not confirm in time leaves the job held: it would never end.
    const held = r.stdout.split('\n').filter((l) => /held/i.test(l));
    if (held.length > 0) throw new Error(`${held.length} jobs held, e.g. ${held[0]}`);
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

/** CPU per job (ms) over a phase: see cpuFrom. */
interface JobCpu {
  /** The whole machine's: every core, the submitting side included. */
  machine: number;
  /** The daemons' own (scheduler + agent, or slurmctld + slurmd). */
  daemons: number;
  /** The trees' (mo's launcher: its shims and their jobs), each with the descendants it reaped. */
  trees: number;
  /** This process and the submitters it ran and reaped (sbatch processes). */
  submitter: number;
}

/** CPU per job (ms) from now until the returned function is called. */
function cpuFrom(daemons: number[], jobs = JOBS, trees: number[] = []): () => JobCpu {
  const sum = (pids: number[], of: (pid: number) => number) => pids.reduce((a, pid) => a + of(pid), 0);
  const read = () => ({
    machine: machineCpuSeconds(),
    daemons: sum(daemons, (pid) => cpuSecondsOf(pid) ?? NaN),
    trees: sum(trees, treeCpuSeconds),
    submitter: treeCpuSeconds('self'),
  });
  const t0 = read();
  return () => {
    const t1 = read();
    const per = (k: keyof JobCpu) => ((t1[k] - t0[k]) * 1000) / jobs;
    return { machine: per('machine'), daemons: per('daemons'), trees: per('trees'), submitter: per('submitter') };
  };
}

/** mo's launcher: the agent's mo-shim child that forks every workload's shim (and reaps it). */
function launcherOf(agentPid: number): number[] {
  return [...snapshot().values()].filter((p) => p.ppid === agentPid && p.comm === 'mo-shim').map((p) => p.pid);
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
