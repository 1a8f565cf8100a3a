// The process driver: fork/exec through mo-shim, a tiny static C parent per workload (see
// native/mo-shim.c), forked by one long-lived `mo-shim --launcher` (see launcher.ts). The shim puts the workload in its own process group, copies its output to
// capped log files, and records the exit status in <taskDir>/exit even while the agent is down.
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pidusageModule from 'pidusage';
import type { Driver, ExitResult, RecoverResult, TaskConfig, TaskHandle, TaskUsage, WaitResult } from '../driver.js';
import { StartFailedError } from '../driver.js';
import { currentBootId, isSameLiveProcess, type ProcessIdentity } from './identity.js';
import { ShimLauncher, type LaunchResult } from './launcher.js';
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
}

interface ShimExitRecord {
  exitCode?: number;
  signal?: string;
  execError?: string;
  finishedAtMs?: number;
  logBytes?: number;
}

export class ProcessDriver implements Driver {
  readonly name = 'process';
  /** The shim's `started` file holds the whole handle: see Driver.recordsStart. */
  readonly recordsStart = true;
  private readonly shimPath: string;
  private readonly pollIntervalMs: number;
  private readonly launcher: ShimLauncher;
  /** Shims launched by this agent process: the launcher reports their exit, no polling needed. */
  private readonly shimExits = new Map<number, Promise<boolean>>();
  /** Waiters on workloads we did not spawn (recovered after a restart): polled on one timer. */
  private readonly polled = new Set<{ handle: TaskHandle; taskDir: string; done: (r: WaitResult) => void }>();
  private timer: NodeJS.Timeout | undefined;
  /** Loaded on the first usage() call, so an idle agent does not hold it. */
  private pidusage: Promise<typeof pidusageModule> | undefined;

  constructor(options: ProcessDriverOptions = {}) {
    this.shimPath = options.shimPath ?? process.env.MO_SHIM_PATH ?? DEFAULT_SHIM_PATH;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    if (!existsSync(this.shimPath)) {
      throw new Error(`mo-shim not found at ${this.shimPath}: build it with \`pnpm build\` or set MO_SHIM_PATH`);
    }
    this.launcher = new ShimLauncher(this.shimPath, options.onLauncherDeath);
  }

  async start(config: TaskConfig): Promise<TaskHandle> {
    let result: LaunchResult;
    try {
      result = await this.launcher.launch(config);
    } catch (err) {
      throw new Error(`cannot start a workload: ${(err as Error).message}`, { cause: err });
    }
    if (!result.ok) {
      const message = `exec ${JSON.stringify(config.argv[0])} failed: ${result.message}`;
      throw new StartFailedError(message, { startError: message, exitCode: 127, finishedAtMs: Date.now() });
    }
    this.shimExits.set(result.shimPid, result.shimExited);
    void result.shimExited.then(() =>
      // Keep the entry briefly so a wait() that races the exit still finds it.
      setTimeout(() => this.shimExits.delete(result.shimPid), 1000).unref(),
    );
    return {
      driver: this.name,
      pid: result.pid,
      data: {
        startTime: result.startTime,
        bootId: currentBootId(),
        shimPid: result.shimPid,
        shimStartTime: result.shimStartTime,
      },
    };
  }

  async wait(handle: TaskHandle, taskDir: string): Promise<WaitResult> {
    const shimExited = this.shimExits.get(Number(handle.data.shimPid));
    if (shimExited && (await shimExited)) {
      const exit = readExitFile(taskDir);
      // The shim always writes the exit file before exiting; if it is missing, the shim was killed.
      return exit ? { status: 'exited', exit } : { status: 'lost', reason: 'mo-shim died without recording an exit' };
    }
    // Not launched by this agent process (recovered after a restart), or the launcher died: poll.
    return new Promise((done) => {
      this.polled.add({ handle, taskDir, done });
      this.timer ??= setInterval(() => this.poll(), this.pollIntervalMs);
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
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** undefined while the workload (or its shim, still flushing) is alive. */
  private checkEnded(handle: TaskHandle, taskDir: string): WaitResult | undefined {
    const exit = readExitFile(taskDir);
    if (exit) return { status: 'exited', exit };
    if (String(handle.data.bootId) !== currentBootId()) {
      return { status: 'lost', reason: 'the host rebooted since the workload started' };
    }
    if (isSameLiveProcess(leaderOf(handle)) || isSameLiveProcess(shimOf(handle))) return undefined;
    // Re-read: the shim may have written the file between the two checks.
    const late = readExitFile(taskDir);
    if (late) return { status: 'exited', exit: late };
    return { status: 'lost', reason: 'the workload and its mo-shim vanished without recording an exit' };
  }

  async stop(handle: TaskHandle, graceMs: number): Promise<void> {
    const leader = leaderOf(handle);
    // Only signal a process group whose leader is verifiably ours; if the leader is already gone,
    // the shim kills whatever is left of the group itself.
    if (!signalGroup(leader, 'SIGTERM')) return;
    if (await waitUntilGone(leader, graceMs)) return;
    signalGroup(leader, 'SIGKILL');
    await waitUntilGone(leader, 5000);
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
        },
      };
      startedAtMs = started.startedAtMs;
    }
    return this.checkEnded(handle, taskDir) ?? { status: 'running', handle, startedAtMs };
  }

  async usage(handles: Map<string, TaskHandle>): Promise<Map<string, TaskUsage>> {
    const out = new Map<string, TaskUsage>();
    const live = [...handles].filter(([, h]) => isSameLiveProcess(leaderOf(h)));
    if (live.length === 0) return out;
    // One pidusage call for all pids: it sets itself up (getconf) once per call, so N parallel
    // calls on a cold start would fork 2N getconf processes.
    this.pidusage ??= import('pidusage').then((m) => m.default);
    const pidusage = await this.pidusage;
    let stats: Record<number, { cpu: number; memory: number } | undefined>;
    try {
      stats = await pidusage(live.map(([, h]) => h.pid));
    } catch {
      return out; // the only pid exited between the check and the read
    }
    for (const [id, h] of live) {
      const s = stats[h.pid];
      if (s) out.set(id, { cpuPercent: s.cpu, rssBytes: s.memory });
    }
    return out;
  }

  async close(): Promise<void> {
    this.launcher.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pidusage) (await this.pidusage).clear();
  }
}

function leaderOf(handle: TaskHandle): ProcessIdentity {
  return { pid: handle.pid, startTime: Number(handle.data.startTime), bootId: String(handle.data.bootId) };
}

function shimOf(handle: TaskHandle): ProcessIdentity {
  return {
    pid: Number(handle.data.shimPid),
    startTime: Number(handle.data.shimStartTime),
    bootId: String(handle.data.bootId),
  };
}

/** Signals the whole process group led by `leader`, only if the leader is verifiably ours. */
function signalGroup(leader: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isSameLiveProcess(leader)) return false;
  try {
    process.kill(-leader.pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(id: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isSameLiveProcess(id)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, deadline - Date.now()))));
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
  if (rec.signal) return { signal: rec.signal, finishedAtMs, ...logs };
  return { exitCode: rec.exitCode ?? 0, finishedAtMs, ...logs };
}

/** The shim's <taskDir>/started file (fields after startTime: from shims of this version on). */
interface StartedRecord {
  pid: number;
  startTime: number;
  shimPid?: number;
  shimStartTime?: number;
  startedAtMs?: number;
}

function readStartedFile(taskDir: string): StartedRecord | undefined {
  try {
    const rec = JSON.parse(readShimFile(join(taskDir, 'started'))) as StartedRecord;
    return rec.pid > 0 ? rec : undefined;
  } catch {
    return undefined;
  }
}
