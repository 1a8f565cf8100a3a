// The timeout hook alone, with real (short) timers: when a run limit fires, what it marks, and
// what keeps it from firing.
import { afterEach, describe, expect, it } from '@jest/globals';
import { newStringMap, sleep } from '@mo/api';
import type { WorkloadRecord, WorkloadStateName } from '../record.js';
import { TimeoutHook } from './timeout.js';

function recordOf(timeoutMs: number | undefined, startedAtMs = Date.now(), state: WorkloadStateName = 'running') {
  const record: WorkloadRecord = {
    spec: {
      id: `w-${Math.random().toString(36).slice(2)}`,
      name: 'sleeper',
      argv: ['sleep', '60'],
      env: newStringMap(),
      workingDir: '/',
      cpuMillis: 0,
      memoryBytes: 0,
      labels: newStringMap(),
      gracePeriodMs: 1000,
      driver: 'process',
      ...(timeoutMs !== undefined && { timeoutMs }),
    },
    state,
    reason: state,
    createdAtMs: startedAtMs,
    startedAtMs,
    events: [],
  };
  return record;
}

/** A hook whose stops and log lines are recorded. */
function timeoutHook(stop: (r: WorkloadRecord) => Promise<void> = () => Promise.resolve()) {
  const stopped: WorkloadRecord[] = [];
  const logged: string[] = [];
  const hook = new TimeoutHook({
    logger: { info: (msg) => void logged.push(msg), warn: (msg) => void logged.push(msg) },
    stop: (r) => {
      stopped.push(r);
      return stop(r);
    },
  });
  hooks.push(hook);
  return { hook, stopped, logged };
}

/** Polls for a condition (this machine may be slow: no fixed sleep decides a test that waits for a timer). */
async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const hooks: TimeoutHook[] = [];
afterEach(() => hooks.splice(0).forEach((h) => h.close()));

describe('the timeout hook', () => {
  it('stops a workload once its run limit passes, marked timed out before it is stopped', async () => {
    let timedOutWhenStopped: boolean | undefined;
    const { hook, stopped, logged } = timeoutHook(async (r) => {
      timedOutWhenStopped = r.timedOut;
    });
    const record = recordOf(500);
    hook.poststart(record);
    expect(hook.armed).toBe(1);
    await sleep(20); // a window that proves a negative: not stopped early (20 ms into a 500 ms limit)
    expect(stopped).toEqual([]);
    await until('the stop', () => stopped.length > 0);
    expect(Date.now() - record.startedAtMs).toBeGreaterThanOrEqual(495);
    expect(stopped).toEqual([record]);
    expect(record.timedOut).toBe(true);
    expect(timedOutWhenStopped).toBe(true);
    expect(logged).toEqual(['workload timed out']);
    expect(hook.armed).toBe(0);
  });

  it('counts from its start, so a re-attached workload past its limit is stopped at once', async () => {
    const { hook, stopped } = timeoutHook();
    const record = recordOf(5_000, Date.now() - 60_000);
    hook.poststart(record);
    await until('the stop', () => stopped.length > 0);
    expect(stopped).toEqual([record]);
  });

  it('does not fire for a workload that exited first', async () => {
    const { hook, stopped } = timeoutHook();
    const record = recordOf(50);
    hook.poststart(record);
    hook.exited(record);
    expect(hook.armed).toBe(0);
    // Proves a negative: this timer is due well after the limit (Node runs timers in due order),
    // so a timer the hook had left armed would have fired first.
    await sleep(100);
    expect(stopped).toEqual([]);
    expect(record.timedOut).toBeUndefined();
  });

  it('does not stop a workload already asked to stop, nor one that has ended meanwhile', async () => {
    const { hook, stopped } = timeoutHook();
    const asked = recordOf(30);
    const ended = recordOf(30);
    hook.poststart(asked);
    hook.poststart(ended);
    asked.stopRequested = true;
    ended.state = 'failed';
    await sleep(80); // proves a negative: due after both limits, so their timers have fired (and done nothing)
    expect(stopped).toEqual([]);
    expect(asked.timedOut).toBeUndefined();
    expect(ended.timedOut).toBeUndefined();
  });

  it.each([
    ['no limit', undefined, 'running'],
    ['a limit of 0', 0, 'running'],
    ['an ended workload', 50, 'succeeded'],
  ] as const)('arms nothing for %s', (_what, timeoutMs, state) => {
    const { hook } = timeoutHook();
    hook.poststart(recordOf(timeoutMs, Date.now(), state));
    expect(hook.armed).toBe(0);
  });

  it('logs a stop that failed instead of throwing it', async () => {
    const { hook, stopped, logged } = timeoutHook(() => Promise.reject(new Error('no such container')));
    hook.poststart(recordOf(10));
    await until('the warning', () => logged.length === 2);
    expect(stopped).toHaveLength(1);
    expect(logged).toEqual(['workload timed out', 'could not stop a timed-out workload']);
  });

  it('cancels every timer when the agent closes (a restarted agent re-arms them)', async () => {
    const { hook, stopped } = timeoutHook();
    hook.poststart(recordOf(40));
    hook.poststart(recordOf(40));
    expect(hook.armed).toBe(2);
    hook.close();
    expect(hook.armed).toBe(0);
    await sleep(80); // proves a negative: due after both limits, so a timer left armed would have fired
    expect(stopped).toEqual([]);
  });
});
