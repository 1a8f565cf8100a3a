// The mock driver: instant starts with fake pids, runs until stopped or for MO_MOCK_RUN_MS, no processes.
import { describe, expect, it } from '@jest/globals';
import type { Driver, TaskConfig } from '../driver.js';
import { MockDriver, type MockDriverOptions } from './mock-driver.js';

/** Used through the Driver interface, as the WorkloadRunner does. */
const mock = (options?: MockDriverOptions): Driver => new MockDriver(options);

let n = 0;
function task(env: Record<string, string> = {}): TaskConfig {
  n++;
  return { id: `m${n}`, argv: ['anything'], env, workingDir: '/nonexistent', taskDir: '/nonexistent', logMaxBytes: 1 };
}

describe('MockDriver', () => {
  it('starts at once with distinct fake pids that cannot be real processes', async () => {
    const d = mock();
    const [a, b] = await Promise.all([d.start(task()), d.start(task())]);
    expect(a.driver).toBe('mock');
    expect(a.pid).not.toBe(b.pid);
    // Above Linux's largest pid_max (2^22).
    expect(a.pid).toBeGreaterThan(2 ** 22);
    await Promise.all([d.stop(a, 0), d.stop(b, 0)]);
  });

  it('runs until stopped, then reports SIGTERM', async () => {
    const d = mock();
    const t = task();
    const h = await d.start(t);
    let ended = false;
    const waiting = d.wait(h, t.taskDir).then((r) => ((ended = true), r));
    await new Promise((r) => setTimeout(r, 50)); // proves a negative: it does not end by itself
    expect(ended).toBe(false);
    expect((await d.usage(new Map([[t.id, h]]))).get(t.id)).toEqual({ cpuPercent: 0, rssBytes: 0 });
    await d.stop(h, 1000);
    expect(await waiting).toMatchObject({ status: 'exited', exit: { signal: 'SIGTERM' } });
    expect((await d.usage(new Map([[t.id, h]]))).size).toBe(0);
  });

  it.each([
    [{ MO_MOCK_RUN_MS: '30' }, 0],
    [{ MO_MOCK_RUN_MS: '0', MO_MOCK_EXIT_CODE: '3' }, 3],
  ])('with env %j exits by itself with code %d', async (env, code) => {
    const d = mock();
    const t = task(env);
    const h = await d.start(t);
    expect(await d.wait(h, t.taskDir)).toMatchObject({ status: 'exited', exit: { exitCode: code } });
  });

  it('finds a running workload again through the same driver object, and nothing through a new one', async () => {
    const d = mock({ name: 'process' });
    const t = task();
    const h = await d.start(t);
    expect(h.driver).toBe('process');
    expect(await d.recover(h, t.taskDir)).toEqual({ status: 'running', handle: h });
    expect(await mock().recover(h, t.taskDir)).toMatchObject({ status: 'lost' });
    await d.stop(h, 0);
  });
});
