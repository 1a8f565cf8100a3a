// Every /proc file the agent reads, in one place: node CPU, memory and load for heartbeats and
// /metrics, the boot id, a process's identity (pid + start time) for re-attaching workloads, its
// resident memory, and the mount table cgroup detection starts from. Each parser takes the file's
// text so tests can feed fixtures; by default it reads the real file synchronously (they are tiny,
// kernel-generated, and never block on disk).
import { readFileSync, readdirSync } from 'node:fs';

/** Cumulative CPU time of the whole node, in clock ticks since boot. */
export interface CpuTimes {
  /** idle + iowait */
  idle: number;
  /** user + nice + system + idle + iowait + irq + softirq + steal */
  total: number;
}

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
}

/** The fields of /proc/<pid>/stat the agent uses (see proc(5)). */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Field 22: start time in clock ticks since boot. With the boot id it identifies a process for good. */
  startTime: number;
}

/** Parses the aggregate `cpu` line of /proc/stat. */
export function readCpuTimes(text: string = readFileSync('/proc/stat', 'utf8')): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat: no aggregate "cpu" line');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice]. guest and guest_nice are
  // already counted in user and nice, so adding them would count that time twice.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) throw new Error(`/proc/stat: malformed cpu line "${line}"`);
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Node CPU utilisation (0..1) over the interval between two calls. */
export class CpuSampler {
  private previous: CpuTimes = { idle: 0, total: 0 };

  constructor(private readonly read: () => CpuTimes = () => readCpuTimes()) {}

  /** Utilisation since the previous call; the first call reports the average since boot. */
  sample(): number {
    const now = this.read();
    const total = now.total - this.previous.total;
    const idle = now.idle - this.previous.idle;
    this.previous = now;
    if (total <= 0) return 0;
    return Math.min(1, Math.max(0, 1 - idle / total));
  }
}

/** MemTotal and MemAvailable from /proc/meminfo, in bytes. */
export function readMemInfo(text: string = readFileSync('/proc/meminfo', 'utf8')): MemInfo {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    if (m?.[1] === undefined) throw new Error(`/proc/meminfo: no ${key}`);
    return Number(m[1]) * 1024;
  };
  return { totalBytes: kb('MemTotal'), availableBytes: kb('MemAvailable') };
}

/** The 1, 5 and 15 minute load averages from /proc/loadavg. */
export function readLoadAvg(text: string = readFileSync('/proc/loadavg', 'utf8')): LoadAvg {
  const [load1, load5, load15] = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (
    load1 === undefined ||
    load5 === undefined ||
    load15 === undefined ||
    ![load1, load5, load15].every(Number.isFinite)
  ) {
    throw new Error(`/proc/loadavg: malformed "${text.trim()}"`);
  }
  return { load1, load5, load15 };
}

/** This boot's random id: a start time from /proc/<pid>/stat is only meaningful within one boot. */
export function readBootId(text: string = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')): string {
  return text.trim();
}

/**
 * Parses /proc/<pid>/stat; undefined when the process does not exist (or vanished while reading).
 * With `text`, parses that instead of reading the file.
 */
export function readProcStat(pid: number, text?: string): ProcStat | undefined {
  text ??= readPidFile(pid, 'stat');
  if (text === undefined) return undefined;
  // comm is wrapped in parentheses and may itself contain spaces and ')', so the fields start after
  // the LAST ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`/proc/${pid}/stat: malformed "${text.slice(0, 80)}"`);
  const comm = text.slice(open + 1, close);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (rest[n - 3] === undefined || !Number.isFinite(v)) throw new Error(`/proc/${pid}/stat: bad field ${n}`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm,
    state: rest[0] ?? '',
    ppid: field(4),
    pgid: field(5),
    sid: field(6),
    startTime: field(22),
  };
}

/** Every process now, by pid (a snapshot: processes come and go while it is read; those are left out). */
export function readProcTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      const stat = readProcStat(pid);
      if (stat) table.set(pid, stat);
    } catch {
      // vanished or unreadable mid-read
    }
  }
  return table;
}

/**
 * A process's resident memory (VmRSS of /proc/<pid>/status) in bytes, as `ps` counts it (shared
 * pages included); 0 without a VmRSS line (a kernel thread or a zombie); undefined when there is no
 * such process. With `text`, parses that instead of reading the file.
 */
export function readVmRss(pid: number, text?: string): number | undefined {
  text ??= readPidFile(pid, 'status');
  if (text === undefined) return undefined;
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
}

/** This process's mount table (/proc/self/mountinfo), which cgroups/plan.ts parses. */
export function readMountinfo(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}

/** /proc/<pid>/<name>; undefined when there is no such process (or it vanished while reading). */
function readPidFile(pid: number, name: string): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw err;
  }
}
