// The members of each workload array still kept, by group id: a list by group reads its own
// members (at most LIMITS.arrayCount) instead of walking every workload. In memory only: rebuilt at
// start-up from the records, which carry their groupId.
import { SortedIds } from '../listing/sorted-ids.js';

export class GroupIndex {
  private readonly groups = new Map<string, SortedIds>();

  /** Groups with a member kept. */
  get size(): number {
    return this.groups.size;
  }

  add(r: { id: string; groupId?: string }): void {
    if (!r.groupId) return;
    let ids = this.groups.get(r.groupId);
    if (!ids) this.groups.set(r.groupId, (ids = new SortedIds()));
    ids.add(r.id);
  }

  /** Forgets a member (its record retired); returns true when that was its group's last. */
  delete(r: { id: string; groupId?: string }): boolean {
    if (!r.groupId) return false;
    const ids = this.groups.get(r.groupId);
    if (!ids) return false;
    ids.delete(r.id);
    if (ids.size > 0) return false;
    this.groups.delete(r.groupId);
    return true;
  }

  clear(): void {
    this.groups.clear();
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** How many members of the group are kept (0 for an unknown group). */
  count(groupId: string): number {
    return this.groups.get(groupId)?.size ?? 0;
  }

  /** The group's member ids below `before` (all when undefined), highest (newest) first. */
  descending(groupId: string, before?: string): Iterable<string> {
    return this.groups.get(groupId)?.descending(before) ?? [];
  }
}
