// The in-memory store keeps the Store contract: the shared conformance suite, with a MemoryDisk
// per directory standing for the file a reopened store finds again.
import { describe, expect, it } from '@jest/globals';
import { describeStoreConformance } from '../store/store-conformance.js';
import { MemoryStore, type MemoryDisk } from './memory-store.js';

const disks = new Map<string, MemoryDisk>();
describeStoreConformance('memory', async (dir) => {
  let disk = disks.get(dir);
  if (!disk) disks.set(dir, (disk = new Map()));
  return new MemoryStore(disk, `memory:${dir}`);
});

describe('MemoryStore', () => {
  it('fails the next commit when asked, changing nothing', async () => {
    const store = new MemoryStore();
    store.failNextCommit('disk full');
    await expect(store.commit([{ kind: 'workload', id: 'w', value: 1 }])).rejects.toThrow('disk full');
    await store.commit([{ kind: 'workload', id: 'v', value: 2 }]);
    expect(await store.load('workload')).toEqual([{ id: 'v', value: 2 }]);
  });
});
