// The peers suite's private Slurm: installs Debian's slurm-wlm and munge when missing, then runs
// munged (its own key and socket), slurmctld and slurmd with slurm.conf beside this file, filled in
// with free ports and a temp dir of their own; no systemd, nothing of the host's touched. Root only.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from '@mo/testkit';
import { registerCleanup, removeLater, sleep } from '../lib.js';
import { descendsFrom, hasEnv, snapshot, type Proc } from './procs.js';

/** The programs the suite runs; any missing means the packages are installed. */
const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'srun', 'squeue', 'scancel', 'sinfo'];
const PACKAGES = ['slurm-wlm', 'munge'];
const TEMPLATE = new URL('./slurm.conf', import.meta.url);

/** Thrown when Slurm cannot be installed or started: the suite reports the reason, no figures. */
export class SlurmUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SlurmUnavailableError';
  }
}

/** A running private Slurm: what its commands need in their environment, and its daemons' pids. */
export interface SlurmCluster {
  /** SLURM_CONF and PATH: pass to sbatch, srun, squeue, scancel. */
  readonly env: Record<string, string>;
  readonly dir: string;
  readonly pids: { munged: number; slurmctld: number; slurmd: number };
  /** This cluster's slurmstepd processes in a /proc snapshot (one per running job step). */
  stepds(procs: Map<number, Proc>): number[];
  /**
   * SIGKILLs what jobs are left (their slurmstepd and everything under them), then ends slurmd,
   * slurmctld and munged (SIGTERM, SIGKILL after 5 s). Idempotent.
   */
  stop(): Promise<void>;
}

function onPath(program: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin']);
  return dirs.some((d) => d && existsSync(join(d, program)));
}

/** `apt-get install -y slurm-wlm munge` when a program is missing (after `apt-get update` if needed). */
export async function ensureSlurmInstalled(log: (msg: string) => void): Promise<void> {
  const missing = PROGRAMS.filter((p) => !onPath(p));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new SlurmUnavailableError(`${missing.join(', ')} missing and not root`);
  log(`installing ${PACKAGES.join(' ')} (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], { env, reject: false });
  let r = await install();
  if (r.exitCode !== 0) {
    await execa('apt-get', ['update', '-qq'], { env, reject: false });
    r = await install();
  }
  const still = PROGRAMS.filter((p) => !onPath(p));
  if (r.exitCode !== 0 || still.length > 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new SlurmUnavailableError(`apt-get install ${PACKAGES.join(' ')} failed (exit ${r.exitCode}): ${why}`);
  }
}

/** A daemon in the foreground (-D / -F), its output to a log file, killable by our pid. */
function daemon(program: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(program, args, { env, stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined); // surfaces as the readiness check failing
    return child;
  } finally {
    closeSync(fd);
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function until(what: string, probe: () => Promise<boolean> | boolean, ms: number, dead: () => string) {
  const deadline = Date.now() + ms;
  for (;;) {
    const gone = dead();
    if (gone) throw new SlurmUnavailableError(`${what}: ${gone}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new SlurmUnavailableError(`${what}: not ready after ${ms} ms`);
    await sleep(50);
  }
}

/** The last lines of a daemon's output and log files (a bad slurm.conf is reported on stderr). */
function tail(...files: string[]): string {
  const lines = files.flatMap((f) => {
    try {
      return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).slice(-3);
    } catch {
      return [];
    }
  });
  return lines.join(' / ') || '(nothing logged)';
}

/**
 * Starts munged, slurmctld and slurmd privately and waits until the node is idle in sinfo. On
 * failure everything started is stopped and a SlurmUnavailableError names the daemon and its log.
 */
export async function startSlurm(log: (msg: string) => void): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mo-bench-slurm-'));
  // munged wants its socket's directories searchable by all (clients of any user connect to it).
  chmodSync(dir, 0o755);
  for (const sub of ['state', 'spool', 'munge']) mkdirSync(join(dir, sub), { mode: 0o755 });
  const children: ChildProcess[] = [];
  const conf = join(dir, 'slurm.conf');
  // slurmd hands its environment on to the slurmstepd it starts: ours carry our SLURM_CONF.
  const stepds = (procs: Map<number, Proc>) =>
    [...procs.values()].filter((p) => p.comm === 'slurmstepd' && hasEnv(p.pid, `SLURM_CONF=${conf}`)).map((p) => p.pid);
  const killJobs = () => {
    const procs = snapshot();
    const steps = new Set(stepds(procs));
    for (const pid of procs.keys()) if (descendsFrom(procs, pid, steps)) tryKill(pid);
    for (const pid of steps) tryKill(pid);
  };
  const killAll = (signal: NodeJS.Signals) => {
    // slurmd first (it owns the jobs' slurmstepd), munged last (the others authenticate through it).
    for (const c of [...children].reverse()) if (alive(c)) c.kill(signal);
  };
  const unregister = registerCleanup(() => {
    killJobs();
    killAll('SIGKILL');
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killJobs();
    killAll('SIGTERM');
    const deadline = Date.now() + 5000;
    while (children.some(alive) && Date.now() < deadline) await sleep(50);
    killAll('SIGKILL');
    while (children.some(alive)) await sleep(20);
    unregister();
    removeLater(dir);
  };
  try {
    // munge: a key of our own (mungekey's default size), a socket of our own (clients are told
    // it by AuthInfo in slurm.conf).
    const munge = join(dir, 'munge');
    const key = join(munge, 'munge.key');
    const socket = join(munge, 'munge.socket');
    await execa('mungekey', ['--create', '--keyfile', key]);
    const env = { ...process.env, SLURM_CONF: conf };
    const munged = daemon(
      'munged',
      ['--foreground', '--socket', socket, '--key-file', key, '--log-file', join(munge, 'munged.log')].concat([
        '--pid-file',
        join(munge, 'munged.pid'),
        '--seed-file',
        join(munge, 'munged.seed'),
      ]),
      env,
      join(dir, 'munged.out'),
    );
    children.push(munged);
    const exited = (name: string, c: ChildProcess, log: string) => () =>
      alive(c) ? '' : `${name} exited (${c.exitCode ?? c.signalCode}): ${tail(join(dir, `${name}.out`), log)}`;
    await until('munged', () => existsSync(socket), 10_000, exited('munged', munged, join(munge, 'munged.log')));

    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const host = hostname().split('.')[0]!;
    const fields: Record<string, string> = {
      HOST: host,
      CTLD_PORT: String(ctldPort),
      SLURMD_PORT: String(slurmdPort),
      MUNGE_SOCKET: socket,
      DIR: dir,
    };
    const text = readFileSync(TEMPLATE, 'utf8').replace(/@([A-Z_]+)@/g, (_, k: string) => fields[k] ?? `@${k}@`);
    writeFileSync(conf, text);

    const ctld = daemon('slurmctld', ['-D', '-i'], env, join(dir, 'slurmctld.out'));
    children.push(ctld);
    const slurmd = daemon('slurmd', ['-D', '-N', 'peers1'], env, join(dir, 'slurmd.out'));
    children.push(slurmd);
    const dead = () =>
      exited('slurmctld', ctld, join(dir, 'slurmctld.log'))() || exited('slurmd', slurmd, join(dir, 'slurmd.log'))();
    const nodeState = async () =>
      (await execa('sinfo', ['-h', '-n', 'peers1', '-o', '%T'], { env, reject: false })).stdout.trim();
    await until('slurmctld + slurmd (node idle in sinfo)', async () => (await nodeState()) === 'idle', 30_000, dead);
    log(`slurm up in ${dir}: slurmctld :${ctldPort}, slurmd :${slurmdPort}, munge ${socket}`);
    return {
      env: { SLURM_CONF: conf, PATH: process.env.PATH ?? '/usr/bin:/bin' },
      dir,
      pids: { munged: munged.pid!, slurmctld: ctld.pid!, slurmd: slurmd.pid! },
      stepds,
      stop,
    };
  } catch (err) {
    await stop();
    throw err instanceof SlurmUnavailableError ? err : new SlurmUnavailableError(String(err), { cause: err });
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
