// Runs the compiled mo-shim against real processes: the handshake, the exit record, log capture and
// rotation, process-group isolation, orphan cleanup and survival of the agent's death.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { requireTool } from '@mo/testkit';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHIM = join(pkgDir, 'dist', 'bin', 'mo-shim');

interface ExitRecord {
  exitCode?: number;
  signal?: string;
  signo?: number;
  execError?: string;
  errno?: number;
  logError?: string;
  logBytes?: number;
  finishedAtMs: number;
}

const dirs: string[] = [];
const pidsToKill: number[] = []; // shims and leftover grandchildren
const groupsToKill: number[] = []; // workload process groups
const launchersToKill: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mo-shim-test-'));
  dirs.push(dir);
  return dir;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        stream.off('data', onData);
        resolve(buf.slice(0, nl));
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before a full line; got ${JSON.stringify(buf)}`)));
  });
}

function exited(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

interface Shim {
  proc: ChildProcess;
  handshake: string;
  workloadPid?: number;
}

// Spawns the shim the way the agent does: stdout piped for the handshake, the rest ignored.
async function startShim(
  dir: string,
  logMax: number,
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Shim> {
  const proc = spawn(SHIM, [dir, String(logMax), '--', ...argv], {
    cwd: opts.cwd ?? dir,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (proc.pid) pidsToKill.push(proc.pid);
  const handshake = await readLine(proc.stdout!);
  const m = /^S (\d+) /.exec(handshake);
  const workloadPid = m ? Number(m[1]) : undefined;
  if (workloadPid) groupsToKill.push(workloadPid);
  return { proc, handshake, workloadPid };
}

// The file once it exists (and holds `text`, if given).
async function waitForFile(path: string, timeoutMs = 10_000, text = ''): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) || !readFileSync(path, 'utf8').includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${path} (${text})`);
    await sleep(20);
  }
  return readFileSync(path, 'utf8');
}

async function waitForExit(dir: string, timeoutMs = 10_000): Promise<ExitRecord> {
  const text = await waitForFile(join(dir, 'exit'), timeoutMs);
  expect(text.endsWith('\n')).toBe(true);
  expect(text.trimEnd()).not.toContain('\n');
  return JSON.parse(text) as ExitRecord;
}

// Fields of /proc/<pid>/stat after comm (which may contain spaces): [0] is field 3 (state).
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}
const statField = (pid: number | 'self', field: number) => statFields(pid)[field - 3];

// True while the pid exists and is not a zombie.
function isRunning(pid: number): boolean {
  try {
    return statField(pid, 3) !== 'Z';
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL') {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// Signal dispositions a workload must not inherit: SigIgn and SigBlk of /proc/<pid>/status.
function signalMasks(pid: number): { ignored: string; blocked: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { ignored: /^SigIgn:\s+(\w+)/m.exec(status)![1]!, blocked: /^SigBlk:\s+(\w+)/m.exec(status)![1]! };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface LaunchRequest {
  id: string;
  dir: string;
  argv: string[];
  logMax?: number;
  cwd?: string; // '' = the launcher's
  env?: string[];
  user?: string; // 'uid:gid:g1,g2'; '' = the launcher's
}

// One launcher frame: u32 LE length, then NUL-terminated strings.
function frame(req: LaunchRequest): Buffer {
  const env = req.env ?? [`PATH=${process.env.PATH}`];
  const strings = [
    req.id,
    req.dir,
    String(req.logMax ?? 10_000),
    req.cwd ?? '',
    '0', // memoryMax, cpuMillis, pidsMax: no cgroup here (see shim-cgroup.test.ts)
    '0',
    '0',
    req.user ?? '',
    String(env.length),
    ...env,
    String(req.argv.length),
    ...req.argv,
  ];
  return rawFrame(strings);
}

function rawFrame(strings: string[]): Buffer {
  const payload = Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`, 'utf8')));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length);
  return Buffer.concat([header, payload]);
}

interface Started {
  line: string;
  pid: number;
  startTime: number;
  shimPid: number;
  shimStartTime: number;
}

// A `mo-shim --launcher` process with its response lines collected as they arrive.
class Launcher {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  private partial = '';
  private waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();

  constructor(stderr: 'inherit' | 'pipe' = 'inherit') {
    this.proc = spawn(SHIM, ['--launcher'], { stdio: ['pipe', 'pipe', stderr] });
    launchersToKill.push(this.proc);
    this.proc.stdout!.on('data', (chunk: Buffer) => {
      this.partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.partial.indexOf('\n')) >= 0) {
        const line = this.partial.slice(0, nl);
        this.partial = this.partial.slice(nl + 1);
        this.lines.push(line);
        const started = /^\S+ S (\d+) \d+ (\d+) \d+$/.exec(line);
        if (started) {
          groupsToKill.push(Number(started[1]));
          pidsToKill.push(Number(started[2]));
        }
        for (const w of this.waiters) {
          if (w.match(line)) {
            this.waiters.delete(w);
            w.resolve(line);
          }
        }
      }
    });
  }

  send(...frames: Buffer[]): void {
    this.proc.stdin!.write(Buffer.concat(frames));
  }

  // The first response line (already received or still to come) matching re.
  line(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: (l: string) => re.test(l),
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no launcher line matching ${re} within ${timeoutMs} ms; got ${JSON.stringify(this.lines)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  // The handshake line for a request id ("<id> S ..." or "<id> E ...").
  handshake(id: string): Promise<string> {
    return this.line(new RegExp(`^${id} [SE] `));
  }

  async started(id: string): Promise<Started> {
    const line = await this.handshake(id);
    const m = /^\S+ S (\d+) (\d+) (\d+) (\d+)$/.exec(line);
    if (!m) throw new Error(`expected a start handshake for ${id}, got ${JSON.stringify(line)}`);
    return { line, pid: Number(m[1]), startTime: Number(m[2]), shimPid: Number(m[3]), shimStartTime: Number(m[4]) };
  }

  // The raw wait status the launcher reported for one of its shims.
  async shimExit(shimPid: number): Promise<number> {
    return Number((await this.line(new RegExp(`^X ${shimPid} -?\\d+$`))).split(' ')[2]);
  }
}

beforeAll(() => {
  execFileSync(process.execPath, [join(pkgDir, 'scripts', 'build-shim.mjs')], { stdio: 'inherit' });
});

afterAll(() => {
  // SIGKILL: the launcher ignores SIGTERM by design.
  for (const proc of launchersToKill) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  for (const pgid of groupsToKill) killQuietly(-pgid);
  for (const pid of pidsToKill) killQuietly(pid);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('mo-shim', () => {
  it('records the exit code and hands back pid and start time', async () => {
    const dir = tempDir();
    const before = Date.now();
    const shim = await startShim(dir, 10_000, ['sh', '-c', 'exit 7']);
    expect(shim.handshake).toMatch(/^S \d+ \d+$/);
    const [, pid, startTime] = shim.handshake.split(' ').map(Number);
    expect(pid).toBeGreaterThan(0);
    expect(startTime).toBeGreaterThan(0);
    // `started` is written just after the handshake (off the start path), so it may lag it a little.
    // It names the shim too, so a restarted agent can tell the shim from a pid reuse.
    const started = JSON.parse(await waitForFile(join(dir, 'started'))) as Record<string, number>;
    expect(Object.keys(started).sort()).toEqual(['pid', 'shimPid', 'shimStartTime', 'startTime', 'startedAtMs']);
    expect(started).toMatchObject({ pid, startTime, shimPid: shim.proc.pid });
    expect(started.shimStartTime).toBeGreaterThan(0);
    expect(started.shimStartTime).toBeLessThanOrEqual(startTime!);
    expect(started.startedAtMs).toBeGreaterThanOrEqual(before);
    expect(started.startedAtMs).toBeLessThanOrEqual(Date.now());

    const exit = await waitForExit(dir);
    expect(exit.exitCode).toBe(7);
    expect(exit.signal).toBeUndefined();
    expect(exit.finishedAtMs).toBeGreaterThanOrEqual(before);
    expect(exit.finishedAtMs).toBeLessThanOrEqual(Date.now());
    expect(await exited(shim.proc)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, 'exit.tmp'))).toBe(false);
  });

  it('clears a previous run record when the workload dir is reused', async () => {
    const dir = tempDir();
    await startShim(dir, 10_000, ['sh', '-c', 'exit 5']);
    expect((await waitForExit(dir)).exitCode).toBe(5);
    const second = await startShim(dir, 10_000, ['sleep', '30']);
    expect(existsSync(join(dir, 'exit'))).toBe(false);
    expect(JSON.parse(await waitForFile(join(dir, 'started'))).pid).toBe(second.workloadPid);
    process.kill(-second.workloadPid!, 'SIGKILL');
    expect((await waitForExit(dir)).signo).toBe(9);
  });

  it('records death by signal', async () => {
    const dir = tempDir();
    await startShim(dir, 10_000, ['sh', '-c', 'kill -9 $$']);
    const exit = await waitForExit(dir);
    expect(exit).toMatchObject({ signal: 'SIGKILL', signo: 9 });
    expect(exit.exitCode).toBeUndefined();
  });

  it('reports an exec failure in the handshake and the exit file', async () => {
    const dir = tempDir();
    const shim = await startShim(dir, 10_000, ['/nonexistent/mo-no-such-binary']);
    expect(shim.handshake).toMatch(/^E 2 /);
    const exit = await waitForExit(dir);
    expect(exit.errno).toBe(2);
    expect(exit.execError).toMatch(/No such file/);
    expect(exit.exitCode).toBeUndefined();
    expect(existsSync(join(dir, 'started'))).toBe(false);
    expect((await exited(shim.proc)).code).toBe(127);
  });

  it('rejects bad arguments with exit status 2', async () => {
    const proc = spawn(SHIM, [tempDir(), '0', '--', 'true'], { stdio: 'ignore' });
    expect((await exited(proc)).code).toBe(2);
  });

  it('captures stdout and stderr separately, with the cwd and environment it was given', async () => {
    const dir = tempDir();
    const cwd = tempDir();
    await startShim(dir, 10_000, ['sh', '-c', 'echo out; echo err >&2; pwd; echo "$MO_TEST_VAR"'], {
      cwd,
      env: { PATH: process.env.PATH, MO_TEST_VAR: 'hello-env' },
    });
    const exit = await waitForExit(dir);
    expect(exit.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toBe(`out\n${cwd}\nhello-env\n`);
    expect(readFileSync(join(dir, 'stderr.log'), 'utf8')).toBe('err\n');
    // What the logs hold, counted for the agent's log retention (--max-log-disk).
    expect(exit.logBytes).toBe(`out\n${cwd}\nhello-env\n`.length + 'err\n'.length);
  });

  it('caps each log at log-max-bytes with one rotation', async () => {
    const dir = tempDir();
    // 30 lines of 100 bytes each: 3x the cap.
    const script = 'i=0; while [ $i -lt 30 ]; do printf "%099d\\n" $i; i=$((i+1)); done';
    await startShim(dir, 1000, ['sh', '-c', script]);
    const exit = await waitForExit(dir);
    expect(exit.exitCode).toBe(0);
    const current = readFileSync(join(dir, 'stdout.log'), 'utf8');
    const rotated = readFileSync(join(dir, 'stdout.log.1'), 'utf8');
    expect(exit.logBytes).toBe(current.length + rotated.length); // both files, counted by the shim
    expect(statSync(join(dir, 'stdout.log')).size).toBeLessThanOrEqual(1000);
    expect(statSync(join(dir, 'stdout.log.1')).size).toBeLessThanOrEqual(1000);
    expect(rotated.length).toBeGreaterThan(0);
    // What is kept is the newest output, in order, ending with the last line.
    const all = Array.from({ length: 30 }, (_, i) => String(i).padStart(99, '0') + '\n').join('');
    expect(all.endsWith(rotated + current)).toBe(true);
  });

  it('cuts a chunk over the cap after a whole line, so each log file holds whole lines', async () => {
    const dir = tempDir();
    // The same 30 lines in one write (3000 bytes, ~3x the cap): one chunk for the shim to split.
    const lines = 'i=0; while [ $i -lt 30 ]; do printf "%099d\\n" $i; i=$((i+1)); done';
    // A cap that is not a whole number of lines (1050 = 10.5 lines of 100 bytes).
    await startShim(dir, 1050, ['sh', '-c', `printf '%s\\n' "$(${lines})"`]);
    expect((await waitForExit(dir)).exitCode).toBe(0);
    const line = /^\d{99}\n$/;
    for (const name of ['stdout.log', 'stdout.log.1']) {
      const text = readFileSync(join(dir, name), 'utf8');
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThanOrEqual(1050);
      for (const l of text.match(/[^\n]*\n/g)!) expect(l).toMatch(line);
      expect(text.endsWith('\n')).toBe(true);
    }
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8').endsWith(`${'29'.padStart(99, '0')}\n`)).toBe(true);

    // A line longer than the cap is still cut: no file grows past it.
    const long = tempDir();
    await startShim(long, 1000, ['sh', '-c', 'printf "%02500d\\n" 7']);
    expect((await waitForExit(long)).exitCode).toBe(0);
    expect(statSync(join(long, 'stdout.log')).size).toBeLessThanOrEqual(1000);
    expect(statSync(join(long, 'stdout.log.1')).size).toBe(1000);
  });

  it('puts the workload in its own process group, outside the caller session, and survives group stops', async () => {
    const dir = tempDir();
    const shim = await startShim(dir, 10_000, ['sleep', '30']);
    const pid = shim.workloadPid!;
    expect(Number(statField(pid, 5))).toBe(pid); // pgrp
    const ourSession = Number(statField('self', 6));
    expect(Number(statField(pid, 6))).not.toBe(ourSession);
    // The shim leads its own session, so the agent's group and terminal signals miss it.
    expect(Number(statField(shim.proc.pid!, 6))).toBe(shim.proc.pid);
    // The agent stops a workload by signalling its group; the shim stays to record it.
    process.kill(-pid, 'SIGTERM');
    expect(await waitForExit(dir)).toMatchObject({ signal: 'SIGTERM', signo: 15 });
  });

  it('kills and reaps what the workload left behind, even when its stdout is held open', async () => {
    const dir = tempDir();
    const start = Date.now();
    const shim = await startShim(dir, 10_000, ['sh', '-c', `sleep 300 & echo $! > gc.pid; exit 0`]);
    expect((await waitForExit(dir)).exitCode).toBe(0);
    expect(Date.now() - start).toBeLessThan(5_000);
    const gc = Number(readFileSync(join(dir, 'gc.pid'), 'utf8'));
    pidsToKill.push(gc);
    expect(gc).toBeGreaterThan(0);
    expect(existsSync(`/proc/${gc}`)).toBe(false);
    expect(await exited(shim.proc)).toEqual({ code: 0, signal: null });
  });

  it('kills a grandchild that escaped into its own session', async () => {
    const dir = tempDir();
    const script =
      `setsid sh -c 'echo $$ > gc.pid; exec sleep 300' & ` +
      `while [ ! -s gc.pid ]; do sleep 0.01; done; ` +
      `echo "escaped pgid: $(cut -d' ' -f5 /proc/$(cat gc.pid)/stat)"; exit 0`;
    await startShim(dir, 10_000, ['sh', '-c', script]);
    expect((await waitForExit(dir)).exitCode).toBe(0);
    const gc = Number(readFileSync(join(dir, 'gc.pid'), 'utf8'));
    pidsToKill.push(gc);
    // It really had left the workload's group (its pgid is its own pid), yet it is gone.
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toBe(`escaped pgid: ${gc}\n`);
    expect(existsSync(`/proc/${gc}`)).toBe(false);
  });

  it('keeps running and records the exit after its parent is SIGKILLed', async () => {
    const dir = tempDir();
    // Stand-in for the agent: spawns the shim like the agent does, relays its pid and handshake.
    const agentScript = `
      const { spawn } = require('node:child_process');
      const [shim, dir] = process.argv.slice(1);
      const c = spawn(shim, [dir, '10000', '--', 'sh', '-c', 'sleep 0.5; exit 3'],
        { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
      process.stdout.write('PID ' + c.pid + '\\n');
      c.stdout.on('data', (d) => process.stdout.write(d));
      setInterval(() => {}, 1000);
    `;
    const agent = spawn(process.execPath, ['-e', agentScript, SHIM, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    pidsToKill.push(agent.pid!);
    let out = '';
    agent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!/\nS \d+ \d+\n/.test(out)) {
      if (Date.now() > deadline) throw new Error(`no handshake from the stand-in agent: ${JSON.stringify(out)}`);
      await sleep(10);
    }
    const shimPid = Number(/^PID (\d+)/.exec(out)![1]);
    const workloadPid = Number(/\nS (\d+) /.exec(out)![1]);
    pidsToKill.push(shimPid);
    groupsToKill.push(workloadPid);

    agent.kill('SIGKILL');
    expect((await exited(agent)).signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'exit'))).toBe(false); // the workload is still sleeping
    expect(isRunning(shimPid)).toBe(true);

    expect((await waitForExit(dir)).exitCode).toBe(3);
    // The shim then exits on its own (its new parent may or may not reap it promptly).
    const gone = Date.now() + 5_000;
    while (isRunning(shimPid) && Date.now() < gone) await sleep(20);
    expect(isRunning(shimPid)).toBe(false);
  });

  it('still supervises and records the exit when a log file cannot be opened', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'stdout.log')); // open(O_WRONLY) on a directory: EISDIR
    const shim = await startShim(dir, 10_000, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(shim.handshake).toMatch(/^S \d+ \d+$/);
    const exit = await waitForExit(dir);
    expect(exit.exitCode).toBe(3);
    expect(exit.logError).toMatch(/Is a directory/);
    expect(readFileSync(join(dir, 'stderr.log'), 'utf8')).toBe('err\n');
    expect(await exited(shim.proc)).toEqual({ code: 0, signal: null });
  });

  it('gives the workload default signal dispositions and an empty signal mask', async () => {
    const dir = tempDir();
    const shim = await startShim(dir, 10_000, ['sleep', '30']);
    expect(signalMasks(shim.workloadPid!)).toEqual({ ignored: '0000000000000000', blocked: '0000000000000000' });
    process.kill(-shim.workloadPid!, 'SIGKILL');
    expect((await waitForExit(dir)).signo).toBe(9);
  });

  it('stays tiny in memory', async () => {
    const dir = tempDir();
    const shim = await startShim(dir, 1_000_000, [
      'sh',
      '-c',
      'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; sleep 30',
    ]);
    // Once it has copied all the output, the steady-state loop has run.
    await waitForFile(join(dir, 'stdout.log'), 10_000, 'line 1999\n');
    const status = readFileSync(`/proc/${shim.proc.pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
    console.log(`mo-shim VmRSS: ${rssKb} kB`);
    expect(rssKb).toBeLessThan(2048);
    process.kill(-shim.workloadPid!, 'SIGKILL');
    expect(await waitForExit(dir)).toMatchObject({ signal: 'SIGKILL', signo: 9 });
  });
});

describe('mo-shim --launcher', () => {
  it('starts workloads from frames that arrive together or in pieces and reports each shim exit', async () => {
    const launcher = new Launcher();
    const [d1, d2, d3] = [tempDir(), tempDir(), tempDir()];
    launcher.send(
      frame({ id: 'r1', dir: d1, argv: ['sh', '-c', 'echo hi; exit 4'] }),
      frame({ id: 'r2', dir: d2, argv: ['sleep', '0.3'] }),
    );
    const third = frame({ id: 'r3', dir: d3, argv: ['sh', '-c', 'exit 0'] });
    launcher.send(third.subarray(0, 7)); // splits the header's neighbourhood: 4 length bytes + 3
    await sleep(20); // pacing, not a wait: the two pieces arrive in separate reads
    launcher.send(third.subarray(7));

    const started = await Promise.all(['r1', 'r2', 'r3'].map((id) => launcher.started(id)));
    for (const s of started) {
      expect(s.pid).toBeGreaterThan(0);
      expect(s.startTime).toBeGreaterThan(0);
      expect(s.shimPid).toBeGreaterThan(0);
      expect(s.shimPid).not.toBe(s.pid);
    }
    // r2 is still sleeping: its shim is the launcher's child, leads its own session, and its
    // workload leads its own process group.
    const r2 = started[1]!;
    expect(Number(statField(r2.shimPid, 4))).toBe(launcher.proc.pid); // ppid
    expect(Number(statField(r2.shimPid, 22))).toBe(r2.shimStartTime); // its identity, as reported
    expect(Number(statField(r2.shimPid, 6))).toBe(r2.shimPid); // session
    expect(Number(statField(r2.pid, 5))).toBe(r2.pid); // pgrp
    expect(Number(statField(r2.pid, 4))).toBe(r2.shimPid);

    expect((await waitForExit(d1)).exitCode).toBe(4);
    expect((await waitForExit(d2)).exitCode).toBe(0);
    expect((await waitForExit(d3)).exitCode).toBe(0);
    for (const [i, s] of started.entries()) {
      expect(await launcher.shimExit(s.shimPid)).toBe(0);
      // The shim's own handshake always precedes the launcher's report of its exit.
      expect(launcher.lines.indexOf(`X ${s.shimPid} 0`)).toBeGreaterThan(launcher.lines.indexOf(s.line));
      expect(JSON.parse(await waitForFile(join([d1, d2, d3][i]!, 'started')))).toMatchObject({
        pid: s.pid,
        startTime: s.startTime,
        shimPid: s.shimPid,
        shimStartTime: s.shimStartTime,
      });
    }
    expect(readFileSync(join(d1, 'stdout.log'), 'utf8')).toBe('hi\n');
    expect(launcher.lines).toHaveLength(6);
    launcher.proc.stdin!.end();
    expect(await exited(launcher.proc)).toEqual({ code: 0, signal: null });
  });

  it('serves a burst of frames sent at once, whose workloads exit at once, and keeps serving', async () => {
    // Exercises the hand-over of the request stream between spare shims while shims exit around
    // it: a spare that took a request and exited must never be taken for one that saw EOF.
    const launcher = new Launcher();
    const n = 200;
    const dirs = Array.from({ length: n }, () => tempDir());
    launcher.send(...dirs.map((dir, i) => frame({ id: `b${i}`, dir, argv: ['/bin/true'] })));
    const started = await Promise.all(dirs.map((_, i) => launcher.started(`b${i}`)));
    expect(new Set(started.map((s) => s.shimPid)).size).toBe(n);
    for (const s of started) expect(await launcher.shimExit(s.shimPid)).toBe(0);
    // Then requests that trickle in, a few at a time, each sent as an earlier one starts: spares
    // hand the stream back after their handshake, as shims exit all around.
    const trickle = Array.from({ length: 300 }, () => tempDir());
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < trickle.length) {
          const i = next++;
          launcher.send(frame({ id: `t${i}`, dir: trickle[i]!, argv: ['/bin/true'] }));
          await launcher.started(`t${i}`);
        }
      }),
    );
    expect(launcher.proc.exitCode).toBeNull();
    // Still serving after all that.
    const dir = tempDir();
    launcher.send(frame({ id: 'after', dir, argv: ['sh', '-c', 'exit 3'] }));
    await launcher.started('after');
    expect((await waitForExit(dir)).exitCode).toBe(3);
    launcher.proc.stdin!.end();
    expect(await exited(launcher.proc)).toEqual({ code: 0, signal: null });
  });

  it('reports a bad working directory and an exec failure with the request id', async () => {
    const launcher = new Launcher();
    const [d1, d2] = [tempDir(), tempDir()];
    const missing = join(tempDir(), 'no-such-dir');
    launcher.send(
      frame({ id: 'cwd', dir: d1, cwd: missing, argv: ['true'] }),
      frame({ id: 'exec', dir: d2, argv: ['/nonexistent/mo-no-such-binary'] }),
    );
    expect(await launcher.handshake('cwd')).toBe(`cwd E 2 chdir ${missing}: No such file or directory`);
    expect(await launcher.handshake('exec')).toBe('exec E 2 No such file or directory');
    const cwdExit = await waitForExit(d1);
    expect(cwdExit).toMatchObject({ errno: 2, execError: `chdir ${missing}: No such file or directory` });
    expect(cwdExit.exitCode).toBeUndefined();
    expect((await waitForExit(d2)).execError).toMatch(/No such file/);
    for (const d of [d1, d2]) expect(existsSync(join(d, 'started'))).toBe(false);
    // Both shims exit 127 (raw wait status 127 << 8).
    const shimExits = () => launcher.lines.filter((l) => l.startsWith('X '));
    const deadline = Date.now() + 10_000;
    while (shimExits().length < 2 && Date.now() < deadline) await sleep(10);
    expect(shimExits().map((l) => Number(l.split(' ')[2]))).toEqual([127 << 8, 127 << 8]);
  });

  it("gives the workload exactly the request's environment and working directory", async () => {
    const launcher = new Launcher();
    const dir = tempDir();
    const cwd = tempDir();
    expect(process.env.HOME).toBeDefined(); // so its absence below means something
    launcher.send(frame({ id: 'env', dir, cwd, env: ['A=1', 'PATH=/usr/bin:/bin'], argv: ['sh', '-c', 'env; pwd'] }));
    await launcher.started('env');
    expect((await waitForExit(dir)).exitCode).toBe(0);
    const out = readFileSync(join(dir, 'stdout.log'), 'utf8').trimEnd().split('\n');
    expect(out.pop()).toBe(cwd);
    expect(out).toContain('A=1');
    expect(out).toContain('PATH=/usr/bin:/bin');
    // Only what we passed, plus what sh itself sets.
    const names = out.map((l) => l.slice(0, l.indexOf('=')));
    for (const name of names) expect(['A', 'PATH', 'PWD', 'OLDPWD', 'SHLVL', '_']).toContain(name);
  });

  it('gives the workload default signal dispositions and an empty signal mask', async () => {
    const launcher = new Launcher();
    const dir = tempDir();
    launcher.send(frame({ id: 'sig', dir, argv: ['sleep', '30'] }));
    const s = await launcher.started('sig');
    expect(signalMasks(s.pid)).toEqual({ ignored: '0000000000000000', blocked: '0000000000000000' });
    process.kill(-s.pid, 'SIGKILL');
    expect((await waitForExit(dir)).signo).toBe(9);
    expect(await launcher.shimExit(s.shimPid)).toBe(0);
  });

  it("drops to the request's user before its chdir and exec, for good", async () => {
    if (!requireTool(process.getuid?.() === 0, 'root (to switch users)')) return;
    const launcher = new Launcher();
    const [dir, denied] = [tempDir(), tempDir()];
    // The workload's own view: ids, groups, capabilities, and whether root comes back.
    const script =
      'id -u; id -g; id -G; grep -E "^Cap(Eff|Prm):" /proc/self/status; ' +
      '(exec 2>/dev/null; head -c 1 /etc/shadow && echo SHADOW) || echo no-shadow';
    launcher.send(
      frame({ id: 'u', dir, user: '65534:65534:65534,4242', argv: ['sh', '-c', script] }),
      // A dir only root may enter (a mkdtemp dir, 0700): entered as the user, so refused.
      frame({ id: 'cwd', dir: tempDir(), cwd: denied, user: '65534:65534:', argv: ['true'] }),
    );
    await launcher.started('u');
    expect((await waitForExit(dir)).exitCode).toBe(0);
    const out = readFileSync(join(dir, 'stdout.log'), 'utf8').trim().split('\n');
    expect(out.slice(0, 3)).toEqual(['65534', '65534', expect.stringMatching(/^(65534 4242|4242 65534)$/)]);
    expect(out.slice(3, 5)).toEqual(['CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000']);
    expect(out[5]).toBe('no-shadow');
    // The shim and its records stay root's.
    expect(statSync(join(dir, 'stdout.log')).uid).toBe(0);
    expect(await launcher.handshake('cwd')).toBe(`cwd E 13 chdir ${denied}: Permission denied`);
  });

  it('rejects malformed frames with E 22 and keeps serving', async () => {
    const launcher = new Launcher();
    const dir = tempDir();
    launcher.send(
      // argvCount says 3, one string follows
      rawFrame(['bad1', dir, '10000', '', '0', '0', '0', '', '0', '3', 'true']),
      // no NUL at all: not even the id is readable
      Buffer.concat([Buffer.from([5, 0, 0, 0]), Buffer.from('bad2x')]),
      // trailing bytes after the argv
      rawFrame(['bad3', dir, '10000', '', '0', '0', '0', '', '0', '1', 'true', 'extra']),
      // log-max-bytes must be positive
      rawFrame(['bad4', dir, '0', '', '0', '0', '0', '', '0', '1', 'true']),
      // a user field that is not uid:gid:groups
      frame({ id: 'bad5', dir, user: 'nobody', argv: ['true'] }),
      frame({ id: 'bad6', dir, user: '1:2:3,x', argv: ['true'] }),
      frame({ id: 'bad7', dir, user: '4294967295:0:', argv: ['true'] }),
      // empty frame
      Buffer.from([0, 0, 0, 0]),
      frame({ id: 'good', dir, argv: ['sh', '-c', 'exit 6'] }),
    );
    await launcher.started('good');
    expect(launcher.lines.slice(0, 8)).toEqual([
      'bad1 E 22 bad request',
      '? E 22 bad request',
      'bad3 E 22 bad request',
      'bad4 E 22 bad request',
      'bad5 E 22 bad request',
      'bad6 E 22 bad request',
      'bad7 E 22 bad request',
      '? E 22 bad request',
    ]);
    expect((await waitForExit(dir)).exitCode).toBe(6);
  });

  it('exits 2 on a frame length over 1 MiB (the stream cannot be resynchronised)', async () => {
    const launcher = new Launcher('pipe');
    let stderr = '';
    launcher.proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const header = Buffer.alloc(4);
    header.writeUInt32LE(1024 * 1024 + 1);
    launcher.send(header);
    expect(await exited(launcher.proc)).toEqual({ code: 2, signal: null });
    expect(stderr).toMatch(/exceeds/);
  });

  it('exits 0 on EOF without touching running shims and workloads', async () => {
    const launcher = new Launcher();
    const dir = tempDir();
    launcher.send(frame({ id: 'keep', dir, argv: ['sleep', '5'] }));
    const s = await launcher.started('keep');
    launcher.proc.stdin!.end();
    expect(await exited(launcher.proc)).toEqual({ code: 0, signal: null });
    expect(isRunning(s.shimPid)).toBe(true);
    expect(isRunning(s.pid)).toBe(true);
    expect(Number(statField(s.shimPid, 4))).not.toBe(launcher.proc.pid); // reparented
    expect(existsSync(join(dir, 'exit'))).toBe(false);
    process.kill(-s.pid, 'SIGKILL');
    expect(await waitForExit(dir)).toMatchObject({ signal: 'SIGKILL', signo: 9 });
    const gone = Date.now() + 5_000;
    while (isRunning(s.shimPid) && Date.now() < gone) await sleep(20);
    expect(isRunning(s.shimPid)).toBe(false);
  });

  it('stays tiny in memory, launcher and shims', async () => {
    const launcher = new Launcher();
    const dir = tempDir();
    launcher.send(
      frame({
        id: 'mem',
        dir,
        logMax: 1_000_000,
        argv: ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; sleep 30'],
      }),
    );
    const s = await launcher.started('mem');
    await waitForFile(join(dir, 'stdout.log'), 10_000, 'line 1999\n'); // all copied: the steady-state loop has run
    const rss = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    const shimKb = rss(s.shimPid);
    const launcherKb = rss(launcher.proc.pid!);
    console.log(`mo-shim VmRSS: launcher ${launcherKb} kB, shim forked by the launcher ${shimKb} kB`);
    expect(shimKb).toBeLessThan(2048);
    expect(launcherKb).toBeLessThan(2048);
    process.kill(-s.pid, 'SIGKILL');
    expect(await waitForExit(dir)).toMatchObject({ signal: 'SIGKILL', signo: 9 });
  });

  it('measures start latency: launcher vs standalone shim vs child_process.spawn', async () => {
    const N = 100;
    const launcher = new Launcher();
    const dirs = Array.from({ length: N }, () => tempDir());
    // Each start completes (shim gone) before the next, so starts do not compete with the previous
    // shim's exit path; the same in all three loops.
    const viaLauncher: number[] = [];
    for (let i = 0; i < N; i++) {
      const f = frame({ id: `t${i}`, dir: dirs[i]!, argv: ['/bin/true'] });
      const t0 = performance.now();
      launcher.send(f);
      const s = await launcher.started(`t${i}`);
      viaLauncher.push(performance.now() - t0);
      expect(await launcher.shimExit(s.shimPid)).toBe(0);
    }

    const viaStandalone: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const shim = await startShim(dirs[i]!, 10_000, ['/bin/true']);
      viaStandalone.push(performance.now() - t0);
      await exited(shim.proc);
    }

    const viaSpawn: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const proc = spawn('/bin/true', { stdio: 'ignore' });
      await new Promise((resolve, reject) => proc.once('spawn', resolve).once('error', reject));
      viaSpawn.push(performance.now() - t0);
      await exited(proc);
    }
    const rssMb = Math.round(process.memoryUsage().rss / 1e6);
    console.log(
      `start latency p50 over ${N} sequential starts (test process RSS ${rssMb} MB): ` +
        `launcher frame->S ${median(viaLauncher).toFixed(3)} ms, ` +
        `standalone shim spawn->S ${median(viaStandalone).toFixed(3)} ms, ` +
        `child_process.spawn('/bin/true')->'spawn' ${median(viaSpawn).toFixed(3)} ms`,
    );
  });
});
