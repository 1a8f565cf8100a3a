// Group commit's packing for etcd: pure, no etcd. Commits share a txn in call order, each key once
// (its last write), never split, within the op and byte limits; one too large alone is refused.
import { describe, expect, it } from '@jest/globals';
import type { Row } from '../sqlite-store.js';
import { planTxns, recordKey } from './txn-plan.js';

const limits = { maxTxnOps: 4, maxRequestBytes: 4096 + 400 };
const put = (id: string, json = '1'): Row => ({ kind: 'workload', id, json });
const del = (id: string): Row => ({ kind: 'workload', id, json: null });

describe('planTxns', () => {
  it('names a record <prefix>s/<kind>/<id>, ids with slashes included', () => {
    expect(recordKey('/mo/', 'job-version', 'web/0000000002')).toBe('/mo/s/job-version/web/0000000002');
  });

  it('puts concurrent commits in one txn, folding each key to its last write', () => {
    const plan = planTxns([[put('a', '1'), put('b')], [del('b')], [put('a', '2')]], '/mo/', limits);
    expect(plan.refused.size).toBe(0);
    expect(plan.txns).toEqual([
      {
        commits: [0, 1, 2],
        ops: [
          { key: '/mo/s/workload/b', json: null },
          { key: '/mo/s/workload/a', json: '2' },
        ],
      },
    ]);
  });

  it('starts a new txn when the next commit would exceed the ops per txn, never splitting a commit', () => {
    const plan = planTxns(
      [[put('a'), put('b'), put('c')], [put('d'), put('e')], [put('a')], [put('f')]],
      '/mo/',
      limits,
    );
    expect(plan.txns.map((t) => t.commits)).toEqual([[0], [1, 2, 3]]);
    expect(plan.txns.every((t) => t.ops.length <= limits.maxTxnOps)).toBe(true);
  });

  it('counts a key already in the txn once', () => {
    const plan = planTxns(
      [
        [put('a'), put('b'), put('c'), put('d')],
        [put('a'), put('d')],
      ],
      '/mo/',
      limits,
    );
    expect(plan.txns.map((t) => t.commits)).toEqual([[0, 1]]);
  });

  it('starts a new txn when the bytes would exceed the request size', () => {
    const big = 'x'.repeat(250);
    const plan = planTxns([[put('a', big)], [put('b', big)]], '/mo/', limits);
    expect(plan.txns.map((t) => t.commits)).toEqual([[0], [1]]);
  });

  it('refuses a commit too large alone, with its size; the others are planned', () => {
    const plan = planTxns(
      [[put('ok')], ['a', 'b', 'c', 'd', 'e'].map((id) => put(id)), [put('big', 'x'.repeat(1000))], [put('ok2')]],
      '/mo/',
      limits,
    );
    expect(plan.txns.map((t) => t.commits)).toEqual([[0, 3]]);
    expect(plan.refused.get(1)).toMatch(/^5 records, \d+ bytes; one transaction holds at most 4 records and 400 bytes/);
    expect(plan.refused.get(2)).toMatch(/^1 records, 10\d\d bytes/);
  });

  it('carries an empty commit along with the txn that follows it', () => {
    const plan = planTxns([[], [put('a')]], '/mo/', limits);
    expect(plan.txns).toEqual([{ commits: [0, 1], ops: [{ key: '/mo/s/workload/a', json: '1' }] }]);
  });
});
