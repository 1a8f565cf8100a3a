// The peers suite's rows (peers.ts measures): each figure as the median of the rounds with every
// round's value, and mo ÷ Slurm per round (round i of each) as the median with its min–max, against
// issue 19's targets.
import { percentile, round, row, type Row, type Target } from '../lib.js';

/** One round's figures of one system, by name (MiB, %, ms, jobs/s); a failed phase leaves its out. */
export type Figures = Record<string, number>;

export interface Rounds {
  mo: Figures[];
  slurm: Figures[];
  errors: string[];
}

export const TARGETS = { sbatch: 10, srun: 2, memory: 0.25, idleRss: 4, idleCpuPercent: 0.1, trickle: 2 };

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

/**
 * mo ÷ Slurm per round (round i of each), the median as the value, the min–max in the label; each
 * round's ratio is kept in `into` under the metric's name.
 */
function ratio(
  into: Record<string, number[]>,
  metric: string,
  r: Rounds,
  mo: (f: Figures) => number,
  slurm: (f: Figures) => number,
  t?: Target,
): Row[] {
  const vs = r.mo.map((m, i) => mo(m) / slurm(r.slurm[i] ?? {})).filter((v) => Number.isFinite(v));
  if (vs.length === 0) return [];
  into[metric.trim()] = vs;
  const spread = `${fmt(Math.min(...vs))}–${fmt(Math.max(...vs))}`;
  return [row(`${metric} (${vs.length} rounds, ${spread})`, round(median(vs), 3), '×', t)];
}

/** mo's daemons' CPU per job trickled ÷ in the burst, per round (mo against itself). */
function trickleRatio(into: Record<string, number[]>, mo: Figures[]): Row[] {
  const metric = '  trickled ÷ burst, daemons CPU per job';
  const vs = mo.map((f) => (f.trickleDaemonsCpuMs ?? NaN) / (f.apiDaemonsCpuMs ?? NaN)).filter(Number.isFinite);
  if (vs.length === 0) return [];
  into[metric.trim()] = vs;
  const spread = `${fmt(Math.min(...vs))}–${fmt(Math.max(...vs))}`;
  return [
    row(`${metric} (${vs.length} rounds, ${spread})`, round(median(vs), 3), '×', {
      op: '<=',
      limit: TARGETS.trickle,
    }),
  ];
}

/** Every row, and the per-round ratios for the JSON. */
export function peerRows(
  r: Rounds,
  slurmError: string | undefined,
  {
    jobs: JOBS,
    running: RUNNING,
    sbatchParallel: SBATCH_PARALLEL,
  }: { jobs: number; running: number; sbatchParallel: number },
): { rows: Row[]; ratios: Record<string, number[]> } {
  const ratios: Record<string, number[]> = {};
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
    ...figure('  submitted alone (acknowledged): mo', r.mo, g('apiAckPerS'), 'jobs/s'),
    ...figure('  submitted alone (sbatch returned): Slurm', r.slurm, g('sbatchAckPerS'), 'jobs/s'),
    ...ratio(ratios, 'API throughput mo ÷ sbatch', r, g('apiPerS'), g('sbatchPerS'), {
      op: '>=',
      limit: TARGETS.sbatch,
    }),
    ...ratio(ratios, 'API throughput mo ÷ job array', r, g('apiPerS'), g('arrayPerS')),
    ...figure('CPU per job, whole machine (submitter included): mo', r.mo, g('apiCpuMs'), 'ms'),
    ...figure('  sbatch', r.slurm, g('sbatchCpuMs'), 'ms'),
    ...figure('  job array', r.slurm, g('arrayCpuMs'), 'ms'),
    ...figure('  of which daemons: scheduler + agent', r.mo, g('apiDaemonsCpuMs'), 'ms'),
    ...figure("  of which mo-shims and their jobs (the launcher's tree)", r.mo, g('apiShimsCpuMs'), 'ms'),
    ...figure('  of which the submitter (gRPC client)', r.mo, g('apiSubmitterCpuMs'), 'ms'),
    ...figure('  daemons at 10 jobs/s, one at a time: scheduler + agent', r.mo, g('trickleDaemonsCpuMs'), 'ms'),
    ...trickleRatio(ratios, r.mo),
    ...figure('  of which daemons: slurmctld + slurmd (sbatch)', r.slurm, g('sbatchDaemonsCpuMs'), 'ms'),
    ...figure(
      '  of which the submitter (this process and its sbatch children)',
      r.slurm,
      g('sbatchSubmitterCpuMs'),
      'ms',
    ),
    ...figure('  of which daemons: slurmctld + slurmd (job array)', r.slurm, g('arrayDaemonsCpuMs'), 'ms'),
    ...figure('mo start --wait=exit -- /bin/true wall p50', r.mo, g('cliMs'), 'ms'),
    ...figure('srun /bin/true wall p50', r.slurm, g('cliMs'), 'ms'),
    ...ratio(ratios, 'mo start --wait=exit ÷ srun (p50)', r, g('cliMs'), g('cliMs'), { op: '<=', limit: TARGETS.srun }),
    ...figure('submit → job stamps its start p50: mo API (gRPC)', r.mo, g('startApiMs'), 'ms'),
    ...figure('  mo start (CLI)', r.mo, g('startCliMs'), 'ms'),
    ...figure('  sbatch', r.slurm, g('startSbatchMs'), 'ms'),
    ...ratio(ratios, '  mo API ÷ sbatch', r, g('startApiMs'), g('startSbatchMs')),
    ...ratio(ratios, '  mo start ÷ sbatch', r, g('startCliMs'), g('startSbatchMs')),
    ...figure(`mo: scheduler + agent + mo-shims PSS, ${RUNNING} running`, r.mo, g('memMiB'), 'MiB'),
    ...figure('  mo-shim processes', r.mo, g('memShims'), ''),
    ...figure('  of which mo-shims', r.mo, g('memShimsMiB'), 'MiB'),
    ...figure(`Slurm: slurmctld + slurmd + slurmstepds + munged PSS, ${RUNNING} running`, r.slurm, g('memMiB'), 'MiB'),
    ...figure('  slurmstepd processes', r.slurm, g('memStepds'), ''),
    ...figure('  of which slurmstepds', r.slurm, g('memStepdsMiB'), 'MiB'),
    ...ratio(ratios, `memory with ${RUNNING} running mo ÷ Slurm`, r, g('memMiB'), g('memMiB'), {
      op: '<=',
      limit: TARGETS.memory,
    }),
    ...figure(`  ${RUNNING} started and running after: mo`, r.mo, g('memStartS'), 's'),
    ...figure(`  ${RUNNING} started and running after: Slurm`, r.slurm, g('memStartS'), 's'),
    ...figure('idle RSS scheduler + agent', r.mo, sum('idleRss.scheduler', 'idleRss.agent'), 'MiB'),
    ...figure('idle RSS slurmctld + slurmd', r.slurm, sum('idleRss.slurmctld', 'idleRss.slurmd'), 'MiB'),
    ...ratio(
      ratios,
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
  return { rows, ratios };
}
