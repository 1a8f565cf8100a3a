// Which processes are left of an agent's workloads once the agent is gone: a pure function of the
// shims' `started` records and a snapshot of /proc, so the rule is tested on made-up tables.
//
// Identity: a pid alone is never trusted (this host's pid_max may be 32768, so pids are reused
// within minutes). A workload leader or a shim counts only when its pid AND start time (field 22
// of /proc/<pid>/stat) match its record. Other processes are reached only through a verified one:
// members of its process group or session (the kernel keeps a group's or session's number from
// being reused while any member lives, so with a verified member alive the number is still ours),
// and descendants of a verified process.

/** One line of /proc/<pid>/stat, as much as is needed here. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Clock ticks since boot. */
  startTime: number;
  /** `R`, `S`, … ; `Z` (zombie) and `X` (dead) are not alive. */
  state: string;
}

/** A shim's `<workload dir>/started` record (one line of JSON, written by mo-shim). */
export interface ShimRecord {
  /** The workload's id (its directory's name), for messages. */
  id: string;
  /** The workload's process, leader of its own process group, in the shim's session. */
  pid: number;
  startTime: number;
  /** The shim (absent in records from shims older than these fields). */
  shimPid?: number;
  shimStartTime?: number;
}

export interface LeftoverPlan {
  /** Ids of the workloads with something still alive. */
  workloads: string[];
  /** Live workload leaders: their process groups get SIGTERM, then SIGKILL after a grace. */
  leaders: ProcEntry[];
  /** Every other live process of those workloads (escaped its group, or adopted by the shim). */
  strays: ProcEntry[];
  /** Live shims: each exits once its workload is gone (after recording the exit); else killed. */
  shims: ProcEntry[];
}

function isAlive(p: ProcEntry | undefined): p is ProcEntry {
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
}

/** The live process with exactly this pid and start time, if any. */
export function liveProcess(
  procs: ReadonlyMap<number, ProcEntry>,
  pid: number | undefined,
  startTime: number | undefined,
): ProcEntry | undefined {
  if (pid === undefined || startTime === undefined || !Number.isInteger(pid) || pid <= 0) return undefined;
  const p = procs.get(pid);
  return isAlive(p) && p.startTime === startTime ? p : undefined;
}

/** Plans what to signal for these records, given every process on the host now. */
export function planLeftovers(records: readonly ShimRecord[], procs: ReadonlyMap<number, ProcEntry>): LeftoverPlan {
  const children = new Map<number, ProcEntry[]>();
  for (const p of procs.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const leaders = new Map<number, ProcEntry>();
  const shims = new Map<number, ProcEntry>();
  const strays = new Map<number, ProcEntry>();
  const workloads = new Set<string>();

  for (const r of records) {
    const leader = liveProcess(procs, r.pid, r.startTime);
    const shim = liveProcess(procs, r.shimPid, r.shimStartTime);
    if (!leader && !shim) continue; // nothing verifiable is left: nothing is touched
    workloads.add(r.id);
    if (leader) leaders.set(leader.pid, leader);
    if (shim) shims.set(shim.pid, shim);
    // Nothing of this workload can have started before its shim (or, from an old shim, its leader).
    const since = shim?.startTime ?? leader!.startTime;
    const sessions = new Set<number>();
    if (shim) sessions.add(shim.pid);
    if (leader) sessions.add(leader.sid);
    const found = new Map<number, ProcEntry>();
    for (const p of procs.values()) {
      if (p.startTime < since || !isAlive(p)) continue;
      if (sessions.has(p.sid) || (leader && p.pgid === leader.pid)) found.set(p.pid, p);
    }
    // Descendants of the shim (the subreaper adopts escaped orphans) and of everything found.
    const queue = [...found.values(), ...(shim ? [shim] : [])];
    for (let p = queue.pop(); p; p = queue.pop()) {
      for (const c of children.get(p.pid) ?? []) {
        if (!isAlive(c) || c.startTime < since || found.has(c.pid)) continue;
        found.set(c.pid, c);
        queue.push(c);
      }
    }
    for (const p of found.values()) strays.set(p.pid, p);
  }
  for (const pid of [...leaders.keys(), ...shims.keys()]) strays.delete(pid);
  return {
    workloads: [...workloads],
    leaders: [...leaders.values()],
    strays: [...strays.values()],
    shims: [...shims.values()],
  };
}

/**
 * Members of the session `sid` that started at or after `since`: what is left of a daemon that led
 * that session (mo dev starts each daemon as a session leader), e.g. an agent's mo-shim launcher.
 * Call it just after the daemon's exit, while the session number cannot have been reused.
 */
export function sessionMembers(procs: ReadonlyMap<number, ProcEntry>, sid: number, since: number): ProcEntry[] {
  return [...procs.values()].filter((p) => p.sid === sid && p.startTime >= since && isAlive(p));
}

/** Parses a `started` record; undefined for anything that is not one. */
export function parseShimRecord(id: string, text: string): ShimRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const int = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x > 0 ? x : undefined);
  const pid = int(o.pid);
  const startTime = typeof o.startTime === 'number' && Number.isInteger(o.startTime) ? o.startTime : undefined;
  if (pid === undefined || startTime === undefined) return undefined;
  const shimPid = int(o.shimPid);
  const shimStartTime = typeof o.shimStartTime === 'number' ? o.shimStartTime : undefined;
  return shimPid === undefined || shimStartTime === undefined
    ? { id, pid, startTime }
    : { id, pid, startTime, shimPid, shimStartTime };
}
