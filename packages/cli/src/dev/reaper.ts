// Kills what is left of the dev cluster's processes once its daemons are gone: the workloads of
// every agent incarnation (read from the shims' records in the agents' data dirs, so a workload
// is found even if its agent was SIGKILLed, or the scheduler was dead and could not stop it), and
// whatever a daemon left in its own session (an agent's mo-shim launcher). What to signal is
// decided by leftovers.ts; this file reads the files and /proc, signals and waits.
import { sleep } from '@mo/api/timers';
import { readProcStat, readProcTable } from '@mo/agent';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { planLeftovers, sessionMembers, parseShimRecord, type ProcEntry, type ShimRecord } from './leftovers.js';
import { formatMs } from './restart-policy.js';

/** How often a wait for processes to go looks again. */
const POLL_MS = 25;

/** Every process on the host now (those that vanish while being read are left out). */
export function snapshotProcs(): Map<number, ProcEntry> {
  return readProcTable();
}

let bootMs: number | undefined;
/** When this host booted (wall clock): records older than that are of processes long gone. */
function bootTimeMs(): number {
  if (bootMs === undefined) {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootMs = m ? Number(m[1]) * 1000 : 0;
  }
  return bootMs;
}

/**
 * The `started` records of an agent's workloads written since boot. Ended ones are read too (an
 * `exit` file is not trusted to mean "nothing left": the identity check decides); bounded by what
 * the agent keeps (its running and its `--max-ended` ended workloads).
 */
export function readShimRecords(agentDataDir: string): ShimRecord[] {
  const root = join(agentDataDir, 'workloads');
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const boot = bootTimeMs() - 1000; // btime is whole seconds
  const records: ShimRecord[] = [];
  for (const id of names) {
    const dir = join(root, id);
    try {
      const started = join(dir, 'started');
      if (statSync(started).mtimeMs < boot) continue;
      const r = parseShimRecord(id, readFileSync(started, 'utf8'));
      if (r) records.push(r);
    } catch {
      // No record (never started, or a spare), or removed meanwhile.
    }
  }
  return records;
}

/** Signals p (its whole group with `group`) only if it is still the same process. */
function signalIfSame(p: ProcEntry, sig: NodeJS.Signals, group = false): void {
  try {
    if (readProcStat(p.pid)?.startTime !== p.startTime) return;
    process.kill(group ? -p.pid : p.pid, sig);
  } catch {
    // Gone meanwhile (ESRCH).
  }
}

/** p has exited (a zombie counts as gone), or its pid now belongs to another process. */
function isGone(p: ProcEntry): boolean {
  const now = readProcStat(p.pid);
  return now === undefined || now.startTime !== p.startTime || now.state === 'Z' || now.state === 'X';
}

/** Polls until `done()`, `ms` passed or `signal` aborts; true if done. */
async function until(done: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    await sleep(POLL_MS, undefined, { ref: true });
  }
}

/**
 * SIGKILLs what is left in the session of a daemon that has just exited (started at or after the
 * daemon, whose start time is `since`). Returns how many processes it signalled.
 */
export function killSessionLeftovers(sid: number, since: number): number {
  const left = sessionMembers(snapshotProcs(), sid, since);
  for (const p of left) signalIfSame(p, 'SIGKILL');
  return left.length;
}

export interface ReapOptions {
  /** Between SIGTERM to each workload's process group and SIGKILL; 0: SIGKILL at once. */
  graceMs: number;
  /** How long shims get to record their workload's exit and leave by themselves. */
  shimGraceMs: number;
  log: (line: string) => void;
  /** Aborted: no more waiting (a second Ctrl-C); what is left is SIGKILLed at once. */
  signal?: AbortSignal;
}

/**
 * Stops every workload still alive under these agent data dirs: SIGTERM to its process group,
 * SIGKILL after the grace to the group and any stray of it, then the shims that did not exit by
 * themselves. Resolves with how many workloads had something alive.
 */
export async function reapWorkloads(agentDataDirs: readonly string[], o: ReapOptions): Promise<number> {
  const plan = () =>
    planLeftovers(
      agentDataDirs.flatMap((d) => readShimRecords(d)),
      snapshotProcs(),
    );
  const first = plan();
  const found = first.workloads.length;
  if (found === 0) return 0;
  const groups = new Set(first.leaders.map((p) => p.pid));
  o.log(
    `mo dev: ${found} workload(s) still running after the agents stopped: ` +
      (o.graceMs > 0 && !o.signal?.aborted ? `SIGTERM, SIGKILL after ${formatMs(o.graceMs)}` : 'SIGKILL'),
  );
  if (o.graceMs > 0 && !o.signal?.aborted) {
    for (const p of first.leaders) signalIfSame(p, 'SIGTERM', true);
    for (const p of first.strays) if (!groups.has(p.pgid)) signalIfSame(p, 'SIGTERM');
    await until(() => first.leaders.every(isGone), o.graceMs, o.signal);
  }
  // Fresh looks each time: a record written late, a process forked meanwhile.
  const second = plan();
  for (const p of second.leaders) signalIfSame(p, 'SIGKILL', true);
  for (const p of second.strays) signalIfSame(p, 'SIGKILL');
  // A shim whose workload is gone records the exit and leaves; one that does not is killed.
  await until(() => second.shims.every(isGone), o.shimGraceMs, o.signal);
  const third = plan();
  for (const p of third.leaders) signalIfSame(p, 'SIGKILL', true);
  for (const p of [...third.strays, ...third.shims]) signalIfSame(p, 'SIGKILL');
  const gone = await until(() => plan().workloads.length === 0, 1000);
  if (!gone) {
    const left = plan();
    const pids = [...left.leaders, ...left.strays, ...left.shims].map((p) => p.pid);
    o.log(`mo dev: could not kill every process of ${left.workloads.length} workload(s): pids ${pids.join(' ')}`);
  }
  return found;
}
