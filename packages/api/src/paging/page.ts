// Deciding what goes in one page: the next items of a sorted, filtered source until the page has
// page_size of them or its encoded size passes PAGE_BYTES (always at least one), and the page size
// a request asks for. Pure, so both daemons page alike and the rules are unit-tested.
import { InvalidArgumentError } from '../errors.js';
import { encodeMessage } from '../wire/codec.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_BYTES } from './limits.js';

/** What a deprecated `limit` accepted before paging; kept so old callers are not refused. */
const MAX_LEGACY_LIMIT = 10_000;

/**
 * The page size of a request: page_size (0 = the default, above MAX_PAGE_SIZE = MAX_PAGE_SIZE),
 * or the deprecated `limit` alias when page_size is 0. `field` names page_size in errors (for
 * requests that call it something else).
 */
export function parsePageSize(
  req: { pageSize: number; limit?: number },
  field = 'page_size',
  defaultSize = DEFAULT_PAGE_SIZE,
): number {
  if (!Number.isSafeInteger(req.pageSize) || req.pageSize < 0) {
    throw new InvalidArgumentError(field, `must be 0 (the default, ${defaultSize}) or more, got ${req.pageSize}`);
  }
  let size = req.pageSize;
  if (size === 0 && req.limit) {
    if (!Number.isSafeInteger(req.limit) || req.limit < 0 || req.limit > MAX_LEGACY_LIMIT) {
      throw new InvalidArgumentError('limit', `must be between 0 and ${MAX_LEGACY_LIMIT}, got ${req.limit}`);
    }
    size = req.limit;
  }
  return Math.min(size || defaultSize, MAX_PAGE_SIZE);
}

export interface PageLimits {
  pageSize: number;
  /** Stop once the items' encoded bytes pass this (default PAGE_BYTES). */
  maxBytes?: number;
}

export interface Page<T, W> {
  items: W[];
  /** Encoded bytes of the items (as sizeOf counted them). */
  bytes: number;
  /** The source item of the last entry of items (where the next page starts after). */
  last: T | undefined;
  /** Whether the source had another item after the page. */
  more: boolean;
}

/**
 * Takes items from `source` (already sorted, filtered and past the cursor), converting each with
 * `toWire` and counting `sizeOf` its wire form, until the page is full by count or by bytes.
 * Reads at most one item past the page, to tell whether there are more.
 */
export function fillPage<T, W>(
  source: Iterable<T>,
  toWire: (item: T) => W,
  sizeOf: (wire: W) => number,
  limits: PageLimits,
): Page<T, W> {
  const maxBytes = limits.maxBytes ?? PAGE_BYTES;
  const items: W[] = [];
  let bytes = 0;
  let last: T | undefined;
  for (const item of source) {
    if (items.length >= limits.pageSize || (items.length > 0 && bytes >= maxBytes))
      return { items, bytes, last, more: true };
    const wire = toWire(item);
    items.push(wire);
    bytes += sizeOf(wire);
    last = item;
  }
  return { items, bytes, last, more: false };
}

/** Bytes `msg` (a mo.v1 `typeName`) takes as one entry of a repeated field: tag, length, body. */
export function repeatedEntrySize(typeName: string, msg: object): number {
  const body = encodeMessage(typeName, msg).length;
  let lengthBytes = 1;
  for (let n = body; n >= 0x80; n = Math.floor(n / 0x80)) lengthBytes++;
  return 1 + lengthBytes + body;
}
