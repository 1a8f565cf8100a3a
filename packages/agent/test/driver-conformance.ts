// The conformance suite every Driver must pass (process, docker): start, real exit
// status, graceful and forced stop of everything the workload started, recovery from a handle,
// usage. A driver test file calls describeDriverConformance with a factory and a few commands.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver, TaskConfig, TaskHandle } from '@mo/agent';

export interface ConformanceOptions {
  /** Extra fields for every task (e.g. an image for docker). */
  baseEnv?: Record<string, string>;
  /** A shell usable inside the workload's environment. */
  shell: string;
  /** Fields every task gets on top of the defaults (docker: a working dir inside the image). */
  taskConfig?: Partial<TaskConfig>;
  /** Runs after the suite's own clean-up (e.g. removes what the driver left behind). */
  afterAll?: () => Promise<void> | void;
}

export function describeDriverConformance(name: string, makeDriver: () => Driver, options: ConformanceOptions): void {
  describe(`driver conformance: ${name}`, () => {
    let driver: Driver;
    const root = mkdtempSync(join(tmpdir(), `mo-conf-${name}-`));
    let n = 0;
    const running: TaskHandle[] = [];

    beforeAll(() => {
      driver = makeDriver();
    });
    afterAll(async () => {
      await Promise.all(running.map((h) => driver.stop(h, 100)));
      await driver.close();
      await options.afterAll?.();
    });

    function task(script: string): TaskConfig {
      const taskDir = join(root, `t${++n}`);
      mkdirSync(taskDir, { recursive: true });
      return {
        id: `t${n}`,
        argv: [options.shell, '-c', script],
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...options.baseEnv },
        workingDir: taskDir,
        taskDir,
        logMaxBytes: 1024 * 1024,
        ...options.taskConfig,
      };
    }

    it('reports the exit code of a workload that exits by itself', async () => {
      const t = task('exit 5');
      const handle = await driver.start(t);
      expect(handle.driver).toBe(name);
      const result = await driver.wait(handle, t.taskDir);
      expect(result).toMatchObject({ status: 'exited', exit: { exitCode: 5 } });
    });

    it('reports a workload killed by a signal', async () => {
      const t = task('kill -9 $$');
      const handle = await driver.start(t);
      expect(await driver.wait(handle, t.taskDir)).toMatchObject({ status: 'exited', exit: { signal: 'SIGKILL' } });
    });

    it('stops gracefully with SIGTERM within the grace period', async () => {
      const t = task('sleep 300');
      const handle = await driver.start(t);
      const waited = driver.wait(handle, t.taskDir);
      await driver.stop(handle, 5000);
      expect(await waited).toMatchObject({ status: 'exited', exit: { signal: 'SIGTERM' } });
    });

    it('escalates to SIGKILL when SIGTERM is ignored', async () => {
      const t = task('trap "" TERM; echo ready; while :; do sleep 0.05; done');
      const handle = await driver.start(t);
      const waited = driver.wait(handle, t.taskDir);
      // SIGTERM before the trap is installed would simply kill the shell.
      await waitForFile(join(t.taskDir, 'stdout.log'), 'ready');
      const t0 = Date.now();
      await driver.stop(handle, 300);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(await waited).toMatchObject({ status: 'exited', exit: { signal: 'SIGKILL' } });
    });

    it('recovers a running workload from its handle, and an ended one with its exit code', async () => {
      const live = task('sleep 300');
      const liveHandle = await driver.start(live);
      running.push(liveHandle);
      expect(await driver.recover(liveHandle, live.taskDir)).toMatchObject({ status: 'running' });

      const done = task('exit 9');
      const doneHandle = await driver.start(done);
      await driver.wait(doneHandle, done.taskDir);
      expect(await driver.recover(doneHandle, done.taskDir)).toMatchObject({
        status: 'exited',
        exit: { exitCode: 9 },
      });
    });

    it('reports usage for a running workload and none for an ended one', async () => {
      const t = task('sleep 300');
      const handle = await driver.start(t);
      running.push(handle);
      const usage = await driver.usage(new Map([['a', handle]]));
      expect(usage.get('a')?.rssBytes).toBeGreaterThan(0);

      const e = task('true');
      const ended = await driver.start(e);
      await driver.wait(ended, e.taskDir);
      expect((await driver.usage(new Map([['b', ended]]))).has('b')).toBe(false);
    });
  });
}

async function waitForFile(path: string, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readFileSync(path, 'utf8').includes(text)) return;
    } catch {
      // not created yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}" in ${path}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
