// Splits what the agent reports (its inventory on Register, its state changes on the heartbeat
// stream) into pages the scheduler accepts: at most REGISTRY_PAGE.maxEntries entries, and no entry
// is added once a page has passed REGISTRY_PAGE.maxBytes encoded. One spec is at most 1 MiB, so a
// page stays under the 4 MiB message cap and no node's size can lock it out. Pure, in order.
// (How fast heartbeat pages may follow each other is pace.ts.)
import { repeatedEntrySize, REGISTRY_PAGE, type WorkloadStatus } from '@mo/api';

export interface PageLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Encoded size of one status as an entry of a repeated field (tag and length prefix included). */
export const statusBytes = (s: WorkloadStatus): number => repeatedEntrySize('WorkloadStatus', s);

/**
 * The first page of `items` that fits `limits` (at least one item, whatever its size), and the
 * rest. `maxEntries` 0 takes nothing. Unlike the lists' @mo/api fillPage, which may pass its
 * budget by one item, a page here stays within maxBytes when it holds more than one: the scheduler
 * takes these pages as they are, with no room left for a last big one.
 */
export function takePage<T>(
  items: readonly T[],
  limits: PageLimits,
  sizeOf: (item: T) => number,
): { page: T[]; rest: T[] } {
  let bytes = 0;
  let n = 0;
  while (n < items.length && n < limits.maxEntries && (n === 0 || bytes < limits.maxBytes)) {
    const size = sizeOf(items[n]!);
    if (n > 0 && bytes + size > limits.maxBytes) break;
    bytes += size;
    n++;
  }
  return { page: items.slice(0, n), rest: items.slice(n) };
}

/** Every page of `items`, in order; one empty page when there is nothing (Register still goes). */
export function pages<T>(items: readonly T[], sizeOf: (item: T) => number, limits: PageLimits = REGISTRY_PAGE): T[][] {
  if (!(limits.maxEntries >= 1)) throw new Error(`pages: maxEntries must be at least 1, got ${limits.maxEntries}`);
  const out: T[][] = [];
  let rest = items;
  do {
    const next = takePage(rest, limits, sizeOf);
    out.push(next.page);
    rest = next.rest;
  } while (rest.length > 0);
  return out;
}

/** One page of a registration's inventory, as Register or SyncInventory carries it. */
export interface InventoryPage<T> {
  inventory: T[];
  /** More pages follow: the scheduler judges what is missing only once the last one is in. */
  inventoryFollows: boolean;
}

/** A registration's inventory in messages: Register carries the first page, SyncInventory each further one, in order. */
export function inventoryPages<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: PageLimits = REGISTRY_PAGE,
): { register: InventoryPage<T>; sync: InventoryPage<T>[] } {
  const all = pages(items, sizeOf, limits).map((inventory, i, a) => ({
    inventory,
    inventoryFollows: i < a.length - 1,
  }));
  return { register: all[0]!, sync: all.slice(1) };
}
