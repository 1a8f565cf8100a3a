import { describe, expect, it } from '@jest/globals';
import { FailedPreconditionError, InvalidArgumentError } from '@mo/api';
import { InventorySyncs } from './inventory-sync.js';

describe('InventorySyncs', () => {
  it('collects the ids of every page and hands them back with the last one', () => {
    const s = new InventorySyncs(1000);
    const reg = s.begin('n1', ['a', 'b'], 0);
    expect(s.isOpen('n1', 0)).toBe(true);
    s.check('n1', reg, 10);
    expect(s.page('n1', ['c'], true, 10)).toEqual({ done: false });
    s.check('n1', reg, 20);
    const last = s.page('n1', ['d'], false, 20);
    expect(last.done && [...last.seen].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(s.isOpen('n1', 20)).toBe(false);
    expect(() => s.check('n1', reg, 30)).toThrow(FailedPreconditionError);
  });

  it('discards a half-sent inventory when the node registers again', () => {
    const s = new InventorySyncs(1000);
    const first = s.begin('n1', ['a'], 0);
    const second = s.begin('n1', ['b'], 5);
    expect(() => s.check('n1', first, 6)).toThrow(/replaced by a newer Register\); register again/);
    s.check('n1', second, 6);
    const out = s.page('n1', [], false, 6);
    expect(out.done && [...out.seen]).toEqual(['b']);
  });

  it('expires a sync whose pages stopped coming; each page extends it', () => {
    const s = new InventorySyncs(1000);
    const reg = s.begin('n1', [], 0);
    s.check('n1', reg, 900);
    s.page('n1', ['x'], true, 900);
    expect(s.isOpen('n1', 1800)).toBe(true);
    expect(s.isOpen('n1', 1900)).toBe(false);
    s.expire(1900);
    expect(s.size).toBe(0);
  });

  it('refuses a page that takes the total past 100,000 entries and closes the sync', () => {
    const s = new InventorySyncs(1000);
    const reg = s.begin('n1', [], 0);
    const ids = Array.from({ length: 1000 }, (_, i) => `p${i}`);
    for (let i = 0; i < 100; i++) s.page('n1', ids, true, 1);
    expect(() => s.page('n1', ['one-more'], false, 1)).toThrow(InvalidArgumentError);
    expect(() => s.check('n1', reg, 2)).toThrow(FailedPreconditionError);
  });
});
