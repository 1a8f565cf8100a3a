// The process driver (fork/exec under mo-shim) against the shared driver conformance suite, and
// what only it has: the `mo-shim --launcher` helper process and its spare shim.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ProcessDriver } from '@mo/agent';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
});
