// In-process fan-out of cluster events to Watch streams. Each event gets a sequence number; a
// subscriber that falls too far behind is dropped (its stream ends with RESOURCE_EXHAUSTED) rather
// than letting one slow client grow the scheduler's memory without bound.
export type ClusterEventBody<W, N> = { workload: W; node?: undefined } | { node: N; workload?: undefined };

export type SequencedEvent<W, N> = ClusterEventBody<W, N> & { seq: number; atMs: number };

export interface Subscriber<W, N> {
  /** Return false to signal the subscriber can't keep up (it is then dropped). */
  push(event: SequencedEvent<W, N>): boolean;
  filterWorkloadId?: string;
  onDropped(): void;
}

export class EventBus<W extends { id: string }, N> {
  private seq = 0;
  private readonly subscribers = new Set<Subscriber<W, N>>();

  get size(): number {
    return this.subscribers.size;
  }

  publish(body: ClusterEventBody<W, N>): void {
    if (this.subscribers.size === 0) {
      this.seq++;
      return;
    }
    const event = { ...body, seq: ++this.seq, atMs: Date.now() } as SequencedEvent<W, N>;
    for (const s of this.subscribers) {
      if (s.filterWorkloadId !== undefined && event.workload?.id !== s.filterWorkloadId) continue;
      if (!s.push(event)) {
        this.subscribers.delete(s);
        s.onDropped();
      }
    }
  }

  /** The next sequence number (for initial-state snapshots sent before live events). */
  nextSeq(): number {
    return ++this.seq;
  }

  subscribe(s: Subscriber<W, N>): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }
}
