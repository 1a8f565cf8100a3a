// Registrations whose inventory comes in pages (Register with inventory_follows, then
// SyncInventory). Each page's statuses are folded in as they arrive, like heartbeat changes; only
// the allocation ids seen are kept, so the scheduler holds ids, not specs. What the scheduler
// believed on the node but no page reported is judged once the last page is in: before that,
// "absent" means nothing. A sync whose pages stop (the agent died mid-way) expires, or is replaced
// by the node's next Register; either way nothing was concluded from it. Pure: the caller passes time.
import { FailedPreconditionError, newId } from '@mo/api';
import { validateInventoryTotal } from './validate-node.js';

/** A paged registration is given up if its next page does not come within this long. */
export const INVENTORY_SYNC_TIMEOUT_MS = 60_000;

interface OpenSync {
  registrationId: string;
  seen: Set<string>;
  entries: number;
  expiresAtMs: number;
}

export type PageOutcome = { done: false } | { done: true; seen: ReadonlySet<string> };

export class InventorySyncs {
  private readonly open = new Map<string, OpenSync>();

  constructor(private readonly timeoutMs = INVENTORY_SYNC_TIMEOUT_MS) {}

  /**
   * A Register with `inventory_follows`: opens a sync for the node (discarding any half-done one)
   * with the first page's allocation ids. Returns the registration id the next pages must name.
   */
  begin(nodeId: string, firstPage: readonly string[], nowMs: number): string {
    const sync: OpenSync = {
      registrationId: newId(),
      seen: new Set(firstPage),
      entries: firstPage.length,
      expiresAtMs: nowMs + this.timeoutMs,
    };
    this.open.set(nodeId, sync);
    return sync.registrationId;
  }

  /**
   * Checks that a SyncInventory page belongs to the node's open sync (FAILED_PRECONDITION
   * otherwise: the agent must register again) without recording it.
   */
  check(nodeId: string, registrationId: string, nowMs: number): void {
    const sync = this.open.get(nodeId);
    if (!sync || sync.registrationId !== registrationId || sync.expiresAtMs <= nowMs) {
      if (sync && sync.expiresAtMs <= nowMs) this.open.delete(nodeId);
      throw new FailedPreconditionError(
        `registration_id: no inventory sync ${JSON.stringify(registrationId.slice(0, 64))} open for node ` +
          `${nodeId} (expired, or replaced by a newer Register); register again`,
      );
    }
  }

  /** Records a checked page; on the last one the sync closes and hands back every id seen. */
  page(nodeId: string, allocationIds: readonly string[], follows: boolean, nowMs: number): PageOutcome {
    const sync = this.open.get(nodeId)!;
    try {
      validateInventoryTotal('inventory', sync.entries + allocationIds.length);
    } catch (err) {
      this.open.delete(nodeId);
      throw err;
    }
    sync.entries += allocationIds.length;
    for (const id of allocationIds) sync.seen.add(id);
    sync.expiresAtMs = nowMs + this.timeoutMs;
    if (follows) return { done: false };
    this.open.delete(nodeId);
    return { done: true, seen: sync.seen };
  }

  /** True while a node's inventory is still coming (its heartbeat stream must wait). */
  isOpen(nodeId: string, nowMs: number): boolean {
    const sync = this.open.get(nodeId);
    return sync !== undefined && sync.expiresAtMs > nowMs;
  }

  /** Drops a node's open sync (it registered without pages, or was removed). */
  discard(nodeId: string): void {
    this.open.delete(nodeId);
  }

  /** Forgets syncs whose pages stopped coming. */
  expire(nowMs: number): void {
    for (const [nodeId, sync] of this.open) if (sync.expiresAtMs <= nowMs) this.open.delete(nodeId);
  }

  get size(): number {
    return this.open.size;
  }
}
