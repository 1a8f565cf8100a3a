// How many ended records a daemon keeps (--max-ended): the scheduler's workloads and pipelines and
// the agent's workloads. The oldest ended goes first; a record that is not ended any more when its
// turn comes (a workload restarted since) is passed over, not dropped. O(1) per end.

export class EndedRetention {
  /** Ids in the order they ended; those before `head` are already gone. */
  private order: string[] = [];
  private head = 0;

  constructor(readonly max: number) {}

  /** Ended records in the order they ended (at start-up: sorted by end time), not trimmed yet. */
  seed(ids: readonly string[]): void {
    this.order.push(...ids);
  }

  /**
   * `id` ended: returns the ids now past the bound, oldest first, that `stillEnded` says are
   * still ended (the caller drops those).
   */
  ended(id: string, stillEnded: (id: string) => boolean): string[] {
    this.order.push(id);
    return this.trim(stillEnded);
  }

  /** The ids past the bound (after a seed), as `ended` returns them. */
  trim(stillEnded: (id: string) => boolean): string[] {
    const drop: string[] = [];
    while (this.order.length - this.head > this.max) {
      const old = this.order[this.head++]!;
      if (stillEnded(old)) drop.push(old);
    }
    // Forget the consumed prefix now and then, so the array does not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return drop;
  }

  /** Ended ids held. */
  get size(): number {
    return this.order.length - this.head;
  }
}
