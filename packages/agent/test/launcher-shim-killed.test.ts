// mo-shim --launcher when a shim dies before its start is answered or recorded (native/mo-slots.c):
// the launcher answers for it, writes the `started` record, and serves on; it exits only when a
// spare dies with part of a frame read. Each case holds the shim where it must die, so none
// depends on timing: a full response pipe (the workload kills its shim before the handshake), or a
// FIFO where the shim writes a cgroup file (it blocks there, before or after its handshake).
import { afterAll, describe, expect, it } from '@jest/globals';
import { launcherArgs, setUpCgroups } from '@mo/agent';
import { waitFor } from '@mo/testkit';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroupsAvailable, killWith, removeCgroupTree } from './cgroup-helpers.js';

const SHIM = fileURLToPath(new URL('../dist/bin/mo-shim', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'mo-launcher-kill-'));
const marker = `mo-launcher-kill-${process.pid}`;
const realRoot = `/mo-test/launcher-kill-${process.pid}`;
const launchers: Launcher[] = [];
let seq = 0;

afterAll(async () => {
  for (const l of launchers) l.close();
  killWith(marker);
  await removeCgroupTree(realRoot);
  rmSync(base, { recursive: true, force: true });
});

interface Request {
  id: string;
  dir: string;
  argv: string[];
  memory?: number;
}

function frame(r: Request): Buffer {
  const env = [`PATH=${process.env.PATH}`];
  // ... memoryMax, cpuMillis, pidsMax, user ('': the launcher's own), env
  const fields = [r.id, r.dir, '100000', '', String(r.memory ?? 0), '0', '0', '', String(env.length), ...env];
  const payload = Buffer.from([...fields, String(r.argv.length), ...r.argv].join('\0') + '\0');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length);
  return Buffer.concat([header, payload]);
}

/** Pids of the live children of `pid` (shims; workloads it adopted). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A launcher whose responses go to a FIFO this test holds both ends of: hold() fills it, so that
 * every response (a shim's handshake, the launcher's own lines) blocks until the next read.
 */
class Launcher {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  private readonly rfd: number;
  private readonly wfd: number;
  private partial = '';
  private held = false;

  constructor(args: string[] = []) {
    const fifo = join(base, `out-${++seq}`);
    execFileSync('mkfifo', [fifo]);
    this.rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    // The launcher's own: spawn makes its stdout blocking, for whoever shares that open file.
    const out = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    this.proc = spawn(SHIM, ['--launcher', ...args], { stdio: ['pipe', out, 'inherit'] });
    closeSync(out);
    this.wfd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    launchers.push(this);
  }

  /** Fills the response pipe (with newlines: empty lines, dropped when read). */
  hold(): void {
    for (const size of [4096, 1]) {
      for (;;) {
        try {
          writeSync(this.wfd, Buffer.alloc(size, '\n'));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw err;
        }
      }
    }
    this.held = true;
  }

  /** Reads what the pipe holds now; a held pipe is read only once release() is called. */
  private read(): void {
    if (this.held) return;
    const buf = Buffer.alloc(65536);
    for (;;) {
      let n: number;
      try {
        n = readSync(this.rfd, buf);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw err;
      }
      if (n === 0) return;
      this.partial += buf.toString('utf8', 0, n);
      const parts = this.partial.split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts.filter((l) => l !== ''));
    }
  }

  release(): void {
    this.held = false;
  }

  send(...frames: Buffer[]): void {
    this.proc.stdin!.write(Buffer.concat(frames));
  }

  async line(re: RegExp): Promise<string> {
    return waitFor(`a launcher line matching ${re} (got ${JSON.stringify(this.lines)})`, () => {
      this.read();
      return this.lines.find((l) => re.test(l));
    });
  }

  /** Lines that answer request `id`. */
  answers(id: string): string[] {
    this.read();
    return this.lines.filter((l) => l.startsWith(`${id} `));
  }

  /** The shims it runs (its spare among them), once there are `n`. */
  async children(n: number, not: number[] = []): Promise<number[]> {
    return waitFor(`${n} shim(s) of the launcher`, () => {
      const c = childrenOf(this.proc.pid!).filter((p) => !not.includes(p));
      return c.length >= n && c;
    });
  }

  exited(): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve(this.proc.exitCode);
    return new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Its shims too: a test that failed may have left one blocked on a FIFO or the full pipe. */
  close(): void {
    for (const pid of this.proc.pid ? childrenOf(this.proc.pid) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    this.proc.stdin!.end();
    this.proc.kill('SIGKILL');
    closeSync(this.rfd);
    closeSync(this.wfd);
  }
}

function taskDir(): string {
  return mkdtempSync(join(base, 't-'));
}

function startedRecord(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'started'), 'utf8')) as Record<string, unknown>;
}

/** "<id> S pid starttime shimpid shimstarttime[ cgroup]" */
function parseStart(line: string): {
  pid: number;
  startTime: number;
  shimPid: number;
  shimStartTime: number;
  cgroup?: string;
} {
  const m = /^\S+ S (\d+) (\d+) (\d+) (\d+)(?: (\S+))?$/.exec(line);
  if (!m) throw new Error(`not a start: ${line}`);
  return {
    pid: Number(m[1]),
    startTime: Number(m[2]),
    shimPid: Number(m[3]),
    shimStartTime: Number(m[4]),
    cgroup: m[5],
  };
}

/** A launcher with its workload cgroups in plain dirs (a pure v2 layout), so a test can put a FIFO there. */
function plainCgroupLauncher(): { launcher: Launcher; agentDir: string } {
  const agentDir = join(base, `v2-${++seq}`, 'mo/t');
  mkdirSync(join(agentDir, 'shims'), { recursive: true });
  return { launcher: new Launcher(['--cgroup', `2tmcp:${agentDir}`, '--cgroup-rel', '/mo/t']), agentDir };
}

describe('mo-shim --launcher: a shim that dies before its start is answered', () => {
  it('is answered for when its workload kills it before the handshake: S, the started record, then both exits', async () => {
    const l = new Launcher();
    const [spare] = await l.children(1);
    l.hold();
    const dir = taskDir();
    l.send(frame({ id: 'a', dir, argv: ['sh', '-c', `kill -9 $PPID; sleep 0.3; exit 7 # ${marker}`] }));
    // It vforks the workload, then blocks on its handshake (the pipe is full): the workload kills it.
    await waitFor('the shim to be killed', () => !running(spare!));
    l.release();
    const s = parseStart(await l.line(/^a /));
    expect(s.shimPid).toBe(spare);
    expect(startedRecord(dir)).toEqual({
      pid: s.pid,
      startTime: s.startTime,
      shimPid: spare,
      shimStartTime: s.shimStartTime,
      startedAtMs: expect.any(Number),
    });
    expect(await l.line(new RegExp(`^X ${spare} `))).toBe(`X ${spare} 9`);
    expect(await l.line(new RegExp(`^X ${s.pid} `))).toBe(`X ${s.pid} ${7 << 8}`);
    expect(l.lines.indexOf(`X ${spare} 9`)).toBeGreaterThan(l.lines.indexOf(l.answers('a')[0]!));
    expect(l.answers('a')).toHaveLength(1);

    // The stream was intact: the next spare serves the next request.
    const next = taskDir();
    l.send(frame({ id: 'b', dir: next, argv: ['sh', '-c', 'exit 3'] }));
    expect(await l.line(/^b /)).toMatch(/^b S /);
    expect(l.proc.exitCode).toBeNull();
  });

  it('is answered for with its exec error when it is killed before it could answer it', async () => {
    const l = new Launcher();
    const [spare] = await l.children(1);
    l.hold();
    const dir = taskDir();
    l.send(frame({ id: 'e', dir, argv: ['/nonexistent/mo-no-such-binary'] }));
    // The shim records the failure before it answers, and then blocks on the full pipe.
    await waitFor('the exit record', () => existsSync(join(dir, 'exit')));
    process.kill(spare!, 'SIGKILL');
    await waitFor('the shim to die', () => !running(spare!));
    l.release();
    expect(await l.line(/^e /)).toBe('e E 2 No such file or directory');
    expect(await l.line(new RegExp(`^X ${spare} `))).toBe(`X ${spare} 9`);
    expect(l.answers('e')).toHaveLength(1);
  });

  it('answers E, naming the shim, when the shim dies before it started the workload', async () => {
    const { launcher: l, agentDir } = plainCgroupLauncher();
    const [spare] = await l.children(1);
    const leaf = await waitFor('the spare to make its cgroup', () =>
      readdirSync(agentDir).find((n) => n.startsWith(`w-${spare}-`)),
    );
    // Writing the memory limit blocks: no one reads this FIFO. That is before the workload exists.
    execFileSync('mkfifo', [join(agentDir, leaf, 'memory.max')]);
    const [d1, d2] = [taskDir(), taskDir()];
    // Two frames at once: the spare hands the stream back as soon as it has taken the first, and
    // the next spare takes the second; so once that one exists, the first request is taken.
    l.send(frame({ id: 'c', dir: d1, argv: ['true'], memory: 64 << 20 }), frame({ id: 'd', dir: d2, argv: ['true'] }));
    await l.children(1, [spare!]);
    process.kill(spare!, 'SIGKILL');
    expect(await l.line(/^c /)).toBe(`c E 10 mo-shim ${spare} died (wait status 9) before it started the workload`);
    expect(await l.line(new RegExp(`^X ${spare} `))).toBe(`X ${spare} 9`);
    expect(await l.line(/^d /)).toMatch(/^d S /);
    expect(existsSync(join(d1, 'started'))).toBe(false);
    expect(l.proc.exitCode).toBeNull();
  });

  it('writes the started record of a shim killed after its handshake but before that record', async () => {
    const { launcher: l, agentDir } = plainCgroupLauncher();
    const [spare] = await l.children(1);
    // After its handshake the shim leaves the workload's cgroup: it blocks on this FIFO there.
    const procs = join(agentDir, 'shims', 'cgroup.procs');
    execFileSync('mkfifo', [procs]);
    const dir = taskDir();
    l.send(frame({ id: 'r', dir, argv: ['sh', '-c', `sleep 30 # ${marker}`] }));
    const s = parseStart(await l.line(/^r /));
    // It hands the stream back after it marked its answer: once the next spare exists, it is done.
    await l.children(1, [spare!]);
    rmSync(procs); // for the shims to come
    expect(existsSync(join(dir, 'started'))).toBe(false);
    process.kill(spare!, 'SIGKILL');
    expect(await l.line(new RegExp(`^X ${spare} `))).toBe(`X ${spare} 9`);
    expect(startedRecord(dir)).toEqual({
      pid: s.pid,
      startTime: s.startTime,
      shimPid: spare,
      shimStartTime: s.shimStartTime,
      startedAtMs: expect.any(Number),
      cgroup: s.cgroup,
    });
    expect(s.cgroup).toBe(`/mo/t/w-${spare}-${s.shimStartTime}`);
    expect(l.answers('r')).toHaveLength(1);
    process.kill(-s.pid, 'SIGKILL');
    expect(await l.line(new RegExp(`^X ${s.pid} `))).toBe(`X ${s.pid} 9`);
  });

  it('exits 1 when a spare dies with part of a frame read: the stream is torn', async () => {
    const l = new Launcher();
    const [spare] = await l.children(1);
    const whole = frame({ id: 't', dir: taskDir(), argv: ['true'] });
    l.send(whole.subarray(0, 10));
    process.kill(spare!, 'SIGKILL');
    expect(await l.exited()).toBe(1);
  });

  it('has at most 64 shims between request and record, and serves the rest once those are done', async () => {
    const l = new Launcher();
    await l.children(1);
    l.hold();
    const n = 70;
    const dirs = Array.from({ length: n }, () => taskDir());
    l.send(...dirs.map((dir, i) => frame({ id: `q${i}`, dir, argv: ['true'] })));
    // Each takes a request and blocks on its answer (the pipe is full): the 65th finds no slot.
    await l.children(64);
    await new Promise((r) => setTimeout(r, 300)); // proves a negative: no 65th shim is forked meanwhile
    expect(childrenOf(l.proc.pid!)).toHaveLength(64);
    l.release();
    for (let i = 0; i < n; i++) expect(await l.line(new RegExp(`^q${i} `))).toMatch(/^q\d+ S /);
    for (const dir of dirs) await waitFor('the exit record', () => existsSync(join(dir, 'exit')));
  });

  it('serves a burst of workloads that each kill their shim at once, answering every one', async () => {
    const l = new Launcher();
    const n = 40;
    const dirs = Array.from({ length: n }, () => taskDir());
    const argv = ['sh', '-c', `kill -9 $PPID; exit 7 # ${marker}`];
    l.send(...dirs.map((dir, i) => frame({ id: `k${i}`, dir, argv })));
    for (let i = 0; i < n; i++) {
      const s = parseStart(await l.line(new RegExp(`^k${i} `)));
      expect(await l.line(new RegExp(`^X ${s.shimPid} `))).toBe(`X ${s.shimPid} 9`);
      expect(await l.line(new RegExp(`^X ${s.pid} `))).toBe(`X ${s.pid} ${7 << 8}`);
      // Answered by the shim or for it (twice only if it died just as it answered: then alike).
      expect(new Set(l.answers(`k${i}`)).size).toBe(1);
      expect(startedRecord(dirs[i]!)).toMatchObject({ pid: s.pid, startTime: s.startTime, shimPid: s.shimPid });
    }
    expect(l.proc.exitCode).toBeNull();
  });
});

describe('mo-shim --launcher: a shim killed before the handshake, on this host', () => {
  it('answers with the workload cgroup, which holds the workload', async () => {
    if (!cgroupsAvailable()) return;
    const setup = setUpCgroups({ root: realRoot });
    if (!setup.ok) throw new Error(`cgroups: ${setup.reason}`);
    const l = new Launcher(launcherArgs(setup.layout.hierarchies, realRoot));
    const [spare] = await l.children(1);
    l.hold();
    const dir = taskDir();
    l.send(
      frame({ id: 'g', dir, argv: ['sh', '-c', `kill -9 $PPID; sleep 0.5; exit 7 # ${marker}`], memory: 256 << 20 }),
    );
    await waitFor('the shim to be killed', () => !running(spare!));
    l.release();
    const s = parseStart(await l.line(/^g /));
    expect(s.cgroup).toMatch(new RegExp(`^${realRoot}/w-${spare}-\\d+$`));
    expect(startedRecord(dir)).toMatchObject({ pid: s.pid, cgroup: s.cgroup });
    expect(await l.line(new RegExp(`^X ${s.pid} `))).toBe(`X ${s.pid} ${7 << 8}`);
  });
});
