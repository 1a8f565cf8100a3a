import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import { IdempotencyKeys } from './idempotency.js';

const H = 3_600_000;

describe('IdempotencyKeys', () => {
  it('remembers a key for its window, then the sweep forgets it and deletes its record', () => {
    const keys = new IdempotencyKeys(24 * H);
    expect(keys.add('k1', { workloadId: 'w1', createdAtMs: 0 })).toEqual({
      kind: 'idempotency',
      id: 'k1',
      value: { workloadId: 'w1', createdAtMs: 0 },
    });
    keys.add('k2', { workloadId: 'w2', createdAtMs: 2 * H });
    expect(keys.get('k1', 24 * H - 1)?.workloadId).toBe('w1');
    expect(keys.get('k1', 24 * H)).toBeUndefined(); // past the window: free again
    expect(keys.sweep(25 * H)).toEqual([{ kind: 'idempotency', id: 'k1', value: null }]);
    expect(keys.size).toBe(1);
    expect(keys.sweep(25 * H)).toEqual([]);
  });

  it('loads stored keys in first-use order and drops the expired ones', () => {
    const keys = new IdempotencyKeys(10);
    const ops = keys.load(
      [
        { id: 'late', value: { workloadId: 'b', createdAtMs: 95 } },
        { id: 'old', value: { workloadId: 'a', createdAtMs: 50 } },
      ],
      100,
    );
    expect(ops.map((o) => o.id)).toEqual(['old']);
    expect(keys.get('late', 100)?.workloadId).toBe('b');
  });

  it('answers a retry whose workload record is gone with ALREADY_EXISTS naming the workload', () => {
    const err = IdempotencyKeys.gone('k'.repeat(500), { workloadId: '01HZZ', createdAtMs: 0 });
    expect(err.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(err.message).toMatch(/^idempotency_key: "k+…\(500 chars\)" already created workload 01HZZ/);
  });

  it('refuses a new key with RESOURCE_EXHAUSTED once it holds the most it may', () => {
    const keys = new IdempotencyKeys(H, 2);
    keys.add('a', { workloadId: 'w', createdAtMs: 0 });
    expect(() => keys.checkRoom()).not.toThrow();
    keys.add('b', { workloadId: 'w', createdAtMs: 0 });
    expect(() => keys.checkRoom()).toThrow(expect.objectContaining({ code: grpc.status.RESOURCE_EXHAUSTED }));
  });
});
