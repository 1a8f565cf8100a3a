// Client of `mo-shim --launcher`: one small long-lived C process per agent that forks a shim
// per start request. Forking the Node agent itself for every start costs time that grows with its
// RSS (page tables), and blocks the event loop meanwhile; the launcher's fork is ~0.1 ms.
//
// Protocol (see native/mo-shim/launcher.c): requests on the launcher's stdin are frames of a u32 LE length
// and NUL-terminated strings: reqId, taskDir, logMaxBytes, workingDir, memoryMax, cpuMillis,
// pidsMax, user ("" or "uid:gid:g1,g2"), envCount, env..., argvCount, argv.... Responses on its stdout are lines:
// `<reqId> S <pid> <starttime> <shimpid> <shimstarttime>[ <cgroup>]`, `<reqId> E <errno> <message>`,
// and `X <pid> <waitstatus>` when a shim (or a workload it adopted) has been reaped. A shim killed
// before its answer is answered for by the launcher; one killed just as it answered may be answered
// for twice, alike: the first answer counts, a second is ignored.
import { sleep } from '@mo/api';
import { spawn, type ChildProcess } from 'node:child_process';

export interface LaunchRequest {
  taskDir: string;
  logMaxBytes: number;
  workingDir: string;
  /** Limits of the workload's cgroup (0 or absent = none; ignored without cgroups). */
  memoryBytes?: number;
  cpuMillis?: number;
  pidsLimit?: number;
  /** Who the workload runs as (the shim drops to it before exec); absent: the shim's own user. */
  user?: { uid: number; gid: number; groups: readonly number[] };
  env: Record<string, string>;
  argv: string[];
}

export type LaunchResult =
  | {
      ok: true;
      pid: number;
      startTime: number;
      shimPid: number;
      /** The shim's own start time (its identity, with its pid). */
      shimStartTime: number;
      /** The workload's cgroup, relative to the mounts; absent without cgroups. */
      cgroup?: string;
      /** Resolves true when the launcher reaped the shim, false if the launcher died first. */
      shimExited: Promise<boolean>;
      /** The pid of the launcher that started it (see ShimLauncher.running). */
      launcher: number;
    }
  | { ok: false; errno: number; message: string };

interface Pending {
  resolve: (r: LaunchResult) => void;
  reject: (e: Error) => void;
}

export class ShimLauncher {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly exitWaiters = new Map<number, (reaped: boolean) => void>();
  private buffer = '';
  private seq = 0;
  private closed = false;
  private stdinError: string | undefined;

  /**
   * onUnexpectedDeath: told why the launcher went away (the next launch starts a new one).
   * args: the launcher's options after --launcher (its cgroups: see cgroups/plan.ts launcherArgs).
   */
  constructor(
    private readonly shimPath: string,
    private readonly onUnexpectedDeath: (reason: string) => void = () => undefined,
    private readonly args: readonly string[] = [],
    private readonly onAdoptedExit: (pid: number, waitStatus: number) => void = () => undefined,
  ) {}

  launch(req: LaunchRequest): Promise<LaunchResult> {
    const child = this.ensure();
    const id = String(++this.seq);
    const frame = encodeFrame(id, req);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.stdin!.write(frame);
    });
  }

  private ensure(): ChildProcess {
    if (this.closed) throw new Error('the shim launcher is closed');
    if (this.child) return this.child;
    const child = spawn(this.shimPath, ['--launcher', ...this.args], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (data: string) => this.onData(data));
    // Surfaced through 'exit' below; remembered, so the death says what preceded it.
    child.stdin!.on('error', (err) => (this.stdinError = err.message));
    child.on('error', (err) => this.onDeath(`cannot run ${this.shimPath} --launcher: ${err.message}`));
    child.on('exit', (code, signal) => this.onDeath(`mo-shim --launcher exited (${signal ?? code})`));
    this.child = child;
    return child;
  }

  private onData(data: string): void {
    this.buffer += data;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const reaped = /^X (\d+) (\d+)$/.exec(line);
    if (reaped) {
      const pid = Number(reaped[1]);
      const shim = this.exitWaiters.get(pid);
      this.exitWaiters.delete(pid);
      // Not a shim: a process the launcher adopted (it is a subreaper) when its shim was killed.
      if (shim) shim(true);
      else this.onAdoptedExit(pid, Number(reaped[2]));
      return;
    }
    const started = /^(\S+) S (\d+) (\d+) (\d+) (\d+)(?: (\/\S+))?$/.exec(line);
    if (started) {
      const [, id, pid, startTime, shimPid, shimStartTime, cgroup] = started;
      // A second answer (see above) must not register the shim's exit waiter again.
      if (!this.pending.has(id!)) return;
      const shim = Number(shimPid);
      // Registered before any later line is read, so an `X` for this shim always finds it.
      const shimExited = new Promise<boolean>((resolve) => this.exitWaiters.set(shim, resolve));
      this.settle(id!, {
        ok: true,
        pid: Number(pid),
        startTime: Number(startTime),
        shimPid: shim,
        shimStartTime: Number(shimStartTime),
        ...(cgroup && { cgroup }),
        shimExited,
        launcher: this.child?.pid ?? 0,
      });
      return;
    }
    const failed = /^(\S+) E (\d+) (.*)$/.exec(line);
    if (failed) {
      this.settle(failed[1]!, { ok: false, errno: Number(failed[2]), message: failed[3]! });
    }
  }

  /** Settles a pending start; an answer for one that is not pending (a second answer) is dropped. */
  private settle(id: string, result: LaunchResult): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.resolve(result);
  }

  private onDeath(why: string): void {
    if (!this.child) return;
    const reason = this.stdinError ? `${why}; writing requests failed before: ${this.stdinError}` : why;
    this.stdinError = undefined;
    if (!this.closed) this.onUnexpectedDeath(`${reason}, with ${this.pending.size} start(s) in flight`);
    this.child = undefined;
    this.buffer = '';
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    // Its shims were reparented to init: callers fall back to polling for their exit.
    for (const w of this.exitWaiters.values()) w(false);
    this.exitWaiters.clear();
  }

  /**
   * The pid of the launcher running now (a LaunchResult's `launcher`), undefined if none: a workload
   * whose shim died is its child, so its exit comes as an `X` line while that same launcher runs.
   */
  get running(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Closes the launcher's stdin: it exits (its spare too), and the shims keep supervising their
   * workloads. Resolves once it has exited (at most 2 s).
   */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    const timer = new AbortController();
    await Promise.race([exited, sleep(2000, timer.signal, { ref: true })]);
    timer.abort();
  }
}

/**
 * One frame, written straight into its buffer: no `k=v` strings, no joined copy of the whole
 * request (a maximum-size spec made ~0.3 MiB of each, per start, on the event loop).
 */
export function encodeFrame(id: string, req: LaunchRequest): Buffer {
  const env = Object.entries(req.env);
  const head = [
    id,
    req.taskDir,
    String(req.logMaxBytes),
    req.workingDir,
    String(req.memoryBytes ?? 0),
    String(req.cpuMillis ?? 0),
    String(req.pidsLimit ?? 0),
    req.user ? `${req.user.uid}:${req.user.gid}:${req.user.groups.join(',')}` : '',
    String(env.length),
  ];
  const argvCount = String(req.argv.length);
  // Each string with its NUL; a variable as name, '=', value, NUL.
  let size = Buffer.byteLength(argvCount) + 1;
  for (const f of head) size += Buffer.byteLength(f) + 1;
  for (const [k, v] of env) size += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
  for (const a of req.argv) size += Buffer.byteLength(a) + 1;
  const frame = Buffer.allocUnsafe(4 + size);
  frame.writeUInt32LE(size, 0);
  let at = 4;
  const put = (text: string) => {
    at += frame.write(text, at);
    frame[at++] = 0;
  };
  for (const f of head) put(f);
  for (const [k, v] of env) {
    at += frame.write(k, at);
    frame[at++] = 0x3d; // '='
    put(v);
  }
  put(argvCount);
  for (const a of req.argv) put(a);
  return frame;
}
