// Where a process workload's processes are: its cgroup, or, on a host without a writable cgroup,
// its shim's session and descendants as /proc shows them. Liveness, signals, the final kill and
// usage all go through here, so a stop reaches everything the workload started, even after the
// workload killed its shim (then nothing else would: its orphans belong to init).
import type pidusageModule from 'pidusage';
import { CpuRate, type WorkloadCgroups } from '../../cgroups/index.js';
import { readProcTable, readVmRss, type ProcStat } from '../../host/proc.js';
import type { TaskUsage } from '../driver.js';
import { isSameLiveProcess, type ProcessIdentity } from './identity.js';

/** What identifies one workload's tree. */
export interface TreeRef {
  leader: ProcessIdentity;
  shim: ProcessIdentity;
  /** Its cgroup, relative to the mounts, when it has one. */
  cgroup?: string;
  startedAtMs: number;
}

type ProcTable = Map<number, ProcStat>;

/** A workload's last CPU reading is kept this long after it was taken (then it has ended). */
const CPU_RATE_KEEP_MS = 5 * 60_000;

export class WorkloadTrees {
  private readonly cpu = new CpuRate();
  /** Loaded on first use, so an agent that never measures a tree by pids does not hold it. */
  private pidusage: Promise<typeof pidusageModule> | undefined;

  /** cgroups: undefined on a host without a writable cgroup (every tree is found from /proc). */
  constructor(readonly cgroups: WorkloadCgroups | undefined) {}

  private cgroupOf(ref: TreeRef): string | undefined {
    return this.cgroups && ref.cgroup ? ref.cgroup : undefined;
  }

  /** True while any process of the workload is alive (its shim does not count). */
  alive(ref: TreeRef): boolean {
    if (isSameLiveProcess(ref.leader)) return true;
    const cg = this.cgroupOf(ref);
    if (cg) return this.cgroups!.populated(cg) && this.cgroups!.pids(cg).some((p) => p !== ref.shim.pid);
    return sessionMembers(ref, readProcTable()).length > 0;
  }

  /**
   * Signals the workload: its leader's process group while the leader lives (as a terminal's ^C
   * would), else every process left of it.
   */
  signal(ref: TreeRef, signal: NodeJS.Signals): void {
    if (isSameLiveProcess(ref.leader) && signalPid(-ref.leader.pid, signal)) return;
    const cg = this.cgroupOf(ref);
    if (cg) this.cgroups!.signal(cg, signal, ref.shim.pid);
    else for (const pid of sessionMembers(ref, readProcTable())) signalPid(pid, signal);
  }

  /** SIGKILLs everything of the workload; never its shim, which records the exit. */
  kill(ref: TreeRef): void {
    if (isSameLiveProcess(ref.leader)) signalPid(-ref.leader.pid, 'SIGKILL');
    const cg = this.cgroupOf(ref);
    if (cg) this.cgroups!.kill(cg, isSameLiveProcess(ref.shim) ? ref.shim.pid : 0);
    else for (const pid of sessionMembers(ref, readProcTable())) signalPid(pid, 'SIGKILL');
  }

  /** Removes the workload's cgroup, once empty (its shim normally does; not if it was killed). */
  release(ref: TreeRef): void {
    const cg = this.cgroupOf(ref);
    if (cg) this.cgroups!.remove(cg);
  }

  /** CPU (percent of one core), resident memory and process count of each workload's whole tree. */
  async usage(refs: Map<string, TreeRef>): Promise<Map<string, TaskUsage>> {
    const now = Date.now();
    const out = new Map<string, TaskUsage>();
    /** Trees measured by pidusage: no cgroup, or no hierarchy that counts CPU time. */
    const byPids = new Map<string, number[]>();
    let table: ProcTable | undefined;
    for (const [id, ref] of refs) {
      const cg = this.cgroupOf(ref);
      if (!cg) {
        const pids = sessionMembers(ref, (table ??= readProcTable()));
        if (pids.length > 0) byPids.set(id, pids);
        continue;
      }
      const s = this.cgroups!.sample(cg);
      const pids = s.pids.filter((p) => p !== ref.shim.pid);
      if (pids.length === 0) continue;
      if (s.cpuUsageUs === undefined) {
        byPids.set(id, pids);
        continue;
      }
      // CPU from the cgroup: every process the tree ever ran counts, also those already gone.
      const cpuPercent = this.cpu.percent(id, s.cpuUsageUs, now, ref.startedAtMs);
      out.set(id, { cpuPercent, rssBytes: sumRss(pids), processes: pids.length });
    }
    this.cpu.forgetOlder(now - CPU_RATE_KEEP_MS);
    if (byPids.size > 0) await this.measurePids(byPids, out);
    return out;
  }

  /** pidusage over every pid at once: it sets itself up (getconf) once per call. */
  private async measurePids(trees: Map<string, number[]>, out: Map<string, TaskUsage>): Promise<void> {
    this.pidusage ??= import('pidusage').then((m) => m.default);
    const pidusage = await this.pidusage;
    let stats: Record<number, { cpu: number; memory: number } | undefined>;
    try {
      stats = await pidusage([...trees.values()].flat());
    } catch {
      return; // the only pid exited between the listing and the read
    }
    for (const [id, pids] of trees) {
      const live = pids.map((p) => stats[p]).filter((s) => s !== undefined);
      if (live.length === 0) continue;
      out.set(id, {
        cpuPercent: live.reduce((sum, s) => sum + s.cpu, 0),
        rssBytes: live.reduce((sum, s) => sum + s.memory, 0),
        processes: live.length,
      });
    }
  }

  async close(): Promise<void> {
    if (this.pidusage) (await this.pidusage).clear();
  }
}

/**
 * The tree's resident memory as `ps` and /proc count it: the sum of its processes' VmRSS (shared
 * pages in each). The memory limit counts the cgroup's charge instead, which is usually lower.
 */
function sumRss(pids: readonly number[]): number {
  let bytes = 0;
  for (const pid of pids) {
    try {
      bytes += readVmRss(pid) ?? 0; // undefined: exited since the listing
    } catch {
      // unreadable (e.g. a process that changed owner): not counted, as if it had exited
    }
  }
  return bytes;
}

function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * A workload without a cgroup: the processes of its shim's session (the workload may leave its
 * process group, and outlive its shim, but keeps the session unless it calls setsid) plus, while
 * the shim lives, its descendants (orphans are reparented to it: it is a child subreaper). A
 * session id cannot be reused while any process is in that session, so if the shim's pid now
 * belongs to another process, the session is over and what carries its id is someone else's.
 */
export function sessionMembers(ref: TreeRef, table: ProcTable): number[] {
  const shimNow = table.get(ref.shim.pid);
  const shimIsOurs = shimNow !== undefined && shimNow.startTime === ref.shim.startTime;
  if (shimNow && !shimIsOurs) return [];
  const members = new Set<number>();
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    if (p.state === 'Z' || p.state === 'X' || p.pid === ref.shim.pid) continue;
    if (p.sid === ref.shim.pid) members.add(p.pid);
    if (!shimIsOurs) continue;
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const queue = [...(children.get(ref.shim.pid) ?? [])];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    members.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...members];
}
