// The process driver: fork/exec through mo-shim, a tiny static C parent per workload (see
// native/mo-shim/shim.c), forked by one long-lived `mo-shim --launcher` (see launcher.ts). The shim puts
// the workload in its own process group (and, with cgroups, in a cgroup of its own), copies its
// output to capped log files, and records the exit status in <taskDir>/exit even while the agent
// is down. Where the workload's processes are (its cgroup, or its session from /proc) is tree.ts.
// Over ~400 lines: the Driver interface's methods for one kind of workload (start, wait, stop,
// recover, usage) around one launcher; what has no state of its own is already apart (tree.ts,
// identity.ts, launcher.ts, the shim's records in state/).
import { after, every, sleep, type Timer } from '@mo/api';
import { closeSync, constants, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { launcherArgs, WorkloadCgroups, type CgroupLayout } from '../../cgroups/index.js';
import type { Driver, ExitResult, RecoverResult, TaskConfig, TaskHandle, TaskUsage, WaitResult } from '../driver.js';
import { StartFailedError } from '../driver.js';
import { currentBootId, isSameLiveProcess } from './identity.js';
import { ShimLauncher, type LaunchResult } from './launcher.js';
import { WorkloadTrees, type TreeRef } from './tree.js';
import { AGENT_ROOT } from '../../package-root.js';

/** Built by `pnpm build` (scripts/build-shim.mjs). */
export const DEFAULT_SHIM_PATH = join(AGENT_ROOT, 'dist', 'bin', 'mo-shim');

export interface ProcessDriverOptions {
  /** Path of the mo-shim binary (default: the one built into this package, or MO_SHIM_PATH). */
  shimPath?: string;
  /** How often recovered workloads (not our children) are checked for exit. */
  pollIntervalMs?: number;
  /** Told when the launcher dies unexpectedly (the next start runs a new one). */
  onLauncherDeath?: (reason: string) => void;
  /**
   * The agent's cgroups (cgroups/setup.ts): each workload then runs in a cgroup of its own, with
   * its limits. Without: each workload's tree is found from /proc, and nothing is limited.
   */
  cgroups?: CgroupLayout;
}

interface ShimExitRecord {
  exitCode?: number;
  signal?: string;
  execError?: string;
  oomKilled?: boolean;
  finishedAtMs?: number;
  logBytes?: number;
}

/** A workload cgroup's path as a shim names it: the agent's root, then w-<shim pid>-<start time>. */
const WORKLOAD_CGROUP_RE = /^(?:\/[A-Za-z0-9._-]+)*\/w-\d+-\d+$/;

/** Exits of processes the launcher adopted (workloads whose shim was killed), kept this many. */
const ADOPTED_MAX = 1024;
/**
 * How long a workload whose shim was killed may look gone before the `X` line of the launcher that
 * adopted it is read: it reaps and reports in one go, but the line may still be on its way.
 */
const ADOPTED_EXIT_WAIT_MS = 2000;

export class ProcessDriver implements Driver {
  readonly name = 'process';
  /** The shim's `started` file holds the whole handle: see Driver.recordsStart. */
  readonly recordsStart = true;
  /** How workloads are contained here (reported in NodeFacts). */
  readonly containment: { mode: '' | 'v1' | 'v2'; enforced: string[] };
  private readonly shimPath: string;
  private readonly pollIntervalMs: number;
  private readonly launcher: ShimLauncher;
  private readonly trees: WorkloadTrees;
  private readonly layout: CgroupLayout | undefined;
  /** Shims launched by this agent process: the launcher reports their exit, no polling needed. */
  private readonly shimExits = new Map<number, Promise<boolean>>();
  /** Wait statuses the launcher reported for pids that were not its shims, by pid (bounded). */
  private readonly adopted = new Map<number, { status: number; atMs: number }>();
  /** Workloads that look gone while their launcher's `X` line is awaited: since when, by leader pid. */
  private readonly goneSince = new Map<number, number>();
  /** Cgroups of the workloads this agent runs or re-attached: the others under its root are orphans. */
  private readonly inUse = new Set<string>();
  /** Waiters on workloads we did not spawn (recovered after a restart): polled on one timer. */
  private readonly polled = new Set<{ handle: TaskHandle; taskDir: string; done: (r: WaitResult) => void }>();
  private timer: Timer | undefined;
  private readonly canSwitchUser = process.getuid?.() === 0;

  constructor(options: ProcessDriverOptions = {}) {
    this.shimPath = options.shimPath ?? process.env.MO_SHIM_PATH ?? DEFAULT_SHIM_PATH;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    if (!existsSync(this.shimPath)) {
      throw new Error(`mo-shim not found at ${this.shimPath}: build it with \`pnpm build\` or set MO_SHIM_PATH`);
    }
    this.layout = options.cgroups;
    this.containment = this.layout
      ? { mode: this.layout.mode, enforced: [...this.layout.enforced] }
      : { mode: '', enforced: [] };
    this.trees = new WorkloadTrees(this.layout && new WorkloadCgroups(this.layout));
    this.launcher = new ShimLauncher(
      this.shimPath,
      options.onLauncherDeath,
      this.layout ? launcherArgs(this.layout.hierarchies, this.layout.root) : [],
      (pid, status) => this.onAdoptedExit(pid, status),
    );
  }

  async start(config: TaskConfig): Promise<TaskHandle> {
    // Launch time: a workload that kills its shim may end, and its exit be read (dated), before
    // start() resumes; an adopted exit counts only from its workload's start on (checkEnded).
    const launchedAtMs = Date.now();
    let result: LaunchResult;
    try {
      // Declared cpu, memory and pids become the cgroup's limits (when the host has them). Only
      // root can switch users: an agent that is not runs every workload as itself.
      result = await this.launcher.launch(config.user && !this.canSwitchUser ? { ...config, user: undefined } : config);
    } catch (err) {
      throw new Error(`cannot start a workload: ${(err as Error).message}`, { cause: err });
    }
    if (!result.ok) {
      // Its shim died before it started the workload: nothing ran, and the fault is the node's.
      if (result.message.startsWith('mo-shim ')) throw new Error(`cannot start a workload: ${result.message}`);
      const message = result.message.startsWith('cgroup ')
        ? `cannot put the workload in its cgroup: ${result.message}`
        : result.message.startsWith('user ')
          ? `cannot run the workload as ${config.user?.name ?? 'its user'}: ${result.message}`
          : `exec ${JSON.stringify(config.argv[0])} failed: ${result.message}`;
      throw new StartFailedError(message, { startError: message, exitCode: 127, finishedAtMs: Date.now() });
    }
    this.shimExits.set(result.shimPid, result.shimExited);
    void result.shimExited.then(() =>
      // Keep the entry briefly so a wait() that races the exit still finds it.
      after(1000, () => this.shimExits.delete(result.shimPid)),
    );
    if (result.cgroup) this.inUse.add(result.cgroup);
    return {
      driver: this.name,
      pid: result.pid,
      data: {
        startTime: result.startTime,
        bootId: currentBootId(),
        shimPid: result.shimPid,
        shimStartTime: result.shimStartTime,
        startedAtMs: launchedAtMs,
        launcher: result.launcher,
        ...(result.cgroup && { cgroup: result.cgroup }),
      },
    };
  }

  async wait(handle: TaskHandle, taskDir: string): Promise<WaitResult> {
    const shimExited = this.shimExits.get(Number(handle.data.shimPid));
    if (shimExited && (await shimExited)) {
      const exit = readExitFile(taskDir);
      if (exit) return this.ended(handle, { status: 'exited', exit }, false);
      // The shim was killed (it always records an exit): the workload may well live on without it.
      const ended = this.checkEnded(handle, taskDir);
      if (ended) return ended;
    }
    // Not launched by this agent process (recovered after a restart), the launcher died, or the
    // workload outlived its shim: poll.
    return new Promise((done) => {
      this.polled.add({ handle, taskDir, done });
      this.timer ??= every(this.pollIntervalMs, () => this.poll(), { ref: true });
    });
  }

  private poll(): void {
    for (const waiter of this.polled) {
      const result = this.checkEnded(waiter.handle, waiter.taskDir);
      if (!result) continue;
      this.polled.delete(waiter);
      waiter.done(result);
    }
    if (this.polled.size === 0 && this.timer) {
      this.timer.cancel();
      this.timer = undefined;
    }
  }

  /** undefined while the workload (or its shim, still flushing) is alive. */
  private checkEnded(handle: TaskHandle, taskDir: string): WaitResult | undefined {
    const exit = readExitFile(taskDir);
    if (exit) return this.ended(handle, { status: 'exited', exit }, false);
    if (String(handle.data.bootId) !== currentBootId()) {
      return { status: 'lost', reason: 'the host rebooted since the workload started' };
    }
    // The shim records the exit; without it, the workload's cgroup (or session) says it still runs.
    const ref = refOf(handle);
    if (isSameLiveProcess(ref.shim) || this.trees.alive(ref)) return undefined;
    // Re-read: the shim may have written the file between the two checks.
    const late = readExitFile(taskDir);
    if (late) return this.ended(handle, { status: 'exited', exit: late }, false);
    // Its shim was killed: the launcher may have adopted and reaped the leader, then its status
    // is known (recorded for a restarted agent too). Otherwise it is gone without a trace.
    const adopted = this.adopted.get(ref.leader.pid);
    this.adopted.delete(ref.leader.pid);
    if (adopted && adopted.atMs >= ref.startedAtMs) {
      const exit = exitOfWaitStatus(adopted.status, adopted.atMs);
      writeExitFile(taskDir, exit);
      return this.ended(handle, { status: 'exited', exit }, true);
    }
    if (this.awaitsAdoptedExit(handle)) return undefined;
    return this.ended(
      handle,
      { status: 'lost', reason: 'the workload and its mo-shim vanished without recording an exit' },
      true,
    );
  }

  /**
   * True while the launcher that started this workload (and so adopted it when its shim died) still
   * runs and its `X` line may be on the way, for at most ADOPTED_EXIT_WAIT_MS from the first look.
   */
  private awaitsAdoptedExit(handle: TaskHandle): boolean {
    if (this.launcher.running === undefined || handle.data.launcher !== this.launcher.running) return false;
    const now = Date.now();
    const since = this.goneSince.get(handle.pid) ?? now;
    this.goneSince.set(handle.pid, since);
    return now - since < ADOPTED_EXIT_WAIT_MS;
  }

  /** A workload's end. A shim that was killed did not remove the cgroup: that is done here. */
  private ended(handle: TaskHandle, result: WaitResult, shimKilled: boolean): WaitResult {
    const ref = refOf(handle);
    this.goneSince.delete(handle.pid);
    if (ref.cgroup) {
      if (shimKilled) this.trees.release(ref);
      this.inUse.delete(ref.cgroup);
    }
    return result;
  }

  private onAdoptedExit(pid: number, status: number): void {
    this.adopted.delete(pid);
    this.adopted.set(pid, { status, atMs: Date.now() });
    if (this.adopted.size > ADOPTED_MAX) this.adopted.delete(this.adopted.keys().next().value!);
  }

  /**
   * SIGTERM to the workload (its process group, or whatever is left of it), the grace, then
   * SIGKILL to all of it: its cgroup, or its session and the shim's descendants. Returns once
   * nothing of it runs, so a workload that killed its shim or escaped its group is stopped too.
   */
  async stop(handle: TaskHandle, graceMs: number): Promise<void> {
    const ref = refOf(handle);
    // Never signal what is not verifiably ours: a reused pid, a reused session id.
    if (ref.leader.bootId !== currentBootId() || !this.trees.alive(ref)) return;
    this.trees.signal(ref, 'SIGTERM');
    if (await waitUntil(() => !this.trees.alive(ref), graceMs)) return;
    this.trees.kill(ref);
    await waitUntil(() => {
      if (!this.trees.alive(ref)) return true;
      // Again: a fork in flight escapes one pass by pids (no cgroup.kill, or a shim still inside).
      this.trees.kill(ref);
      return false;
    }, 5000);
  }

  async recover(handle: TaskHandle | undefined, taskDir: string): Promise<RecoverResult> {
    let startedAtMs: number | undefined;
    if (!handle) {
      // No handle saved (the agent saves none for a running workload: recordsStart): the shim's
      // own `started` file tells us who the workload and its shim are.
      const started = readStartedFile(taskDir);
      if (!started) {
        const exit = readExitFile(taskDir);
        if (exit) return { status: 'exited', exit };
        return { status: 'lost', reason: 'the agent stopped before the workload was started' };
      }
      handle = {
        driver: this.name,
        pid: started.pid,
        data: {
          startTime: started.startTime,
          bootId: currentBootId(),
          shimPid: started.shimPid ?? 0,
          shimStartTime: started.shimStartTime ?? 0,
          startedAtMs: started.startedAtMs ?? 0,
          ...(started.cgroup && { cgroup: started.cgroup }),
        },
      };
      startedAtMs = started.startedAtMs;
    }
    const ended = this.checkEnded(handle, taskDir);
    if (ended) return ended;
    if (typeof handle.data.cgroup === 'string') this.inUse.add(handle.data.cgroup);
    return { status: 'running', handle, startedAtMs };
  }

  /**
   * After recovery: the workload cgroups under this agent's root that no running workload owns
   * are killed (a workload the agent no longer knows must not run on) and removed (left empty by a
   * killed shim). The root is this agent's alone (`/mo/<node-id>` by default).
   */
  async removeOrphans(): Promise<string[]> {
    const cgroups = this.trees.cgroups;
    if (!cgroups) return [];
    const removed: string[] = [];
    for (const path of cgroups.list()) {
      if (this.inUse.has(path)) continue;
      if (cgroups.pids(path).length > 0) {
        cgroups.kill(path);
        await waitUntil(() => cgroups.pids(path).length === 0, 2000);
      }
      if (cgroups.remove(path)) removed.push(path);
    }
    return removed;
  }

  async usage(handles: Map<string, TaskHandle>): Promise<Map<string, TaskUsage>> {
    const refs = new Map<string, TreeRef>();
    for (const [id, h] of handles) refs.set(id, refOf(h));
    return this.trees.usage(refs);
  }

  async close(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    // Once the launcher (and its spare, with its cgroup) is gone, the agent's root may be empty.
    await this.launcher.close();
    await this.trees.close();
    if (this.layout) new WorkloadCgroups(this.layout).removeRoot();
  }
}

function refOf(handle: TaskHandle): TreeRef {
  const bootId = String(handle.data.bootId);
  return {
    leader: { pid: handle.pid, startTime: Number(handle.data.startTime), bootId },
    shim: { pid: Number(handle.data.shimPid), startTime: Number(handle.data.shimStartTime), bootId },
    ...(typeof handle.data.cgroup === 'string' && { cgroup: handle.data.cgroup }),
    startedAtMs: Number(handle.data.startedAtMs ?? 0),
  };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(20, deadline - Date.now()), undefined, { ref: true });
  }
}

/** A raw waitpid status as an exit. */
function exitOfWaitStatus(status: number, finishedAtMs: number): ExitResult {
  const signo = status & 0x7f;
  if (signo === 0) return { exitCode: (status >> 8) & 0xff, finishedAtMs };
  const name = Object.entries(osConstants.signals).find(([, n]) => n === signo)?.[0] ?? `SIG${signo}`;
  return { signal: name, finishedAtMs };
}

/** Records an exit the shim could not (it was killed), in its format, for a restarted agent. */
function writeExitFile(taskDir: string, exit: ExitResult): void {
  const rec: ShimExitRecord = exit.signal
    ? { signal: exit.signal, finishedAtMs: exit.finishedAtMs }
    : { exitCode: exit.exitCode ?? 0, finishedAtMs: exit.finishedAtMs };
  const path = join(taskDir, 'exit');
  try {
    writeFileSync(`${path}.agent.tmp`, `${JSON.stringify(rec)}\n`);
    renameSync(`${path}.agent.tmp`, path);
  } catch {
    // the status is reported now anyway; only a restart before the agent saves it would miss it
  }
}

/**
 * Reads a small file the shim wrote, without updating its access time: with relatime, the first
 * read of a new file would dirty its inode, and on ext4 that waits for a journal commit in progress
 * (the shims fsync their exit files), stalling the event loop. O_NOATIME needs the file's owner (or
 * CAP_FOWNER): otherwise this is a plain read.
 */
function readShimFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    return readFileSync(path, 'utf8');
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Parses the shim's <taskDir>/exit file (one line of JSON, written atomically). */
export function readExitFile(taskDir: string): ExitResult | undefined {
  let text: string;
  try {
    text = readShimFile(join(taskDir, 'exit'));
  } catch {
    return undefined;
  }
  const rec = JSON.parse(text) as ShimExitRecord;
  const finishedAtMs = rec.finishedAtMs ?? Date.now();
  // From shims of this version on: what the log files hold (log retention need not stat them).
  const logs = typeof rec.logBytes === 'number' ? { logBytes: rec.logBytes } : {};
  if (rec.execError !== undefined) {
    return { startError: `exec failed: ${rec.execError}`, exitCode: 127, finishedAtMs, ...logs };
  }
  const oom = rec.oomKilled === true ? { oomKilled: true } : {};
  if (rec.signal) return { signal: rec.signal, finishedAtMs, ...oom, ...logs };
  return { exitCode: rec.exitCode ?? 0, finishedAtMs, ...oom, ...logs };
}

/** The shim's <taskDir>/started file (fields after startTime: from shims of this version on). */
interface StartedRecord {
  pid: number;
  startTime: number;
  shimPid?: number;
  shimStartTime?: number;
  startedAtMs?: number;
  /** The workload's cgroup, relative to the mounts (shims run with cgroups). */
  cgroup?: string;
}

function readStartedFile(taskDir: string): StartedRecord | undefined {
  try {
    const rec = JSON.parse(readShimFile(join(taskDir, 'started'))) as StartedRecord;
    // Only a path a shim writes: the agent kills and removes by it.
    if (rec.cgroup !== undefined && !(typeof rec.cgroup === 'string' && WORKLOAD_CGROUP_RE.test(rec.cgroup))) {
      delete rec.cgroup;
    }
    return rec.pid > 0 ? rec : undefined;
  } catch {
    return undefined;
  }
}
