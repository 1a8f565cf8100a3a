// A binary min-heap that knows where each item sits, so an item can be removed or re-ordered in
// O(log n): the pending queue takes out stopped workloads and re-orders groups whose head changed.
export class IndexedHeap<T> {
  private readonly items: T[] = [];
  private readonly at = new Map<T, number>();

  /** `before(a, b)`: a comes out first. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.at.has(item);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds an item, or re-orders it if it is already in (its key changed). */
  push(item: T): void {
    if (this.at.has(item)) {
      this.update(item);
      return;
    }
    this.items.push(item);
    this.at.set(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: T): boolean {
    const i = this.at.get(item);
    if (i === undefined) return false;
    this.at.delete(item);
    const last = this.items.pop()!;
    if (i < this.items.length) {
      this.items[i] = last;
      this.at.set(last, i);
      this.down(this.up(i));
    }
    return true;
  }

  /** Restores the order after the item's key changed. No-op for an item not in the heap. */
  update(item: T): void {
    const i = this.at.get(item);
    if (i !== undefined) this.down(this.up(i));
  }

  /** Every item, in no particular order. */
  values(): readonly T[] {
    return this.items;
  }

  private up(i: number): number {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.before(item, p)) break;
      items[i] = p;
      this.at.set(p, i);
      i = parent;
    }
    items[i] = item;
    this.at.set(item, i);
    return i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!this.before(child, item)) break;
      items[i] = child;
      this.at.set(child, i);
      i = c;
    }
    items[i] = item;
    this.at.set(item, i);
  }
}
