import { describe, expect, it } from '@jest/globals';
import { EndedRetention } from './retention.js';

describe('EndedRetention', () => {
  it('drops the oldest ended past the bound, one for one', () => {
    const r = new EndedRetention(2);
    const always = () => true;
    expect(r.ended('a', always)).toEqual([]);
    expect(r.ended('b', always)).toEqual([]);
    expect(r.ended('c', always)).toEqual(['a']);
    expect(r.ended('d', always)).toEqual(['b']);
    expect(r.size).toBe(2);
  });

  it('passes over one that is not ended any more (it restarted), and counts it gone', () => {
    const r = new EndedRetention(1);
    r.seed(['old', 'restarted']);
    expect(r.ended('new', (id) => id !== 'restarted')).toEqual(['old']);
    expect(r.size).toBe(1);
  });

  it('trims what a seed brought past the bound', () => {
    const r = new EndedRetention(2);
    r.seed(['a', 'b', 'c', 'd']);
    expect(r.trim(() => true)).toEqual(['a', 'b']);
    expect(r.trim(() => true)).toEqual([]);
  });

  it('keeps its memory bounded over many ends', () => {
    const r = new EndedRetention(10);
    let dropped = 0;
    for (let i = 0; i < 100_000; i++) dropped += r.ended(`w${i}`, () => true).length;
    expect(dropped).toBe(100_000 - 10);
    expect(r.size).toBe(10);
    expect((r as unknown as { order: string[] }).order.length).toBeLessThan(3000);
  });
});
