import { describe, expect, it } from '@jest/globals';
import type { WorkloadStatus } from '@mo/api';
import { inventoryPages, pages, statusBytes, takePage } from './pages.js';

const size = (n: number) => n;

describe('takePage', () => {
  it.each([
    ['stops at the entry count', [1, 1, 1, 1], { maxEntries: 3, maxBytes: 100 }, [1, 1, 1]],
    ['stops before the byte budget', [40, 40, 40], { maxEntries: 10, maxBytes: 100 }, [40, 40]],
    ['fills up to the byte budget exactly', [50, 50, 1], { maxEntries: 10, maxBytes: 100 }, [50, 50]],
    ['takes one item larger than the budget alone', [300, 1], { maxEntries: 10, maxBytes: 100 }, [300]],
    ['takes nothing when no entry is allowed', [1], { maxEntries: 0, maxBytes: 100 }, []],
  ])('%s', (_what, items, limits, page) => {
    const out = takePage(items, limits, size);
    expect(out.page).toEqual(page);
    expect([...out.page, ...out.rest]).toEqual(items);
  });
});

describe('pages', () => {
  it('covers every item once, in order, each page within the limits', () => {
    const items = Array.from({ length: 2500 }, (_, i) => (i % 7) * 10 + 1);
    const out = pages(items, size, { maxEntries: 1000, maxBytes: 5000 });
    expect(out.flat()).toEqual(items);
    for (const p of out) {
      expect(p.length).toBeLessThanOrEqual(1000);
      expect(p.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5000);
    }
  });

  it('gives one empty page for an empty inventory', () => {
    expect(pages([], size)).toEqual([[]]);
  });

  it('keeps 20 statuses of 240 KiB each under 2 MiB per page (a 4.8 MiB inventory in 3 pages)', () => {
    const big: WorkloadStatus = {
      spec: { id: 'a', argv: ['true'], env: { BIG: 'x'.repeat(240 * 1024) } },
      state: 'WORKLOAD_STATE_RUNNING',
    };
    const items = Array.from({ length: 20 }, () => big);
    const out = pages(items, statusBytes);
    expect(out.map((p) => p.length)).toEqual([8, 8, 4]);
    for (const p of out) expect(p.reduce((a, s) => a + statusBytes(s), 0)).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});

describe('inventoryPages', () => {
  it('puts the first page in Register and the rest in SyncInventory, each but the last saying more follow', () => {
    const out = inventoryPages([1, 2, 3, 4, 5], size, { maxEntries: 2, maxBytes: 100 });
    expect(out).toEqual({
      register: { inventory: [1, 2], inventoryFollows: true },
      sync: [
        { inventory: [3, 4], inventoryFollows: true },
        { inventory: [5], inventoryFollows: false },
      ],
    });
  });

  it('registers with an empty inventory and nothing to follow when there is none', () => {
    expect(inventoryPages([], size)).toEqual({ register: { inventory: [], inventoryFollows: false }, sync: [] });
  });
});
