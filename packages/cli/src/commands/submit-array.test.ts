import { describe, expect, it } from '@jest/globals';
import {
  LIMITS,
  MoError,
  type ClusterEvent__Output,
  type ListWorkloadsResponse__Output,
  type ScheduledWorkload__Output,
} from '@mo/api';
import { countStates, summarizeStates, waitForGroup, type GroupClient } from './group-wait.js';
import { buildSubmit, MAX_ARRAY_COUNT, parseArrayCount } from './start.js';

describe('--count', () => {
  it('is bounded as the scheduler bounds count', () => {
    expect(MAX_ARRAY_COUNT).toBe(LIMITS.arrayCount);
  });

  it('makes the submit an array', () => {
    expect(buildSubmit(['true'], { count: '50' })).toEqual({ spec: { argv: ['true'] }, count: 50 });
  });

  it.each([
    ['0', '--count: must be at least 1'],
    ['10001', '--count: must be at most 10000'],
    ['2.5', '--count: expected a whole number'],
    ['-3', '--count: expected a whole number'],
  ])('refuses %s', (value, message) => {
    expect(() => parseArrayCount(value)).toThrow(message);
  });
});

type State = ScheduledWorkload__Output['state'];
const member = (i: number, state: State, groupId = 'G'): ScheduledWorkload__Output =>
  ({ id: `w${i}`, groupId, groupIndex: i, state, reason: '', nodeName: '', pid: 0 }) as ScheduledWorkload__Output;

/** A scheduler whose watch yields caught_up and then `events`, and whose list answers `listed`. */
function fakeClient(listed: ScheduledWorkload__Output[], events: ScheduledWorkload__Output[][]): GroupClient {
  let opened = 0;
  return {
    listAllWorkloads: (req) => {
      expect(req).toEqual({ groupId: 'G', omitEvents: true });
      return Promise.resolve({
        workloads: [...listed],
        total: listed.length,
        nextPageToken: '',
      } as ListWorkloadsResponse__Output);
    },
    watch: (_req, signal) =>
      (async function* () {
        const batch = events[opened++] ?? [];
        yield { seq: 1, caughtUp: true } as ClusterEvent__Output;
        for (const w of batch) {
          if (w.state === ('CUT' as State)) throw new MoError(8, 'watch: the reader fell behind');
          yield { seq: 2, workload: w } as ClusterEvent__Output;
        }
        await new Promise((resolve) => signal?.addEventListener('abort', resolve));
      })(),
  };
}

describe('waitForGroup', () => {
  it('waits for every member, judging each once, and names the ones that failed', async () => {
    const client = fakeClient(
      [member(0, 'WORKLOAD_STATE_SUCCEEDED'), member(1, 'WORKLOAD_STATE_RUNNING'), member(2, 'WORKLOAD_STATE_PENDING')],
      [
        [
          member(7, 'WORKLOAD_STATE_FAILED', 'OTHER'), // another group: ignored
          member(1, 'WORKLOAD_STATE_FAILED'),
          member(0, 'WORKLOAD_STATE_FAILED'), // already decided: its verdict stands
          member(2, 'WORKLOAD_STATE_SUCCEEDED'),
        ],
      ],
    );
    const seen: string[] = [];
    const out = await waitForGroup(client, 'G', 'exit', undefined, (ms) => seen.push(summarizeStates(ms)));
    expect(out.members.map((w) => w.state)).toEqual([
      'WORKLOAD_STATE_SUCCEEDED',
      'WORKLOAD_STATE_FAILED',
      'WORKLOAD_STATE_SUCCEEDED',
    ]);
    expect(out.failed.map((w) => w.id)).toEqual(['w1']);
    expect(seen[0]).toBe('1 succeeded, 1 running, 1 pending');
    expect(countStates(out.members)).toEqual({ succeeded: 2, failed: 1 });
  });

  it('relists after the watch cut it off', async () => {
    const listed = [member(0, 'WORKLOAD_STATE_PENDING')];
    const client = fakeClient(listed, [[{ ...member(0, 'WORKLOAD_STATE_PENDING'), state: 'CUT' as State }]]);
    const waiting = waitForGroup(client, 'G', 'running', undefined);
    listed[0] = member(0, 'WORKLOAD_STATE_RUNNING'); // what the second list sees
    expect((await waiting).failed).toEqual([]);
  });

  it('refuses a group with no members', async () => {
    await expect(waitForGroup(fakeClient([], []), 'G', 'exit', undefined)).rejects.toThrow('no workloads in array G');
  });

  it('gives up after the timeout with exit code 5, saying how many are not done', async () => {
    const client = fakeClient([member(0, 'WORKLOAD_STATE_RUNNING'), member(1, 'WORKLOAD_STATE_SUCCEEDED')], []);
    await expect(waitForGroup(client, 'G', 'exit', 50)).rejects.toMatchObject({
      exitCode: 5,
      message: expect.stringContaining('1 of 2 not done (1 running)'),
    });
  });
});
