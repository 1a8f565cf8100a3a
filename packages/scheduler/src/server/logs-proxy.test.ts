import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, NotFoundError } from '@mo/api';
import {
  MAX_PAST_ALLOCATIONS,
  withPastAllocation,
  type PastAllocationRecord,
  type WorkloadRecord,
} from '../workloads/record.js';
import { chooseAllocation } from './logs-proxy.js';

const past = (n: number): PastAllocationRecord => ({
  allocationId: `a${n}`,
  nodeId: `id${n}`,
  nodeName: `node-${n}`,
  attempt: n,
  state: 'failed',
  endedAtMs: n,
});

/** Only the fields chooseAllocation reads. */
function record(allocationId: string, previous: number[], attempt = previous.length + 1): WorkloadRecord {
  return {
    allocationId,
    nodeId: allocationId ? 'idc' : '',
    nodeName: allocationId ? 'node-c' : '',
    attempt,
    reason: 'restart 1 in 1s after: exited 1',
    pastAllocations: previous.map(past),
  } as WorkloadRecord;
}

const pick = (r: WorkloadRecord, choice: { allocationId?: string; previous?: boolean }) =>
  chooseAllocation(r, choice, 'workload', 'w1').allocationId;

describe('chooseAllocation', () => {
  it('reads the current allocation by default, and by its id', () => {
    expect(pick(record('ac', [1]), {})).toBe('ac');
    expect(pick(record('ac', [1]), { allocationId: 'ac' })).toBe('ac');
  });

  it('reads an earlier allocation by id, with where it ran', () => {
    expect(chooseAllocation(record('ac', [1, 2]), { allocationId: 'a1' }, 'workload', 'w1')).toMatchObject({
      allocationId: 'a1',
      nodeId: 'id1',
      nodeName: 'node-1',
    });
  });

  it('takes --previous as the last allocation before the current one, also while a restart is pending', () => {
    expect(pick(record('ac', [1, 2]), { previous: true })).toBe('a2');
    expect(pick(record('', [1, 2]), { previous: true })).toBe('a2');
  });

  it('refuses previous of a workload that never restarted, naming the field', () => {
    expect(() => pick(record('ac', []), { previous: true })).toThrow(NotFoundError);
    expect(() => pick(record('ac', []), { previous: true })).toThrow(
      /^previous: no earlier allocation of workload "w1" \(it ran 1 time\(s\), never restarted\)/,
    );
  });

  it('refuses an unknown allocation id, listing the ones it has', () => {
    expect(() => pick(record('ac', [1]), { allocationId: 'zz' })).toThrow(
      'allocation_id: no allocation of workload w1 "zz" (its allocations are a1, ac)',
    );
  });

  it('refuses previous with allocation_id', () => {
    expect(() => pick(record('ac', [1]), { allocationId: 'a1', previous: true })).toThrow(InvalidArgumentError);
  });

  it('says a workload waiting for its restart has no current logs, and how to read the last run', () => {
    expect(() => pick(record('', [1]), {})).toThrow(/it is waiting to run again: .*--previous reads the last run/);
    expect(() => pick(record('', [], 0), {})).toThrow(/it never ran/);
  });
});

describe('withPastAllocation', () => {
  it('appends, keeping the newest MAX_PAST_ALLOCATIONS', () => {
    let list: PastAllocationRecord[] | undefined;
    for (let n = 1; n <= MAX_PAST_ALLOCATIONS + 2; n++) list = withPastAllocation(list, past(n));
    expect(list!.map((a) => a.attempt)).toEqual(Array.from({ length: MAX_PAST_ALLOCATIONS }, (_, i) => i + 3));
  });
});
