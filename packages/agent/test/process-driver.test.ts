// The process driver (fork/exec under mo-shim) against the shared driver conformance suite, and
// what only it has: the `mo-shim --launcher` helper process and its spare shim.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ProcessDriver, StartFailedError, type CgroupLayout } from '@mo/agent';
import { waitFor } from '@mo/testkit';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describeDriverConformance } from './driver-conformance.js';

describeDriverConformance('process', () => new ProcessDriver(), { shell: '/bin/sh' });

/** Pids of this process's children running `mo-shim --launcher`. */
function launchers(): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && basename(argv[0]!) === 'mo-shim' && argv[1] === '--launcher') pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Pids of the live children of `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(ppid) === pid && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitForDeath(deaths: string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (deaths.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('process driver: the launcher', () => {
  const deaths: string[] = [];
  const driver = new ProcessDriver({ pollIntervalMs: 50, onLauncherDeath: (reason) => deaths.push(reason) });
  const root = mkdtempSync(join(tmpdir(), 'mo-launcher-'));
  let n = 0;
  const task = (script: string) => {
    const taskDir = join(root, `t${++n}`);
    mkdirSync(taskDir);
    return {
      id: `t${n}`,
      argv: ['/bin/sh', '-c', script],
      env: { PATH: '/usr/bin:/bin' },
      workingDir: taskDir,
      taskDir,
      logMaxBytes: 1024 * 1024,
    };
  };
  afterAll(() => driver.close());

  it('survives its launcher being killed: running workloads still report their exit, new starts get a new launcher', async () => {
    // Other drivers' launchers (the conformance suite's, still closing) are not this driver's.
    const others = new Set(launchers());
    const ours = () => launchers().filter((pid) => !others.has(pid));
    const before = task('sleep 0.5; exit 9');
    const handle = await driver.start(before);
    const [launcher] = ours();
    expect(launcher).toBeDefined();
    process.kill(launcher!, 'SIGKILL');

    // Said, not swallowed (the agent logs it as an error).
    await waitForDeath(deaths);
    expect(deaths).toEqual([
      expect.stringMatching(/mo-shim --launcher exited \(SIGKILL\), with 0 start\(s\) in flight/),
    ]);
    // Its shim was reparented: the exit is found by polling instead of the launcher's report.
    expect(await driver.wait(handle, before.taskDir)).toMatchObject({ status: 'exited', exit: { exitCode: 9 } });

    const after = task('exit 4');
    const h2 = await driver.start(after);
    expect(await driver.wait(h2, after.taskDir)).toMatchObject({ status: 'exited', exit: { exitCode: 4 } });
    const now = ours();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(launcher);
  });

  it('keeps workloads that kill their shim at once: every start resolves, each with its own exit code', async () => {
    const before = deaths.length;
    // Some kill their shim before its handshake: the launcher answers for those.
    const tasks = Array.from({ length: 16 }, (_, i) => task(`kill -9 $PPID; exit ${i + 1}`));
    const handles = await Promise.all(tasks.map((t) => driver.start(t)));
    const results = await Promise.all(handles.map((h, i) => driver.wait(h, tasks[i]!.taskDir)));
    expect(results).toEqual(
      tasks.map((_, i) => expect.objectContaining({ exit: expect.objectContaining({ exitCode: i + 1 }) })),
    );
    expect(deaths).toHaveLength(before);
  });
});

describe('process driver: a shim that dies before it started its workload', () => {
  // Workload cgroups in plain dirs (a pure v2 layout), so that the test can put a FIFO where the
  // spare shim writes the memory limit: it blocks there, before its workload exists.
  const mount = mkdtempSync(join(tmpdir(), 'mo-plain-cg-'));
  const root = '/mo/t';
  mkdirSync(join(mount, root, 'shims'), { recursive: true });
  const layout: CgroupLayout = {
    mode: 'v2',
    root,
    hierarchies: [{ mountPoint: mount, version: 2, roles: ['track', 'memory'] }],
    enforced: ['memory'],
  };
  const driver = new ProcessDriver({ cgroups: layout, pollIntervalMs: 50 });
  let spare = 0;
  afterAll(async () => {
    // Killed by the test, unless it failed first: blocked on the FIFO, it would stay.
    if (spare) killQuietly(spare);
    await driver.close();
    rmSync(mount, { recursive: true, force: true });
  });
  const task = (id: string, memoryBytes?: number) => {
    const taskDir = mkdtempSync(join(mount, `${id}-`));
    const argv = ['/bin/sh', '-c', 'exit 0'];
    return {
      id,
      argv,
      env: { PATH: '/usr/bin:/bin' },
      workingDir: taskDir,
      taskDir,
      logMaxBytes: 1 << 20,
      memoryBytes,
    };
  };

  it("fails that start as the node's fault, not the workload's, and starts the next", async () => {
    const others = new Set(launchers());
    const first = task('first');
    await driver.wait(await driver.start(first), first.taskDir);
    const launcher = launchers().find((p) => !others.has(p))!;
    spare = await waitFor('the spare alone', () => {
      const c = childrenOf(launcher);
      return c.length === 1 && c[0];
    });
    const leaf = await waitFor('the spare to make its cgroup', () =>
      readdirSync(join(mount, root)).find((n) => n.startsWith(`w-${spare}-`)),
    );
    execFileSync('mkfifo', [join(mount, root, leaf, 'memory.max')]);
    // The spare waits in read(2) for a request; once it has taken one, it blocks in another
    // system call: opening the FIFO. (Killed before, it would leave the stream torn.)
    const reading = await waitFor('the spare to wait for a request', () => steadilyBlockedIn(spare));
    const blocked = task('blocked', 64 << 20);
    const failed = driver.start(blocked).then(
      () => undefined,
      (err: unknown) => err,
    );
    await waitFor('the spare to take the request', () => ![undefined, reading].includes(blockedIn(spare)));
    process.kill(spare, 'SIGKILL');
    const err = await failed;
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(StartFailedError);
    expect((err as Error).message).toBe(
      `cannot start a workload: mo-shim ${spare} died (wait status 9) before it started the workload`,
    );
    const next = task('next');
    expect(await driver.wait(await driver.start(next), next.taskDir)).toMatchObject({
      status: 'exited',
      exit: { exitCode: 0 },
    });
  });
});

/** The system call `pid` is blocked in (its number), undefined while it runs or is gone. */
function blockedIn(pid: number): string | undefined {
  try {
    const nr = readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0]!.trim();
    return /^\d+$/.test(nr) ? nr : undefined;
  } catch {
    return undefined;
  }
}

/** The system call `pid` is blocked in, if it is the same in two looks 50 ms apart. */
async function steadilyBlockedIn(pid: number): Promise<string | undefined> {
  const first = blockedIn(pid);
  await new Promise((r) => setTimeout(r, 50)); // a window that proves it stays blocked, not a wait
  return first !== undefined && blockedIn(pid) === first ? first : undefined;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
