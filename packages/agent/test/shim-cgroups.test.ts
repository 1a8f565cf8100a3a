// mo-shim --launcher with workload cgroups (native/mo-cgroup.c): what it writes (against plain
// dirs standing in for a pure v2 and a v1 host, whose limits cannot be exercised on a hybrid), and
// on this host's real hierarchies: the workload born inside, the shim outside, limits enforced,
// the cgroup killed and removed at the end; and the launcher adopting a workload whose shim died.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { launcherArgs, setUpCgroups, type CgroupLayout } from '@mo/agent';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@mo/testkit';
import { cgroupOf, cgroupsAvailable, killWith, processesWith, removeCgroupTree } from './cgroup-helpers.js';

const SHIM = fileURLToPath(new URL('../dist/bin/mo-shim', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'mo-shim-cg-'));
const marker = `mo-shim-cg-${process.pid}`;
const launchers: Launcher[] = [];

afterAll(async () => {
  for (const l of launchers) l.proc.kill('SIGKILL');
  killWith(marker);
  await removeCgroupTree(realRoot);
  rmSync(base, { recursive: true, force: true });
});

interface Request {
  id: string;
  dir: string;
  argv: string[];
  memory?: number;
  cpu?: number;
  pids?: number;
}

function frame(r: Request): Buffer {
  const env = [`PATH=${process.env.PATH}`];
  // ... memoryMax, cpuMillis, pidsMax, user ('': the launcher's own)
  const fields = [r.id, r.dir, '100000', '', String(r.memory ?? 0), String(r.cpu ?? 0), String(r.pids ?? 0), ''];
  const payload = Buffer.from(
    [...fields, String(env.length), ...env, String(r.argv.length), ...r.argv].join('\0') + '\0',
  );
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length);
  return Buffer.concat([header, payload]);
}

/** A launcher and the lines it answered. */
class Launcher {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  private buf = '';
  constructor(args: string[]) {
    this.proc = spawn(SHIM, ['--launcher', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      this.lines.push(...parts);
    });
    launchers.push(this);
  }
  send(r: Request): void {
    this.proc.stdin!.write(frame(r));
  }
  async line(re: RegExp): Promise<string> {
    await waitFor(`a launcher line matching ${re}`, () => this.lines.some((l) => re.test(l)), { timeoutMs: 10_000 });
    return this.lines.find((l) => re.test(l))!;
  }
  /** "<id> S pid starttime shimpid shimstarttime cgroup" */
  async started(id: string): Promise<{ pid: number; shimPid: number; shimStartTime: number; cgroup?: string }> {
    const line = await this.line(new RegExp(`^${id} [SE] `));
    const m = /^\S+ S (\d+) \d+ (\d+) (\d+)(?: (\S+))?$/.exec(line);
    if (!m) throw new Error(`no start: ${line}`);
    return { pid: Number(m[1]), shimPid: Number(m[2]), shimStartTime: Number(m[3]), cgroup: m[4] };
  }
}

function taskDir(): string {
  const dir = mkdtempSync(join(base, 't-'));
  return dir;
}

async function exitRecord(dir: string): Promise<Record<string, unknown>> {
  await waitFor('the exit record', () => existsSync(join(dir, 'exit')), { timeoutMs: 15_000 });
  return JSON.parse(readFileSync(join(dir, 'exit'), 'utf8')) as Record<string, unknown>;
}

const read = (path: string) => readFileSync(path, 'utf8');

describe('mo-shim --launcher --cgroup, against plain dirs', () => {
  it('on a pure v2 layout: makes w-<shim>-<start>, joins it, writes memory (swap off), cpu and pids, then leaves', async () => {
    const agentDir = join(base, 'v2/mo/t');
    mkdirSync(join(agentDir, 'shims'), { recursive: true });
    const launcher = new Launcher(['--cgroup', `2tmcp:${agentDir}`, '--cgroup-rel', '/mo/t']);
    const dir = taskDir();
    launcher.send({ id: 'a', dir, argv: ['true'], memory: 64 << 20, cpu: 500, pids: 32 });
    const s = await launcher.started('a');
    const leaf = `w-${s.shimPid}-${s.shimStartTime}`;
    expect(s.cgroup).toBe(`/mo/t/${leaf}`);
    await exitRecord(dir);
    const cg = join(agentDir, leaf);
    expect(read(join(cg, 'cgroup.procs'))).toBe(String(s.shimPid));
    expect(read(join(cg, 'memory.max'))).toBe(String(64 << 20));
    expect(read(join(cg, 'memory.swap.max'))).toBe('0');
    expect(read(join(cg, 'cpu.max'))).toBe('50000 100000');
    expect(read(join(cg, 'pids.max'))).toBe('32');
    // It moved out after the handshake (the kill at the end is shown on this host's hierarchies).
    expect(read(join(agentDir, 'shims/cgroup.procs'))).toBe(String(s.shimPid));
    expect(JSON.parse(read(join(dir, 'started')))).toMatchObject({ cgroup: `/mo/t/${leaf}` });
  });

  it('on a v1 layout: memory.limit_in_bytes and memsw, the CFS quota and period; a hierarchy only for a limit asked for', async () => {
    const dirs = ['u', 'mem', 'cpu', 'pids'].map((h) => join(base, 'v1', h, 'mo/t'));
    for (const d of dirs) mkdirSync(join(d, 'shims'), { recursive: true });
    const [u, mem, cpu, pids] = dirs as [string, string, string, string];
    const launcher = new Launcher([
      ...['--cgroup', `2t:${u}`, '--cgroup', `1m:${mem}`, '--cgroup', `1c:${cpu}`, '--cgroup', `1p:${pids}`],
      ...['--cgroup-rel', '/mo/t'],
    ]);
    const d1 = taskDir();
    launcher.send({ id: 'a', dir: d1, argv: ['true'], memory: 1 << 30, cpu: 5 });
    const s = await launcher.started('a');
    await exitRecord(d1);
    const leaf = `w-${s.shimPid}-${s.shimStartTime}`;
    expect(read(join(mem, leaf, 'memory.limit_in_bytes'))).toBe(String(1 << 30));
    expect(read(join(mem, leaf, 'memory.memsw.limit_in_bytes'))).toBe(String(1 << 30));
    expect(read(join(cpu, leaf, 'cpu.cfs_period_us'))).toBe('100000');
    // 5 millicores would be a 500 µs quota: the kernel's least, 1 ms, is written instead.
    expect(read(join(cpu, leaf, 'cpu.cfs_quota_us'))).toBe('1000');
    // No pids limit asked: no cgroup in the pids hierarchy (each one joined costs a start two moves).
    expect(existsSync(join(pids, leaf))).toBe(false);
    for (const d of [u, mem, cpu]) expect(read(join(d, leaf, 'cgroup.procs'))).toBe(String(s.shimPid));
  });

  it('fails the start with the path and the error when it cannot make the cgroup', async () => {
    const launcher = new Launcher(['--cgroup', `2t:${join(base, 'nowhere/mo/t')}`, '--cgroup-rel', '/mo/t']);
    const dir = taskDir();
    launcher.send({ id: 'a', dir, argv: ['true'] });
    expect(await launcher.line(/^a /)).toMatch(/^a E 2 cgroup .*nowhere\/mo\/t\/w-\d+-\d+: No such file or directory$/);
    expect(await exitRecord(dir)).toMatchObject({ errno: 2, execError: expect.stringMatching(/^cgroup /) });
  });

  it('rejects a frame whose limits are not decimal numbers, and bad --cgroup options', async () => {
    const launcher = new Launcher([]);
    const dir = taskDir();
    const bad = frame({ id: 'bad', dir, argv: ['true'] });
    // memoryMax "0" -> "x": same length, so the frame header stays right.
    const at = bad.indexOf(Buffer.from('\x000\x000\x000\x00'));
    bad.write('x', at + 1);
    launcher.proc.stdin!.write(bad);
    expect(await launcher.line(/^bad /)).toBe('bad E 22 bad request');

    for (const args of [
      ['--cgroup', 'x:/a'],
      ['--cgroup', '2z:/a', '--cgroup-rel', '/a'],
      ['--cgroup', '2t:/a'],
    ]) {
      const p = spawn(SHIM, ['--launcher', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
      const code = await new Promise((resolve) => p.once('exit', resolve));
      expect(code).toBe(2);
    }
  });
});

describe('mo-shim --launcher: a workload whose shim is killed', () => {
  it('is adopted by the launcher, which reports its wait status after the shim', async () => {
    const launcher = new Launcher([]);
    const dir = taskDir();
    launcher.send({ id: 'a', dir, argv: ['sh', '-c', `kill -9 $PPID; sleep 0.2; exit 7 # ${marker}`] });
    const s = await launcher.started('a');
    expect(await launcher.line(new RegExp(`^X ${s.shimPid} `))).toBe(`X ${s.shimPid} 9`);
    expect(await launcher.line(new RegExp(`^X ${s.pid} `))).toBe(`X ${s.pid} ${7 << 8}`);
  });
});

// ---- this host's real hierarchies ----------------------------------------------------------------

const realRoot = `/mo-test/shim-${process.pid}`;
let layout: CgroupLayout | undefined;

describe('mo-shim --launcher --cgroup, on this host', () => {
  let launcher: Launcher;
  beforeAll(() => {
    if (!cgroupsAvailable()) return;
    const setup = setUpCgroups({ root: realRoot });
    if (!setup.ok) throw new Error(`cgroups: ${setup.reason}`);
    layout = setup.layout;
    launcher = new Launcher(launcherArgs(layout.hierarchies, realRoot));
  });
  const real = (name: string, fn: () => Promise<void>) => it(name, async () => (layout ? fn() : undefined), 30_000);

  real(
    'runs the workload in its cgroup (with limits: in every hierarchy), the shim out of it, and removes it at the end',
    async () => {
      const dir = taskDir();
      // A grandchild in a session of its own: the cgroup ends it with the workload all the same.
      const argv = ['sh', '-c', `setsid sleep 300 & sleep 0.5; exit 3 # ${marker}-a`];
      launcher.send({ id: 'a', dir, argv, memory: 1 << 30, cpu: 4000, pids: 1000 });
      const s = await launcher.started('a');
      for (const h of layout!.hierarchies) {
        expect(cgroupOf(s.pid, h.mountPoint)).toBe(s.cgroup);
        await waitFor('the shim to leave', () => cgroupOf(s.shimPid, h.mountPoint) === `${realRoot}/shims`);
      }
      expect(processesWith(`${marker}-a`).length).toBeGreaterThan(0);
      expect(await exitRecord(dir)).toMatchObject({ exitCode: 3 });
      expect(
        processesWith('sleep 300').filter((p) => cgroupOf(p, layout!.hierarchies[0]!.mountPoint) === s.cgroup),
      ).toEqual([]);
      for (const h of layout!.hierarchies) expect(existsSync(`${h.mountPoint}${s.cgroup}`)).toBe(false);
    },
  );

  real('without limits, runs the workload in the tracking hierarchy only', async () => {
    const dir = taskDir();
    launcher.send({ id: 'b', dir, argv: ['sh', '-c', `sleep 0.3 # ${marker}-b`] });
    const s = await launcher.started('b');
    for (const h of layout!.hierarchies) {
      const tracks = h.roles.includes('track') || h.roles.includes('cpuacct');
      expect(cgroupOf(s.pid, h.mountPoint) === s.cgroup).toBe(tracks);
    }
    expect(await exitRecord(dir)).toMatchObject({ exitCode: 0 });
  });

  real('enforces the memory limit: the OOM killer ends it, and the exit record says so', async () => {
    if (!layout!.enforced.includes('memory')) return;
    const dir = taskDir();
    const hog = `x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived # ${marker}-oom`;
    launcher.send({ id: 'oom', dir, argv: ['sh', '-c', hog], memory: 32 << 20 });
    await launcher.started('oom');
    const exit = await exitRecord(dir);
    expect(exit).toMatchObject({ oomKilled: true });
    expect(existsSync(join(dir, 'stdout.log')) ? read(join(dir, 'stdout.log')) : '').not.toContain('survived');
  });

  real('enforces the pids limit: forks past it fail', async () => {
    if (!layout!.enforced.includes('pids')) return;
    const dir = taskDir();
    const forks = `for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait # ${marker}-pids`;
    launcher.send({ id: 'p', dir, argv: ['sh', '-c', forks], pids: 4 });
    await launcher.started('p');
    await exitRecord(dir);
    expect(read(join(dir, 'stderr.log'))).toMatch(/fork/i);
  });

  real('sets the CPU quota of its cgroup', async () => {
    if (!layout!.enforced.includes('cpu')) return;
    const dir = taskDir();
    launcher.send({ id: 'c', dir, argv: ['sh', '-c', `sleep 30 # ${marker}-cpu`], cpu: 250 });
    const s = await launcher.started('c');
    const cpu = layout!.hierarchies.find((h) => h.roles.includes('cpu'))!;
    const quota =
      cpu.version === 2
        ? read(`${cpu.mountPoint}${s.cgroup}/cpu.max`).trim()
        : read(`${cpu.mountPoint}${s.cgroup}/cpu.cfs_quota_us`).trim();
    expect(quota).toBe(cpu.version === 2 ? '25000 100000' : '25000');
    process.kill(-s.pid, 'SIGKILL');
    await exitRecord(dir);
  });

  real('leaves no cgroup behind when it ends at EOF, spare included', async () => {
    const root = `${realRoot}/eof`;
    const setup = setUpCgroups({ root });
    if (!setup.ok) throw new Error(setup.reason);
    const l = new Launcher(launcherArgs(setup.layout.hierarchies, root));
    const spares = () =>
      setup.layout.hierarchies.flatMap((h) => readdirSync(`${h.mountPoint}${root}`).filter((n) => n.startsWith('w-')));
    // Its spare makes and joins its cgroup ahead of any request.
    const ahead = setup.layout.hierarchies.filter((h) => h.roles.includes('track') || h.roles.includes('cpuacct'));
    await waitFor('the spare to make its cgroup', () => spares().length === ahead.length);
    l.proc.stdin!.end();
    expect(await new Promise((resolve) => l.proc.once('exit', resolve))).toBe(0);
    await waitFor('the spare to remove its cgroup', () => spares().length === 0);
  });
});
