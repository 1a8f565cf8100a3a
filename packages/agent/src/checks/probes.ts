// One probe per kind of check. Each is bounded by the check's timeout and by an AbortSignal (the
// runner stopping), resolves to { ok, detail } and never throws: a probe that cannot even start
// (no such port, no such command) is a failed result with a detail saying why, not an exception.
// A probe resolves only once what it opened is closed (socket destroyed, process group reaped), so
// a caller that awaited it has nothing left running.
import { request } from 'node:http';
import { connect } from 'node:net';
import { after } from '@mo/api/timers';
import type { CheckSpec, ProbeResult } from './state.js';

// execa is loaded by the first exec check, not at start-up, where initialising it cost a freshly
// started agent ~3.8 MiB of RSS (pnpm bench --only agent, idle RSS at +2 s; later GCs give most of
// it back) and its start-up the time to run it. Many nodes never run an exec check.
let execaModule: Promise<typeof import('execa')> | undefined;
const loadExeca = () => (execaModule ??= import('execa'));

/** A named port resolved to where the instance listens. */
export interface Endpoint {
  host: string;
  port: number;
}

/** How an exec check runs: in the workload's environment (given whole: the agent's own is not added). */
export interface ExecContext {
  env: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** What the probes need to know about the instance. */
export interface ProbeContext {
  /** The host:port of a named port of the instance; undefined if it has none by that name. */
  resolvePort(name: string): Endpoint | undefined;
  exec: ExecContext;
}

/** The most of an HTTP body read (then the connection is dropped), as Kubernetes caps it. */
export const HTTP_BODY_LIMIT = 4 * 1024;
/** The longest detail kept (an exec check's stderr line, an error message). */
export const DETAIL_LIMIT = 256;
/** The stderr an exec check keeps, from its end: enough for a last line of DETAIL_LIMIT. */
const STDERR_TAIL = 4 * 1024;

/** Runs the probe of `spec`'s kind against the instance. */
export function runProbe(spec: CheckSpec, ctx: ProbeContext, signal: AbortSignal): Promise<ProbeResult> {
  if (spec.kind === 'exec') return probeExec({ command: spec.command, timeoutMs: spec.timeoutMs, ...ctx.exec }, signal);
  const endpoint = ctx.resolvePort(spec.port);
  if (!endpoint) return Promise.resolve({ ok: false, detail: `no port named "${spec.port}"` });
  if (spec.kind === 'tcp') return probeTcp({ ...endpoint, timeoutMs: spec.timeoutMs }, signal);
  return probeHttp(
    { ...endpoint, path: spec.path, expectStatus: spec.expectStatus, timeoutMs: spec.timeoutMs },
    signal,
  );
}

export interface HttpProbe extends Endpoint {
  path: string;
  /** 0 = any 2xx or 3xx. */
  expectStatus: number;
  timeoutMs: number;
}

/**
 * GET http://host:port/path. Redirects are not followed (a 3xx is an answer, as Kubernetes takes
 * it). The timeout covers the body too, up to HTTP_BODY_LIMIT: a server that sends its status and
 * then stalls fails, as it does under Kubernetes.
 */
export function probeHttp(p: HttpProbe, signal: AbortSignal): Promise<ProbeResult> {
  return bounded(p.timeoutMs, signal, (done) => {
    const path = p.path.startsWith('/') ? p.path : `/${p.path}`;
    // agent: false and Connection: close: a fresh connection each time, none kept in a pool.
    const req = request({
      host: p.host,
      port: p.port,
      path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'mo-agent/health-check', accept: '*/*', connection: 'close' },
    });
    req.on('error', (err) => done({ ok: false, detail: errorDetail(err) }));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const ok = p.expectStatus === 0 ? status >= 200 && status < 400 : status === p.expectStatus;
      const answer = { ok, detail: `HTTP ${status}` };
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= HTTP_BODY_LIMIT) done(answer);
      });
      res.on('end', () => done(answer));
      res.on('error', (err) => done({ ok: false, detail: `HTTP ${status}, body: ${errorDetail(err)}` }));
    });
    req.end();
    return () => req.destroy();
  });
}

export interface TcpProbe extends Endpoint {
  timeoutMs: number;
}

/** Connects to host:port; a connection accepted is a pass. */
export function probeTcp(p: TcpProbe, signal: AbortSignal): Promise<ProbeResult> {
  return bounded(p.timeoutMs, signal, (done) => {
    const socket = connect({ host: p.host, port: p.port });
    socket.on('connect', () => done({ ok: true, detail: 'connected' }));
    socket.on('error', (err) => done({ ok: false, detail: errorDetail(err) }));
    return () => socket.destroy();
  });
}

export interface ExecProbe extends ExecContext {
  command: string[];
  timeoutMs: number;
}

/**
 * Runs argv (no shell) with the given environment; exit 0 is a pass. It runs in a process group
 * of its own, and the whole group is killed at the timeout, on abort and after it exits: a
 * `sh -c` check must not leave its children behind (they would also hold stderr open).
 */
export async function probeExec(p: ExecProbe, signal: AbortSignal): Promise<ProbeResult> {
  const [file, ...args] = p.command;
  if (!file) return { ok: false, detail: 'no command' };
  if (signal.aborted) return { ok: false, detail: 'cancelled' };
  const { execa } = await loadExeca();
  if (signal.aborted) return { ok: false, detail: 'cancelled' };
  const child = execa(file, args, {
    env: p.env,
    extendEnv: false,
    cwd: p.cwd,
    uid: p.uid,
    gid: p.gid,
    detached: true,
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
    // The timeout is ours (below), for the whole group; execa's would signal the leader only.
    forceKillAfterDelay: false,
  });
  let stderr = Buffer.alloc(0);
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = Buffer.concat([stderr, chunk]);
    if (stderr.length > STDERR_TAIL) stderr = stderr.subarray(stderr.length - STDERR_TAIL);
  });
  let ended: 'timeout' | 'cancelled' | undefined;
  const kill = (why: 'timeout' | 'cancelled') => {
    ended ??= why;
    killGroup(child.pid);
  };
  const timer = after(p.timeoutMs, () => kill('timeout'));
  const onAbort = () => kill('cancelled');
  signal.addEventListener('abort', onAbort, { once: true });
  const result = await child;
  timer.cancel();
  signal.removeEventListener('abort', onAbort);
  // Whatever the leader left running in its group goes with it. The group id cannot be taken by a
  // new process while any member lives, so this signals only what this check started.
  killGroup(child.pid);

  if (ended === 'timeout') return { ok: false, detail: `timeout after ${p.timeoutMs} ms (killed)` };
  if (ended === 'cancelled') return { ok: false, detail: 'cancelled' };
  if (result.exitCode === undefined) {
    // Not spawned (ENOENT, EACCES) or killed by a signal from elsewhere.
    const why = result.signal ? `killed by ${result.signal}` : spawnFailure(result);
    return { ok: false, detail: bound(why) };
  }
  const line = lastLine(stderr);
  const detail = `exit ${result.exitCode}${line ? `: ${line}` : ''}`;
  return { ok: result.exitCode === 0, detail: bound(detail) };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already.
  }
}

function spawnFailure(result: { code?: string; originalMessage?: string; shortMessage?: string }): string {
  if (result.code) return `spawn ${result.code}`;
  return result.originalMessage || result.shortMessage || 'failed to run';
}

/** The last non-empty line of a tail of output, trimmed. */
function lastLine(tail: Buffer): string {
  const lines = tail.toString('utf8').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line) return line;
  }
  return '';
}

function bound(s: string): string {
  return s.length <= DETAIL_LIMIT ? s : `${s.slice(0, DETAIL_LIMIT - 1)}…`;
}

/** "connect ECONNREFUSED", "getaddrinfo ENOTFOUND", or the message of an error without a code. */
function errorDetail(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code && e.syscall) return `${e.syscall} ${e.code}`;
  if (e.code) return e.code;
  return bound(e.message ?? String(err));
}

/**
 * Runs `start` until it calls `done`, the timeout passes or `signal` aborts, whichever is first;
 * then calls the cleanup `start` returned (destroy the socket) and resolves with the first result.
 */
function bounded(
  timeoutMs: number,
  signal: AbortSignal,
  start: (done: (r: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  if (signal.aborted) return Promise.resolve({ ok: false, detail: 'cancelled' });
  return new Promise((resolve) => {
    let settled = false;
    let cleanup: (() => void) | undefined;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
      cleanup?.();
      resolve(r);
    };
    const onAbort = () => done({ ok: false, detail: 'cancelled' });
    const timer = after(timeoutMs, () => done({ ok: false, detail: `timeout after ${timeoutMs} ms` }));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      cleanup = start(done);
    } catch (err) {
      // A synchronous throw (an invalid host or path) is a failed probe, as the contract says.
      done({ ok: false, detail: errorDetail(err) });
    }
    // `done` may have run inside `start`, before `cleanup` was known.
    if (settled) cleanup?.();
  });
}
