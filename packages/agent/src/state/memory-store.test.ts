// MemoryWorkloadStore (simulated agents in benchmarks): same contract as the disk store, in memory.
import { describe, expect, it } from '@jest/globals';
import type { WorkloadRecord } from '../workloads/record.js';
import { MemoryWorkloadStore } from './memory-store.js';

const record = (id: string, state: WorkloadRecord['state']) =>
  ({ spec: { id }, state, reason: state, createdAtMs: 1, startedAtMs: 0, events: [] }) as unknown as WorkloadRecord;

describe('MemoryWorkloadStore', () => {
  it('keeps the latest snapshot of each record and forgets removed ones', async () => {
    const store = new MemoryWorkloadStore('/sim/workloads');
    expect(store.dirOf('a')).toBe('/sim/workloads/a');
    const a = record('a', 'starting');
    await store.create(a);
    a.state = 'running'; // a snapshot, not a live reference
    expect(store.loadAll().map((r) => r.state)).toEqual(['starting']);
    await store.save(a);
    await store.create(record('b', 'starting'));
    await store.remove('b');
    await store.flush();
    expect(store.loadAll().map((r) => [r.spec.id, r.state])).toEqual([['a', 'running']]);
  });
});
