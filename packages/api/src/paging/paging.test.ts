import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '../errors.js';
import { followPages, PagingError } from './follow.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE_TOKEN_CHARS } from './limits.js';
import { fillPage, parsePageSize, repeatedEntrySize } from './page.js';
import { decodePageToken, encodePageToken } from './token.js';
import { encodeMessage } from '../wire/codec.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.field;
    throw err;
  }
  return undefined;
};

describe('page tokens', () => {
  it('round-trip a position and are opaque base64url', () => {
    const token = encodePageToken('agent-workloads', [1_700_000_000_123, 'w-1']);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken('agent-workloads', token, ['integer', 'string'])).toEqual([1_700_000_000_123, 'w-1']);
  });

  it('mean the first page when empty', () => {
    expect(decodePageToken('workloads', '', ['string'])).toBeUndefined();
  });

  it.each([
    ['garbled characters', 'not a token!'],
    ['base64 of something else', Buffer.from('hello').toString('base64url')],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    ['another version', Buffer.from('[2,"workloads","01J"]').toString('base64url')],
    ['a missing key', Buffer.from('[1,"workloads"]').toString('base64url')],
    ['an extra key', Buffer.from('[1,"workloads","01J","x"]').toString('base64url')],
    ['a number for a string key', Buffer.from('[1,"workloads",5]').toString('base64url')],
    ['an empty key', Buffer.from('[1,"workloads",""]').toString('base64url')],
    ['another list', encodePageToken('pipelines', ['01J'])],
    ['an overlong token', 'A'.repeat(MAX_PAGE_TOKEN_CHARS + 1)],
  ])('refuse %s with INVALID_ARGUMENT naming page_token', (_name, token) => {
    expect(fieldOf(() => decodePageToken('workloads', token, ['string']))).toBe('page_token');
  });

  it('refuse a negative or fractional integer key', () => {
    for (const k of [-1, 1.5]) {
      const token = Buffer.from(JSON.stringify([1, 'agent-workloads', k, 'id'])).toString('base64url');
      expect(fieldOf(() => decodePageToken('agent-workloads', token, ['integer', 'string']))).toBe('page_token');
    }
  });

  it('do not echo the caller token in the error', () => {
    const token = 'x'.repeat(200) + '$';
    expect(() => decodePageToken('nodes', token, ['string'])).toThrow(/^page_token: is not a page token \(garbled\)/);
    try {
      decodePageToken('nodes', token, ['string']);
    } catch (err) {
      expect((err as Error).message).not.toContain('xxxxxxxx');
    }
  });
});

describe('parsePageSize', () => {
  it.each([
    [{ pageSize: 0 }, DEFAULT_PAGE_SIZE],
    [{ pageSize: 7 }, 7],
    [{ pageSize: MAX_PAGE_SIZE + 1 }, MAX_PAGE_SIZE],
    [{ pageSize: 0, limit: 20 }, 20],
    [{ pageSize: 0, limit: 10_000 }, MAX_PAGE_SIZE],
    [{ pageSize: 5, limit: 20 }, 5],
  ])('%j -> %d', (req, size) => expect(parsePageSize(req)).toBe(size));

  it('refuses a negative page_size or an out-of-range limit by name', () => {
    expect(fieldOf(() => parsePageSize({ pageSize: -1 }))).toBe('page_size');
    expect(fieldOf(() => parsePageSize({ pageSize: 0, limit: -1 }))).toBe('limit');
    expect(fieldOf(() => parsePageSize({ pageSize: 0, limit: 10_001 }))).toBe('limit');
  });
});

describe('fillPage', () => {
  const size = (n: number) => n;
  it('stops at page_size and says there is more', () => {
    const p = fillPage(
      [1, 2, 3, 4],
      (x) => x * 10,
      () => 1,
      { pageSize: 2 },
    );
    expect(p).toEqual({ items: [10, 20], bytes: 2, last: 2, more: true });
  });

  it('stops once the bytes pass the budget, keeping the item that passed it', () => {
    const p = fillPage([40, 40, 40, 40], (x) => x, size, { pageSize: 100, maxBytes: 100 });
    expect(p.items).toEqual([40, 40, 40]);
    expect(p.more).toBe(true);
  });

  it('always takes one item, even a big one', () => {
    const p = fillPage([500, 1], (x) => x, size, { pageSize: 100, maxBytes: 100 });
    expect(p.items).toEqual([500]);
    expect(p.more).toBe(true);
  });

  it('says there is no more when the source ends exactly at the page', () => {
    expect(fillPage([1, 2], (x) => x, size, { pageSize: 2 }).more).toBe(false);
    expect(fillPage([], (x) => x, size, { pageSize: 2 })).toEqual({
      items: [],
      bytes: 0,
      last: undefined,
      more: false,
    });
  });

  it('reads at most one item past the page', () => {
    let read = 0;
    function* source() {
      for (let i = 0; i < 100; i++) {
        read++;
        yield i;
      }
    }
    fillPage(
      source(),
      (x) => x,
      () => 1,
      { pageSize: 3 },
    );
    expect(read).toBe(4);
  });
});

describe('repeatedEntrySize', () => {
  it('counts tag, length and body of an entry as the encoder writes it', () => {
    const w = { id: 'w1', spec: { id: 'w1', argv: ['sleep', '1'], env: { BIG: 'x'.repeat(300) } } };
    const alone = encodeMessage('ListWorkloadsResponse', { workloads: [w] }).length;
    expect(repeatedEntrySize('ScheduledWorkload', w)).toBe(alone);
    const two = encodeMessage('ListWorkloadsResponse', { workloads: [w, w] }).length;
    expect(2 * repeatedEntrySize('ScheduledWorkload', w)).toBe(two);
  });
});

describe('followPages', () => {
  // A server over 0..n-1 whose token is the next index.
  const server =
    (n: number, calls: { token: string; size: number }[] = []) =>
    async (token: string, size: number) => {
      calls.push({ token, size });
      const start = token ? Number(token) : 0;
      const items = Array.from({ length: Math.max(0, Math.min(size, n - start)) }, (_, i) => start + i);
      const next = start + items.length;
      return { items, nextPageToken: next < n ? String(next) : '' };
    };

  it('gathers every page', async () => {
    const calls: { token: string; size: number }[] = [];
    const r = await followPages(server(2500, calls), (res) => res.items);
    expect(r.items).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(r.nextPageToken).toBe('');
    expect(calls).toEqual([
      { token: '', size: MAX_PAGE_SIZE },
      { token: '1000', size: MAX_PAGE_SIZE },
      { token: '2000', size: MAX_PAGE_SIZE },
    ]);
  });

  it('asks only for what is still wanted and returns where to go on', async () => {
    const calls: { token: string; size: number }[] = [];
    const r = await followPages(server(2500, calls), (res) => res.items, 1200);
    expect(r.items).toHaveLength(1200);
    expect(r.nextPageToken).toBe('1200');
    expect(calls.map((c) => c.size)).toEqual([1000, 200]);
  });

  it('refuses a server whose pages do not advance', async () => {
    await expect(
      followPages(
        async () => ({ items: [], nextPageToken: 'x' }),
        (r) => r.items,
      ),
    ).rejects.toBeInstanceOf(PagingError);
    await expect(
      followPages(
        async () => ({ items: [1], nextPageToken: 'x' }),
        (r) => r.items,
      ),
    ).rejects.toBeInstanceOf(PagingError);
  });
});
