// Client side: follow next_page_token until the caller has what it wants. No imports beyond the
// limits, so the wire client (`mo status`) can use it without loading grpc-js.
import { MAX_PAGE_SIZE } from './limits.js';

/** Thrown when a server's pages do not advance (an empty page with a token, or a token twice). */
export class PagingError extends Error {}

export interface Followed<R, T> {
  /** The first response, as the server sent it (its other fields: total, facts...). */
  first: R;
  items: T[];
  /** Where to continue when `max` stopped the walk first ('' = nothing left). */
  nextPageToken: string;
}

/**
 * Calls `fetchPage` with each next page token (`startToken` first: '' = the first page) and a page
 * size of what is still wanted (at most MAX_PAGE_SIZE), until the server says there is no more or
 * `max` items are in.
 */
export async function followPages<R extends { nextPageToken: string }, T>(
  fetchPage: (pageToken: string, pageSize: number) => Promise<R>,
  itemsOf: (res: R) => T[],
  max = Infinity,
  startToken = '',
): Promise<Followed<R, T>> {
  if (!(max >= 1)) throw new RangeError(`max must be at least 1, got ${max}`);
  const items: T[] = [];
  const seen = new Set<string>();
  let first: R | undefined;
  let token = startToken;
  for (;;) {
    const res = await fetchPage(token, Math.min(MAX_PAGE_SIZE, max - items.length));
    first ??= res;
    const page = itemsOf(res);
    items.push(...page.slice(0, max - items.length));
    token = res.nextPageToken;
    if (!token || items.length >= max) return { first, items, nextPageToken: token };
    if (page.length === 0 || seen.has(token))
      throw new PagingError(`the server's pages do not advance (token ${token.slice(0, 32)})`);
    seen.add(token);
  }
}
