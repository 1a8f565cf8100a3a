import { describe, expect, it } from '@jest/globals';
import type { ClusterEvent__Output, ScheduledWorkload__Output, WatchRequest } from '@mo/api';
import { ExitCode, WaitFailedError } from '../errors.js';
import { judge, waitForWorkload } from './submit.js';

type State = ScheduledWorkload__Output['state'];

function workload(state: State, extra: Partial<ScheduledWorkload__Output> = {}): ScheduledWorkload__Output {
  return { id: 'w1', state, reason: '', nodeName: '', events: [], ...extra } as ScheduledWorkload__Output;
}

/** A Watch stream that sends these states for w1, then stays open until aborted. */
function watching(states: State[], opened: WatchRequest[] = []) {
  return {
    async *watch(req: WatchRequest, signal?: AbortSignal): AsyncGenerator<ClusterEvent__Output> {
      opened.push(req);
      let seq = 0;
      yield {
        seq: seq++,
        atMs: 0,
        workload: workload('WORKLOAD_STATE_RUNNING', { id: 'other' }),
        event: 'workload',
        snapshot: false,
        caughtUp: false,
      };
      for (const state of states)
        yield { seq: seq++, atMs: 0, workload: workload(state), event: 'workload', snapshot: false, caughtUp: false };
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
}

describe('judge', () => {
  it.each([
    ['WORKLOAD_STATE_PENDING', 'running', undefined],
    ['WORKLOAD_STATE_STARTING', 'running', undefined],
    ['WORKLOAD_STATE_RUNNING', 'running', 'ok'],
    ['WORKLOAD_STATE_SUCCEEDED', 'running', 'ok'],
    ['WORKLOAD_STATE_FAILED', 'running', 'failed'],
    ['WORKLOAD_STATE_LOST', 'running', 'failed'],
    ['WORKLOAD_STATE_STOPPED', 'running', 'failed'],
    ['WORKLOAD_STATE_RUNNING', 'exit', undefined],
    ['WORKLOAD_STATE_SUCCEEDED', 'exit', 'ok'],
    ['WORKLOAD_STATE_FAILED', 'exit', 'failed'],
    ['WORKLOAD_STATE_STOPPED', 'exit', 'failed'],
  ] as const)('a %s workload waited on until %s is %s', (state, until, verdict) => {
    expect(judge({ state }, until)).toBe(verdict);
  });
});

describe('judge: a workload with health checks', () => {
  const check = { name: 'ready', health: 'HEALTH_UNHEALTHY', detail: 'HTTP 503', successes: 0, failures: 3 } as const;
  it.each([
    ['declared checks, not reported yet', { spec: { checks: [{}] } }, undefined],
    ['health starting', { health: 'HEALTH_STARTING' }, undefined],
    ['health unhealthy (it may recover or be restarted)', { health: 'HEALTH_UNHEALTHY', checks: [check] }, undefined],
    ['health healthy', { health: 'HEALTH_HEALTHY', spec: { checks: [{}] } }, 'ok'],
    ['no checks at all', { health: 'HEALTH_UNSPECIFIED', spec: { checks: [] } }, 'ok'],
  ] as const)('running with %s: judged by its health', (_what, extra, verdict) => {
    expect(judge({ state: 'WORKLOAD_STATE_RUNNING', ...extra }, 'running')).toBe(verdict);
  });

  it('is failed when it ends, healthy or not, and waits for the end with --wait=exit', () => {
    expect(judge({ state: 'WORKLOAD_STATE_FAILED', health: 'HEALTH_UNHEALTHY' }, 'running')).toBe('failed');
    expect(judge({ state: 'WORKLOAD_STATE_RUNNING', health: 'HEALTH_HEALTHY' }, 'exit')).toBeUndefined();
  });
});

describe('waitForWorkload', () => {
  it('watches the one workload with its initial state and returns at the first decisive state', async () => {
    const opened: WatchRequest[] = [];
    const updates: State[] = [];
    const res = await waitForWorkload(
      watching(['WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING'], opened),
      workload('WORKLOAD_STATE_PENDING'),
      'running',
      undefined,
      (w) => updates.push(w.state),
    );
    expect(res).toEqual({ workload: expect.objectContaining({ state: 'WORKLOAD_STATE_RUNNING' }), verdict: 'ok' });
    expect(opened).toEqual([{ workloadId: 'w1', initialState: true }]);
    expect(updates).toEqual(['WORKLOAD_STATE_STARTING']);
  });

  it('waits through a restart (failed run back to pending) when waiting for the end', async () => {
    const res = await waitForWorkload(
      watching(['WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_FAILED']),
      workload('WORKLOAD_STATE_STARTING'),
      'exit',
      undefined,
    );
    expect(res.verdict).toBe('failed');
  });

  it('does not open a watch when the submitted state already decides', async () => {
    const opened: WatchRequest[] = [];
    const res = await waitForWorkload(watching([], opened), workload('WORKLOAD_STATE_SUCCEEDED'), 'exit', undefined);
    expect(res.verdict).toBe('ok');
    expect(opened).toEqual([]);
  });

  it('gives up after the timeout with exit code 5 and the last known state', async () => {
    const wait = waitForWorkload(
      watching(['WORKLOAD_STATE_PENDING']),
      workload('WORKLOAD_STATE_PENDING'),
      'running',
      50,
    );
    await expect(wait).rejects.toThrow(WaitFailedError);
    await expect(wait).rejects.toMatchObject({
      exitCode: ExitCode.WaitTimeout,
      message: expect.stringMatching(/^gave up waiting for it to run after 50 ms; w1 is pending/),
    });
  });

  it('with checks, waits past running for healthy, and a timeout names the checks', async () => {
    const unhealthy = workload('WORKLOAD_STATE_RUNNING', {
      nodeName: 'n1',
      health: 'HEALTH_UNHEALTHY',
      checks: [{ name: 'ready', health: 'HEALTH_UNHEALTHY', detail: 'HTTP 503', successes: 0, failures: 3 }],
    } as Partial<ScheduledWorkload__Output>);
    const client = {
      async *watch(_req: WatchRequest, signal?: AbortSignal): AsyncGenerator<ClusterEvent__Output> {
        yield { seq: 1, atMs: 0, workload: unhealthy, event: 'workload', snapshot: false, caughtUp: false };
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      },
    };
    const wait = waitForWorkload(client, workload('WORKLOAD_STATE_PENDING'), 'running', 50);
    await expect(wait).rejects.toMatchObject({
      exitCode: ExitCode.WaitTimeout,
      message:
        'gave up waiting for it to be healthy after 50 ms; w1 is running on n1, unhealthy; ' +
        'checks: ready unhealthy (HTTP 503; 3 failures in a row)',
    });
  });

  it('with checks, returns once the workload is healthy', async () => {
    const healthy = workload('WORKLOAD_STATE_RUNNING', {
      health: 'HEALTH_HEALTHY',
    } as Partial<ScheduledWorkload__Output>);
    const starting = workload('WORKLOAD_STATE_RUNNING', {
      health: 'HEALTH_STARTING',
    } as Partial<ScheduledWorkload__Output>);
    const client = {
      async *watch(): AsyncGenerator<ClusterEvent__Output> {
        for (const w of [starting, healthy])
          yield { seq: 1, atMs: 0, workload: w, event: 'workload', snapshot: false, caughtUp: false };
      },
    };
    const res = await waitForWorkload(client, workload('WORKLOAD_STATE_PENDING'), 'running', 5000);
    expect(res).toEqual({ workload: healthy, verdict: 'ok' });
  });
});
