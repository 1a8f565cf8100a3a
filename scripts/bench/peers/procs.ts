// What a system under test is made of right now: a one-pass /proc snapshot (pid, parent, name),
// who descends from whom, and proportional memory (PSS), so that mo and Slurm are weighed by
// the processes that exist, not by the states they report (Slurm says RUNNING before its
// slurmstepd exists).
import { readdirSync, readFileSync } from 'node:fs';
import { readCmdline } from '../lib.js';

export interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

/** Every process now, by pid (those that exit while being read are left out). */
export function snapshot(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    procs.set(Number(name), { pid: Number(name), ppid, comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return procs;
}

/** True when `ancestor` is among the parents of `pid` in the snapshot. */
export function descendsFrom(procs: Map<number, Proc>, pid: number, ancestors: ReadonlySet<number>): boolean {
  for (let p = procs.get(pid)?.ppid, depth = 0; p !== undefined && p > 1 && depth < 64; depth++) {
    if (ancestors.has(p)) return true;
    p = procs.get(p)?.ppid;
  }
  return false;
}

/** Pids in the snapshot whose argv is exactly `argv`. */
export function withArgv(procs: Map<number, Proc>, argv: readonly string[]): number[] {
  const name = argv[0]!.split('/').pop()!.slice(0, 15); // comm is the first 15 bytes of the file name
  return [...procs.values()]
    .filter((p) => p.comm === name && readCmdline(p.pid)?.join('\0') === argv.join('\0'))
    .map((p) => p.pid);
}

/** True when the process's environment holds `entry` ("NAME=value"). */
export function hasEnv(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
  } catch {
    return false;
  }
}

/**
 * Proportional set size in bytes (each shared page split among the processes sharing it), from
 * smaps_rollup; 0 for a process that is gone. (agent.ts reads it the same way for mo-shim.)
 */
export function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds the whole machine has spent busy (all cores: user, nice, system, irq, softirq, steal
 * from /proc/stat), in USER_HZ ticks of 1/100 s as on every Linux we run on.
 */
export function machineCpuSeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * CPU seconds of a process and of every descendant it has reaped (utime, stime, cutime, cstime of
 * /proc/PID/stat, USER_HZ 1/100 s): for mo's launcher, its shims and their jobs; for `self`, this
 * process and the submitters it ran (sbatch). NaN for a process that is gone.
 */
export function treeCpuSeconds(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name's ')': f[11..14] are utime, stime, cutime, cstime.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}
