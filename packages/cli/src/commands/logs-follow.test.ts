import { describe, expect, it } from '@jest/globals';
import type { LogChunk__Output, ScheduledWorkload__Output, StreamWorkloadLogsRequest } from '@mo/api';
import { followLogs, nextAllocation, restartNotice, type FollowView } from './logs-follow.js';

const past = (allocationId: string, attempt: number) => ({
  allocationId,
  attempt,
  nodeName: 'n1',
  nodeId: 'id1',
  state: 'WORKLOAD_STATE_FAILED' as const,
  endedAtMs: 0,
});

function view(state: string, allocationId: string, attempt: number, previous: string[] = []): FollowView {
  return {
    state: state as FollowView['state'],
    allocationId,
    attempt,
    nodeName: 'n1',
    previousAllocations: previous.map((a, i) => past(a, i + 1)),
  };
}

describe('nextAllocation', () => {
  it.each([
    [
      'a running workload, nothing followed yet: follow it',
      undefined,
      view('WORKLOAD_STATE_RUNNING', 'a1', 1),
      'follow a1',
    ],
    ['a starting one: wait until its agent has it', undefined, view('WORKLOAD_STATE_STARTING', 'a1', 1), 'wait'],
    ['a pending one that never ran: wait', undefined, view('WORKLOAD_STATE_PENDING', '', 0), 'wait'],
    [
      'an ended one, nothing followed: read its last allocation',
      undefined,
      view('WORKLOAD_STATE_FAILED', 'a1', 1),
      'follow a1',
    ],
    [
      'its stream ended but the scheduler still shows it running: wait',
      'a1',
      view('WORKLOAD_STATE_RUNNING', 'a1', 1),
      'wait',
    ],
    ['it ended for good: end', 'a1', view('WORKLOAD_STATE_SUCCEEDED', 'a1', 1), 'end'],
    ['it was lost and not restarted: end', 'a1', view('WORKLOAD_STATE_LOST', 'a1', 1), 'end'],
    ['a restart is pending (backoff): wait', 'a1', view('WORKLOAD_STATE_PENDING', '', 1, ['a1']), 'wait'],
    ['the restart is starting: wait', 'a1', view('WORKLOAD_STATE_STARTING', 'a2', 2, ['a1']), 'wait'],
    ['the restart runs: follow it', 'a1', view('WORKLOAD_STATE_RUNNING', 'a2', 2, ['a1']), 'follow a2'],
    [
      'a run that came and went between looks: read it first',
      'a1',
      view('WORKLOAD_STATE_RUNNING', 'a3', 3, ['a1', 'a2']),
      'follow a2',
    ],
    ['then the current one', 'a2', view('WORKLOAD_STATE_RUNNING', 'a3', 3, ['a1', 'a2']), 'follow a3'],
    [
      'a missed run of an ended workload is still read',
      'a1',
      view('WORKLOAD_STATE_FAILED', 'a3', 3, ['a1', 'a2']),
      'follow a2',
    ],
    [
      'the last run of an ended workload after a restart',
      'a2',
      view('WORKLOAD_STATE_FAILED', 'a3', 3, ['a1', 'a2']),
      'follow a3',
    ],
    [
      'a first look in a restart backoff: read the run that just ended',
      undefined,
      view('WORKLOAD_STATE_PENDING', '', 2, ['a1', 'a2']),
      'follow a2',
    ],
    [
      'a first look while the restart starts: read the run before it',
      undefined,
      view('WORKLOAD_STATE_STARTING', 'a2', 2, ['a1']),
      'follow a1',
    ],
    ['then wait for the restart to run', 'a1', view('WORKLOAD_STATE_STARTING', 'a2', 2, ['a1']), 'wait'],
    ['a stop during a restart backoff: end', 'a1', view('WORKLOAD_STATE_STOPPED', '', 1, ['a1']), 'end'],
  ])('%s', (_why, followed, w, expected) => {
    const step = nextAllocation(followed, w);
    expect(step.kind === 'follow' ? `follow ${step.allocationId}` : step.kind).toBe(expected);
  });

  it('names the attempt and node of the allocation it moves to', () => {
    expect(nextAllocation('a1', view('WORKLOAD_STATE_RUNNING', 'a2', 2, ['a1']))).toEqual({
      kind: 'follow',
      allocationId: 'a2',
      attempt: 2,
      nodeName: 'n1',
    });
  });
});

describe('restartNotice', () => {
  it('is one line naming the workload, the attempt, the allocation and the node', () => {
    expect(restartNotice('w1', { kind: 'follow', allocationId: 'a2', attempt: 2, nodeName: 'n1' })).toBe(
      'mo: w1 restarted: following attempt 2 (allocation a2 on n1)\n',
    );
  });
});

describe('followLogs', () => {
  /** A client from object literals: the workload as each GetWorkload sees it, one chunk per stream. */
  function client(views: FollowView[]) {
    const asked: StreamWorkloadLogsRequest[] = [];
    let i = 0;
    return {
      asked,
      getWorkload: async () => views[Math.min(i++, views.length - 1)] as ScheduledWorkload__Output,
      async *streamLogs(req: StreamWorkloadLogsRequest): AsyncGenerator<LogChunk__Output> {
        asked.push(req);
        yield { stream: 'LOG_STREAM_STDOUT', data: Buffer.from(`${req.allocationId ?? 'current'}\n`) };
      },
    };
  }

  async function run(views: FollowView[]) {
    const c = client(views);
    let out = '';
    const notices: string[] = [];
    const copy = async (chunks: AsyncIterable<LogChunk__Output>) => {
      for await (const chunk of chunks) out += chunk.data.toString();
    };
    await followLogs(
      c,
      { workloadId: 'w1', tailLines: 5, follow: true },
      copy,
      (l) => notices.push(l),
      new AbortController().signal,
    );
    return { out, notices, asked: c.asked };
  }

  it('reads each allocation in turn across a restart, the first with the tail, then ends', async () => {
    const r = await run([
      view('WORKLOAD_STATE_RUNNING', 'a1', 1),
      view('WORKLOAD_STATE_RUNNING', 'a1', 1), // its end has not reached the scheduler yet
      view('WORKLOAD_STATE_PENDING', '', 1, ['a1']),
      view('WORKLOAD_STATE_RUNNING', 'a2', 2, ['a1']),
      view('WORKLOAD_STATE_FAILED', 'a2', 2, ['a1']),
    ]);
    expect(r.out).toBe('a1\na2\n');
    expect(r.notices).toEqual(['mo: w1 restarted: following attempt 2 (allocation a2 on n1)\n']);
    expect(r.asked.map((q) => [q.allocationId, q.tailLines])).toEqual([
      ['a1', 5],
      ['a2', 0],
    ]);
  });

  it('a first look in a restart backoff reads the run that just ended, then follows the restart', async () => {
    const r = await run([
      view('WORKLOAD_STATE_PENDING', '', 1, ['a1']),
      view('WORKLOAD_STATE_RUNNING', 'a2', 2, ['a1']),
      view('WORKLOAD_STATE_FAILED', 'a2', 2, ['a1']),
    ]);
    expect(r.out).toBe('a1\na2\n');
    expect(r.notices).toEqual(['mo: w1 restarted: following attempt 2 (allocation a2 on n1)\n']);
  });

  it('says once that it waits for a workload that has not started', async () => {
    const r = await run([
      view('WORKLOAD_STATE_PENDING', '', 0),
      view('WORKLOAD_STATE_PENDING', '', 0),
      view('WORKLOAD_STATE_RUNNING', 'a1', 1),
      view('WORKLOAD_STATE_SUCCEEDED', 'a1', 1),
    ]);
    expect(r.out).toBe('a1\n');
    expect(r.notices).toEqual(['mo: w1 has not started yet: waiting for it (Ctrl-C to stop)\n']);
  });

  it('reads an ended workload once, letting the scheduler say why when it never ran', async () => {
    const r = await run([view('WORKLOAD_STATE_FAILED', '', 0)]);
    expect(r.asked).toEqual([{ workloadId: 'w1', tailLines: 5, follow: true }]);
  });
});
