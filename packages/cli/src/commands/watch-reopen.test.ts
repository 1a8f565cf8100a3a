// A wait's Watch through a failover, without daemons: the stream breaks with what a leader's death
// gives the client (UNAVAILABLE "connection lost"), the new stream's events are numbered anew, and
// each wait (one workload, several, an array) relists and reports the real end. An answer (a
// refused token, an unknown id) still ends a wait at once.
import { describe, expect, it } from '@jest/globals';
import { MoError, type ClusterEvent__Output, type ScheduledWorkload__Output } from '@mo/api';
import { waitForWorkload } from './submit.js';
import { waitForEnds } from './wait.js';
import { REOPENS_IN_A_ROW, WatchReopens, reopenable } from './watch-reopen.js';

type State = ScheduledWorkload__Output['state'];
const w = (id: string, state: State) =>
  ({ id, groupId: '', groupIndex: 0, state, reason: '', nodeName: 'n1', pid: 0 }) as ScheduledWorkload__Output;
const LOST = new MoError(14, 'connection lost: the server closed the connection');

/**
 * A scheduler with a Watch per `streams` entry: each yields caught_up, then its events; `'break'`
 * throws what a dead leader gives; at the end it stays open until aborted. `now` answers gets.
 */
function scheduler(
  streams: Array<Array<ScheduledWorkload__Output | 'break'>>,
  now: Map<string, ScheduledWorkload__Output>,
) {
  const opens: Array<{ snapshot: boolean }> = [];
  return {
    opens,
    watch: (req: { initialState?: boolean; workloadId?: string } = {}, signal?: AbortSignal) =>
      (async function* () {
        const batch = streams[opens.length] ?? [];
        opens.push({ snapshot: req.initialState === true });
        if (req.initialState && req.workloadId) {
          yield { seq: 1, snapshot: true, workload: now.get(req.workloadId) } as ClusterEvent__Output;
        }
        yield { seq: 1, caughtUp: true } as ClusterEvent__Output;
        for (const e of batch) {
          if (e === 'break') throw LOST;
          yield { seq: 2, workload: e } as ClusterEvent__Output;
        }
        await new Promise((resolve) => signal?.addEventListener('abort', resolve));
      })(),
    getWorkload: (id: string) => {
      const found = now.get(id);
      return found ? Promise.resolve(found) : Promise.reject(new MoError(5, `workload_id: no workload ${id}`));
    },
    listWorkloads: () => Promise.reject(new Error('not used')),
    listAllWorkloads: () => Promise.resolve({ workloads: [], total: 0, nextPageToken: '' }),
  };
}

describe('WatchReopens', () => {
  it('reopens after a lost connection, a cut-off, an unservable resume; not after an answer', async () => {
    for (const code of [14, 8, 11, 4]) expect(reopenable(new MoError(code, 'x'))).toBe(true);
    for (const code of [3, 5, 7, 16]) expect(reopenable(new MoError(code, 'x'))).toBe(false);
    expect(reopenable(new Error('x'))).toBe(false);
    const r = new WatchReopens();
    const signal = new AbortController().signal;
    await expect(r.after(new MoError(16, 'token revoked'), signal)).rejects.toThrow('token revoked');
  });

  it(`gives up after ${REOPENS_IN_A_ROW} failures in a row`, async () => {
    const r = new WatchReopens(1);
    const aborted = AbortSignal.abort();
    // An aborted signal: no pauses, nothing counted.
    await r.after(LOST, aborted);
    const signal = new AbortController().signal;
    const pauses: Array<Promise<void>> = [];
    let failed: unknown;
    for (let i = 0; i <= REOPENS_IN_A_ROW && failed === undefined; i++) {
      r.opened();
      await r.after(LOST, signal).then(
        () => pauses.push(Promise.resolve()),
        (err: unknown) => (failed = err),
      );
    }
    expect(pauses).toHaveLength(REOPENS_IN_A_ROW);
    expect(failed).toBe(LOST);
  });
});

describe('waits through a failover', () => {
  it('waitForWorkload reopens with a new snapshot and reports the end', async () => {
    const now = new Map([['W1', w('W1', 'WORKLOAD_STATE_RUNNING')]]);
    const s = scheduler([['break'], []], now);
    const waited = waitForWorkload(s, w('W1', 'WORKLOAD_STATE_RUNNING'), 'exit', 30_000);
    // The end happened while no stream was open: the second stream's snapshot has it.
    now.set('W1', w('W1', 'WORKLOAD_STATE_SUCCEEDED'));
    await expect(waited).resolves.toMatchObject({ verdict: 'ok', workload: { state: 'WORKLOAD_STATE_SUCCEEDED' } });
    expect(s.opens).toEqual([{ snapshot: true }, { snapshot: true }]);
  });

  it('waitForEnds reads what is still going again after a new stream caught up', async () => {
    const now = new Map([
      ['01J00000000000000000000001', w('01J00000000000000000000001', 'WORKLOAD_STATE_RUNNING')],
      ['01J00000000000000000000002', w('01J00000000000000000000002', 'WORKLOAD_STATE_RUNNING')],
    ]);
    const ended = w('01J00000000000000000000001', 'WORKLOAD_STATE_SUCCEEDED');
    const s = scheduler([[ended, 'break'], []], now);
    const ends: string[] = [];
    const waited = waitForEnds(s, [...now.keys()], new AbortController().signal, (e) => {
      ends.push(`${e.id} ${e.state}`);
      // The other one ends while the stream is down.
      if (ends.length === 1)
        now.set('01J00000000000000000000002', w('01J00000000000000000000002', 'WORKLOAD_STATE_FAILED'));
      return Promise.resolve();
    });
    const out = await waited;
    expect(ends).toEqual([
      '01J00000000000000000000001 WORKLOAD_STATE_SUCCEEDED',
      '01J00000000000000000000002 WORKLOAD_STATE_FAILED',
    ]);
    expect(out.map((x) => x.state)).toEqual(['WORKLOAD_STATE_SUCCEEDED', 'WORKLOAD_STATE_FAILED']);
    expect(s.opens).toHaveLength(2);
  });

  it('waitForEnds whose time ran out before the watch caught up still says where each workload stands', async () => {
    const now = new Map([['01J00000000000000000000001', w('01J00000000000000000000001', 'WORKLOAD_STATE_RUNNING')]]);
    const timedOut = new AbortController();
    timedOut.abort();
    const out = await waitForEnds(scheduler([[]], now), [...now.keys()], timedOut.signal, () => Promise.resolve());
    expect(out.map((x) => [x.id, x.state])).toEqual([['01J00000000000000000000001', 'WORKLOAD_STATE_RUNNING']]);
  });

  it('an unknown id still ends the wait at once', async () => {
    const s = scheduler([[]], new Map());
    await expect(
      waitForEnds(s, ['01J00000000000000000000009'], new AbortController().signal, () => Promise.resolve()),
    ).rejects.toMatchObject({ code: 5 });
  });
});
