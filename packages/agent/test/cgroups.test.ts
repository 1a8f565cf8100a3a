// A cgroup per process workload, end to end with real agents, real processes and this host's real
// cgroups: a workload that kills its mo-shim is still stopped by `mo stop` and nothing of it is
// left (also across an agent restart); usage covers the whole tree (checked against /proc);
// --memory is enforced (failed, oom_killed); stale cgroups are removed at restart; and without a
// writable cgroup the agent says so, and still stops and measures the tree by its session.
import { afterAll, describe, expect, it } from '@jest/globals';
import { WorkloadState, type WorkloadSpec } from '@mo/api';
import { runMo, sleep, startAgentProcess, waitFor, type AgentProcess } from '@mo/testkit';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cgroupMounts,
  cgroupsAvailable,
  killWith,
  processesWith,
  removeCgroupTree,
  v2Mount,
} from './cgroup-helpers.js';

const agents: AgentProcess[] = [];
const markers: string[] = [];
const roots: string[] = [];
let n = 0;

afterAll(async () => {
  for (const a of agents) await a.kill('SIGKILL');
  for (const m of markers) killWith(m);
  for (const r of roots) await removeCgroupTree(r);
});

/** A unique argument for one workload: `sleep <marker>` sleeps that long and names every process. */
function marker(): string {
  const m = `${7_000_000 + (process.pid % 100_000) * 10 + ++n}`;
  markers.push(m);
  return m;
}

async function agent(options: { root?: string; dataDir?: string } = {}): Promise<AgentProcess> {
  const root = options.root ?? `/mo-test/agent-${process.pid}-${++n}`;
  if (!roots.includes(root)) roots.push(root);
  const a = await startAgentProcess({
    ...(options.dataDir && { dataDir: options.dataDir }),
    // Root allowed: the escapee below must be able to kill its (root) shim.
    extraArgs: ['--cgroup-root', root, '--allowed-users', 'root'],
  });
  agents.push(a);
  return a;
}

async function ended(a: AgentProcess, id: string) {
  return waitFor(
    `workload ${id} to end`,
    async () => {
      const w = await a.client.getWorkload(id);
      const live: unknown[] = [WorkloadState.WORKLOAD_STATE_RUNNING, WorkloadState.WORKLOAD_STATE_STARTING];
      return live.includes(w.state) ? undefined : w;
    },
    { timeoutMs: 20_000 },
  );
}

/**
 * Starts `sh -c '<sleep M> & sleep 1; kill -9 $PPID; wait'`: it kills its own shim after a second.
 * As root: a workload of another user cannot signal its shim, which stays root's.
 */
async function startEscapee(a: AgentProcess, m: string) {
  return a.client.startWorkload({
    argv: ['sh', '-c', `sleep ${m} & sleep 1; kill -9 $PPID; wait`],
    name: 'escapee',
    user: 'root',
  });
}

/** `mo --agent ADDR stop ID`, as a user would. */
async function moStop(a: AgentProcess, id: string): Promise<string> {
  const r = await runMo(['--agent', a.grpcAddress, 'stop', '--grace', '2s', id]);
  expect(r).toMatchObject({ code: 0 });
  return r.stdout;
}

/** The cgroup the shim recorded for a workload (in `started`, written just after the handshake). */
async function cgroupOfWorkload(a: AgentProcess, id: string): Promise<string> {
  return (await startedOf(a, id)).cgroup!;
}

async function startedOf(a: AgentProcess, id: string): Promise<{ shimPid: number; cgroup?: string }> {
  const path = join(a.dataDir, 'workloads', id, 'started');
  await waitFor(`${path}`, () => existsSync(path));
  return JSON.parse(readFileSync(path, 'utf8')) as { shimPid: number; cgroup?: string };
}

const describeCgroups = cgroupsAvailable() ? describe : describe.skip;

describeCgroups('process workloads in cgroups', () => {
  it('are reported in the node facts: mode and enforced limits', async () => {
    const a = await agent();
    const facts = (await a.client.getNodeStatus({ omitWorkloads: true })).facts!;
    expect(['v1', 'v2']).toContain(facts.cgroupMode);
    expect(a.logs()).toMatch(/"msg":"cgroups: a cgroup per process workload"/);
    const status = await runMo(['--agent', a.grpcAddress, 'status']);
    expect(status.stdout).toMatch(
      new RegExp(`cgroups +${facts.cgroupMode} \\(limits: ${facts.enforcedLimits.join(', ')}`),
    );
  });

  it('stops a workload that killed its shim, leaving nothing of it', async () => {
    const a = await agent();
    const m = marker();
    const w = await startEscapee(a, m);
    const cgroup = await cgroupOfWorkload(a, w.spec!.id);
    const shimPid = await shimPidOf(a, w.spec!.id);
    await waitFor('the shim to be killed', () => !existsSync(`/proc/${shimPid}`));
    // Proves a negative: the agent saw its shim die and looks again (polls every 250 ms); it must
    // not take the workload for ended.
    await sleep(500);
    const running = await a.client.getWorkload(w.spec!.id);
    expect(running.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    expect(running.usage?.processes).toBe(2); // sh and sleep
    expect(processesWith(`sleep ${m}`)).toHaveLength(2);

    expect(await moStop(a, w.spec!.id)).toMatch(/stopped/);
    expect((await a.client.getWorkload(w.spec!.id)).state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    expect(processesWith(`sleep ${m}`)).toEqual([]);
    for (const mount of cgroupMounts()) expect(existsSync(`${mount}${cgroup}`)).toBe(false);
  });

  it('stops it after an agent restart too: the workload was orphaned to init meanwhile', async () => {
    const first = await agent();
    const m = marker();
    const w = await startEscapee(first, m);
    await first.kill('SIGKILL');
    // The launcher went with the agent: the shim's orphans now belong to init.
    const shimPid = await shimPidOf(first, w.spec!.id);
    await waitFor('the shim to be killed', () => !existsSync(`/proc/${shimPid}`));
    const second = await agent({ dataDir: first.dataDir, root: roots.at(-1) });
    expect((await second.client.getWorkload(w.spec!.id)).state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    expect(await moStop(second, w.spec!.id)).toMatch(/stopped/);
    expect(processesWith(`sleep ${m}`)).toEqual([]);
  });

  it('measures CPU and memory of the whole tree, within 5 points of /proc', async () => {
    const a = await agent();
    const m = marker();
    // A CPU burner and a ~120 MiB shell variable, under one shell.
    const script = [
      `sh -c 'while :; do :; done # ${m}' &`,
      `sh -c 'x=$(head -c 125829120 /dev/zero | tr "\\0" a); sleep ${m}' &`,
      'wait',
    ].join('\n');
    const w = await a.client.startWorkload({ argv: ['sh', '-c', script], name: 'tree' });
    const group = w.pid; // the tree stays in the shell's process group (no job control)
    await waitFor(
      'the 120 MiB to be allocated',
      () => procTree(group).rssBytes > 120 * 2 ** 20 && procTree(group).count === 4,
      {
        timeoutMs: 30_000,
      },
    );
    await a.client.getWorkload(w.spec!.id); // the agent's CPU window starts here ...
    const before = procTree(group);
    await sleep(2000); // the measurement window (the CPU share is averaged over it)
    const after = procTree(group);
    const usage = (await a.client.getWorkload(w.spec!.id)).usage!; // ... and ends here
    const procCpu = ((after.cpuTicks - before.cpuTicks) / CLOCK_TICKS / ((after.atMs - before.atMs) / 1000)) * 100;
    expect(usage.processes).toBe(after.count);
    expect(Math.abs(usage.cpuPercent - procCpu)).toBeLessThanOrEqual(5);
    expect(Math.abs(usage.rssBytes - after.rssBytes) / after.rssBytes).toBeLessThanOrEqual(0.05);
    await a.client.stopWorkload(w.spec!.id, 100);
  });

  it('enforces --memory: allocating past it ends the workload failed, oom_killed', async () => {
    const a = await agent();
    const facts = (await a.client.getNodeStatus({ omitWorkloads: true })).facts!;
    if (!facts.enforcedLimits.includes('memory')) return;
    const spec: WorkloadSpec = {
      argv: ['sh', '-c', `x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived`],
      resources: { memoryBytes: 32 * 2 ** 20 },
    };
    const w = await a.client.startWorkload(spec);
    const end = await ended(a, w.spec!.id);
    expect(end.state).toBe(WorkloadState.WORKLOAD_STATE_FAILED);
    expect(end.reason).toMatch(/^oom_killed: out of memory/);
  });

  it('enforces --pids: forks past the limit fail', async () => {
    const a = await agent();
    const facts = (await a.client.getNodeStatus({ omitWorkloads: true })).facts!;
    if (!facts.enforcedLimits.includes('pids')) return;
    const forks = 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait';
    const started = await runMo(['--agent', a.grpcAddress, '--json', 'start', '--pids', '4', '--', 'sh', '-c', forks]);
    expect(started).toMatchObject({ code: 0 });
    const id = (JSON.parse(started.stdout) as { spec: { id: string; pidsLimit: string | number } }).spec.id;
    expect(Number((await a.client.getWorkload(id)).spec!.pidsLimit)).toBe(4);
    await ended(a, id);
    expect(readFileSync(join(a.dataDir, 'workloads', id, 'stderr.log'), 'utf8')).toMatch(/fork/i);
  });

  it('writes --cpu as the CFS quota of the workload cgroup', async () => {
    const a = await agent();
    const facts = (await a.client.getNodeStatus({ omitWorkloads: true })).facts!;
    if (!facts.enforcedLimits.includes('cpu')) return;
    const w = await a.client.startWorkload({ argv: ['sleep', marker()], resources: { cpuMillis: 500 } });
    const cgroup = await cgroupOfWorkload(a, w.spec!.id);
    const quota = cgroupMounts()
      .map((mount) => [`${mount}${cgroup}/cpu.max`, `${mount}${cgroup}/cpu.cfs_quota_us`])
      .flat()
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8').trim());
    expect(quota).toEqual([facts.cgroupMode === 'v2' ? '50000 100000' : '50000']);
    await a.client.stopWorkload(w.spec!.id, 100);
  });

  it('removes at restart the cgroups under its root that no workload owns, killing what runs there', async () => {
    const first = await agent();
    const root = roots.at(-1)!;
    await first.kill('SIGTERM');
    const track = v2Mount();
    if (!track) return; // v1-only hosts track in a v1 hierarchy: not this test's case
    const stale = `${track}${root}/w-1-1`;
    mkdirSync(stale, { recursive: true });
    const m = marker();
    const orphan = spawn('sleep', [m], { stdio: 'ignore', detached: true });
    writeFileSync(`${stale}/cgroup.procs`, String(orphan.pid));
    const second = await agent({ dataDir: first.dataDir, root });
    await waitFor('the orphan to be killed', () => processesWith(`sleep ${m}`).length === 0);
    expect(existsSync(stale)).toBe(false);
    expect(second.logs()).toMatch(/removed orphaned workloads/);
  });
});

describe('process workloads without a writable cgroup', () => {
  it('says so at start, reports no containment, and still stops and measures an escaped tree', async () => {
    // A root where no cgroup can be made (inside a file): the agent falls back to sessions.
    const a = await agent({ root: '/cgroup.procs/mo' });
    if (cgroupMounts().length > 0) expect(a.logs()).toMatch(/"msg":"no writable cgroup: process workloads are found/);
    const facts = (await a.client.getNodeStatus({ omitWorkloads: true })).facts!;
    expect(facts).toMatchObject({ cgroupMode: '', enforcedLimits: [] });

    const m = marker();
    const w = await startEscapee(a, m);
    const shimPid = await shimPidOf(a, w.spec!.id);
    await waitFor('the shim to be killed', () => !existsSync(`/proc/${shimPid}`));
    await sleep(500); // proves a negative, as above: not taken for ended after its shim died
    const running = await a.client.getWorkload(w.spec!.id);
    expect(running.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    expect(running.usage).toMatchObject({ processes: 2, rssBytes: expect.any(Number) });
    expect(running.usage!.rssBytes).toBeGreaterThan(0);

    expect(await moStop(a, w.spec!.id)).toMatch(/stopped/);
    expect(processesWith(`sleep ${m}`)).toEqual([]);
  });
});

async function shimPidOf(a: AgentProcess, id: string): Promise<number> {
  return (await startedOf(a, id)).shimPid;
}

/** USER_HZ: the unit of /proc/<pid>/stat times on every Linux mo runs on. */
const CLOCK_TICKS = 100;

/** Processes of a process group from /proc: how many, their CPU time (ticks) and the sum of VmRSS. */
function procTree(pgid: number): { count: number; cpuTicks: number; rssBytes: number; atMs: number } {
  let count = 0;
  let cpuTicks = 0;
  let rssBytes = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
      if (Number(f[2]) !== pgid || f[0] === 'Z') continue;
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
      count++;
      cpuTicks += Number(f[11]) + Number(f[12]);
      rssBytes += Number(rss?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return { count, cpuTicks, rssBytes, atMs: Date.now() };
}
