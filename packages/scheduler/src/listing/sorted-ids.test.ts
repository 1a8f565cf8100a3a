import { describe, expect, it } from '@jest/globals';
import { SortedIds } from './sorted-ids.js';

describe('SortedIds', () => {
  it('walks highest first, from below a cursor, whatever the insertion order', () => {
    const s = new SortedIds();
    for (const id of ['03', '01', '05', '02', '04', '03']) s.add(id);
    expect(s.size).toBe(5);
    expect([...s.descending()]).toEqual(['05', '04', '03', '02', '01']);
    expect([...s.descending('04')]).toEqual(['03', '02', '01']);
    // A cursor that is no longer (or never was) in the index is still a position.
    expect([...s.descending('035')]).toEqual(['03', '02', '01']);
    expect([...s.descending('00')]).toEqual([]);
  });

  it('keeps its order through deletes, and ignores ids it does not have', () => {
    const s = new SortedIds();
    for (const id of ['a', 'b', 'c']) s.add(id);
    s.delete('b');
    s.delete('zz');
    expect([...s.descending()]).toEqual(['c', 'a']);
  });

  it('pages by cursor without gaps or repeats while newer ids arrive', () => {
    const s = new SortedIds();
    for (let i = 10; i < 40; i++) s.add(`id${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const ids = [...s.descending(cursor)].slice(0, 7);
      if (ids.length === 0) break;
      seen.push(...ids);
      cursor = ids[ids.length - 1];
      s.add(`id${90 + page}`); // newer than every cursor: never shows in a later page
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `id${39 - i}`));
  });
});
