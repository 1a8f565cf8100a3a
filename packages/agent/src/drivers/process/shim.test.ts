// Runs the compiled mo-shim against real processes: the handshake, the exit record, log capture and
// rotation, process-group isolation, orphan cleanup and survival of the agent's death.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHIM = join(pkgDir, 'dist', 'bin', 'mo-shim');

interface ExitRecord {
  exitCode?: number;
  signal?: string;
  signo?: number;
  execError?: string;
  errno?: number;
  finishedAtMs: number;
}

const dirs: string[] = [];
const pidsToKill: number[] = []; // shims and leftover grandchildren
const groupsToKill: number[] = []; // workload process groups

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

async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${path}`);
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

beforeAll(() => {
  execFileSync(process.execPath, [join(pkgDir, 'scripts', 'build-shim.mjs')], { stdio: 'inherit' });
});

afterAll(() => {
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
    expect(JSON.parse(readFileSync(join(dir, 'started'), 'utf8'))).toEqual({ pid, startTime });

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
    expect(JSON.parse(readFileSync(join(dir, 'started'), 'utf8')).pid).toBe(second.workloadPid);
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
    expect((await waitForExit(dir)).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toBe(`out\n${cwd}\nhello-env\n`);
    expect(readFileSync(join(dir, 'stderr.log'), 'utf8')).toBe('err\n');
  });

  it('caps each log at log-max-bytes with one rotation', async () => {
    const dir = tempDir();
    // 30 lines of 100 bytes each: 3x the cap.
    const script = 'i=0; while [ $i -lt 30 ]; do printf "%099d\\n" $i; i=$((i+1)); done';
    await startShim(dir, 1000, ['sh', '-c', script]);
    expect((await waitForExit(dir)).exitCode).toBe(0);
    const current = readFileSync(join(dir, 'stdout.log'), 'utf8');
    const rotated = readFileSync(join(dir, 'stdout.log.1'), 'utf8');
    expect(statSync(join(dir, 'stdout.log')).size).toBeLessThanOrEqual(1000);
    expect(statSync(join(dir, 'stdout.log.1')).size).toBeLessThanOrEqual(1000);
    expect(rotated.length).toBeGreaterThan(0);
    // What is kept is the newest output, in order, ending with the last line.
    const all = Array.from({ length: 30 }, (_, i) => String(i).padStart(99, '0') + '\n').join('');
    expect(all.endsWith(rotated + current)).toBe(true);
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

  it('stays tiny in memory', async () => {
    const dir = tempDir();
    const shim = await startShim(dir, 1_000_000, [
      'sh',
      '-c',
      'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; sleep 30',
    ]);
    // Let it copy output for a moment so the steady-state loop has run.
    await sleep(300);
    const status = readFileSync(`/proc/${shim.proc.pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
    console.log(`mo-shim VmRSS: ${rssKb} kB`);
    expect(rssKb).toBeLessThan(2048);
    process.kill(-shim.workloadPid!, 'SIGKILL');
    expect(await waitForExit(dir)).toMatchObject({ signal: 'SIGKILL', signo: 9 });
  });
});
