// `mo dev` as a user runs it: a scheduler and two agents come up as child processes, `mo nodes`
// sees both, a workload runs, and SIGINT stops the workload and every daemon (nothing left behind).
// A daemon that dies on its own takes the cluster down with exit code 1.
import { afterEach, describe, expect, it } from '@jest/globals';
import { CLI_BIN, isAlive, runMo, waitFor, type MoResult } from '@mo/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

interface Ready {
  scheduler: { grpcAddress: string; httpAddress: string; pid: number; dataDir: string };
  agents: { name: string; grpcAddress: string; pid: number; dataDir: string }[];
  dataDir: string;
}

interface Dev {
  child: ChildProcess;
  ready: Ready;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dirs: string[] = [];
const started: ChildProcess[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts `mo dev --json --port-base 0` and resolves with its ready report. */
async function startDev(...args: string[]): Promise<Dev> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mo-dev-test-'));
  dirs.push(dataDir);
  const child = spawn(
    process.execPath,
    [CLI_BIN, 'dev', '--json', '--port-base', '0', '--data-dir', dataDir, ...args],
    {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mo dev not ready after 45 s:\n${err}`)), 45_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Ready);
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`mo dev exited (${code}) before it was ready:\n${err}`));
    });
  });
  return { child, ready, stderr: () => err, exit };
}

function mo(scheduler: string, ...args: string[]): Promise<MoResult> {
  return runMo(['--scheduler', scheduler, ...args], { timeoutMs: 20_000 });
}

describe('mo dev', () => {
  it('runs a scheduler and 2 agents until SIGINT, then stops the workloads and every daemon and exits 0', async () => {
    const dev = await startDev('--agents', '2');
    const { scheduler, agents } = dev.ready;
    expect(agents.map((a) => a.name)).toEqual(['dev-0', 'dev-1']);
    expect(scheduler.dataDir).toBe(join(dev.ready.dataDir, 'scheduler'));
    expect(agents[1]!.dataDir).toBe(join(dev.ready.dataDir, 'agent-1'));

    const nodes = await mo(scheduler.grpcAddress, 'nodes');
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toMatch(/^dev-0\s+up\s/m);
    expect(nodes.stdout).toMatch(/^dev-1\s+up\s/m);

    const started = await mo(scheduler.grpcAddress, 'start', '--wait', '--json', '--', 'sleep', '300');
    expect(started.code).toBe(0);
    const workloadPid = (JSON.parse(started.stdout) as { workload: { pid: number } }).workload.pid;
    expect(await isAlive(workloadPid)).toBe(true);

    // Daemon logs are prefixed with who wrote them.
    expect(dev.stderr()).toMatch(/^scheduler \| \S+ info {2}scheduler ready /m);
    expect(dev.stderr()).toMatch(/^dev-1 {5}\| \S+ info {2}agent ready /m);

    dev.child.kill('SIGINT');
    expect(await dev.exit).toEqual({ code: 0, signal: null });
    expect(dev.stderr()).toContain('mo dev: stopping 1 workload(s)');
    for (const pid of [scheduler.pid, ...agents.map((a) => a.pid), workloadPid]) {
      expect(await isAlive(pid)).toBe(false);
    }
  });

  it('says which daemon died, stops the others and exits 1', async () => {
    const dev = await startDev('--agents', '1');
    const { scheduler, agents } = dev.ready;
    process.kill(agents[0]!.pid, 'SIGKILL');
    expect(await dev.exit).toEqual({ code: 1, signal: null });
    expect(dev.stderr()).toMatch(/^mo: dev-0: exited unexpectedly \(killed by SIGKILL\)/m);
    await waitFor('the scheduler to be stopped', async () => !(await isAlive(scheduler.pid)));
  });
});
