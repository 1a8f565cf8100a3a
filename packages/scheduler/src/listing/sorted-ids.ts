// An ordered index of record ids, so a list page starts at its cursor by binary search instead of
// sorting every record per call. Ids are ULIDs: their order is creation order (to the ms), so
// "newest first" is "highest id first", and a cursor id stays a valid position under inserts.

export class SortedIds {
  /** Ascending, no duplicates. */
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Inserts `id` (cheap at the end: new ids are usually the highest). */
  add(id: string): void {
    const i = this.lowerBound(id);
    if (this.ids[i] !== id) this.ids.splice(i, 0, id);
  }

  clear(): void {
    this.ids.length = 0;
  }

  delete(id: string): void {
    const i = this.lowerBound(id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
  }

  /**
   * Ids strictly below `before` (every id when undefined), highest first. The walk reads the
   * index as it is at each step: callers finish it before they add or delete.
   */
  *descending(before?: string): Generator<string> {
    for (let i = (before === undefined ? this.ids.length : this.lowerBound(before)) - 1; i >= 0; i--)
      yield this.ids[i]!;
  }

  /** The first index whose id is >= `id`. */
  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
