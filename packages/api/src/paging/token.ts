// Opaque page tokens: base64url of a versioned JSON position ([1, list, ...key]). The list name
// is inside, so a token of one list is refused by another; anything else that does not decode is
// INVALID_ARGUMENT naming the field (the token itself is not echoed: it is the caller's garbage).
import { InvalidArgumentError } from '../errors.js';
import { MAX_PAGE_TOKEN_CHARS } from './limits.js';

/** The lists that hand out tokens. */
export type PageList = 'workloads' | 'nodes' | 'pipelines' | 'agent-workloads' | 'tokens';

/** Where the next page starts: the sort key of the last item returned (strings and integers). */
export type PagePosition = readonly (string | number)[];

const VERSION = 1;
const TOKEN_RE = /^[A-Za-z0-9_-]+$/;
/** Longest string inside a position (ids and node names are far shorter). */
const MAX_KEY_CHARS = 256;

export function encodePageToken(list: PageList, position: PagePosition): string {
  return Buffer.from(JSON.stringify([VERSION, list, ...position])).toString('base64url');
}

/**
 * The position in `token` ('' = the first page: undefined), checked to be one `list` hands out
 * with `arity` keys of the given kinds.
 */
export function decodePageToken(
  list: PageList,
  token: string,
  kinds: readonly ('string' | 'integer')[],
  field = 'page_token',
): PagePosition | undefined {
  if (token === '') return undefined;
  const bad = (why: string) => new InvalidArgumentError(field, `${why}; pass the next_page_token of a response, or ''`);
  if (token.length > MAX_PAGE_TOKEN_CHARS)
    throw bad(`is ${token.length} characters, no token is longer than ${MAX_PAGE_TOKEN_CHARS}`);
  if (!TOKEN_RE.test(token)) throw bad('is not a page token (garbled)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('is not a page token (garbled)');
  }
  if (!Array.isArray(parsed) || parsed[0] !== VERSION || typeof parsed[1] !== 'string') {
    throw bad('is not a page token (garbled)');
  }
  if (parsed[1] !== list) throw bad(`is a token of another list (${String(parsed[1]).slice(0, 32)}), not of ${list}`);
  const keys = parsed.slice(2) as unknown[];
  const fits =
    keys.length === kinds.length &&
    keys.every((k, i) =>
      kinds[i] === 'string'
        ? typeof k === 'string' && k.length > 0 && k.length <= MAX_KEY_CHARS
        : Number.isSafeInteger(k) && (k as number) >= 0,
    );
  if (!fits) throw bad('is not a page token (garbled)');
  return keys as PagePosition;
}
