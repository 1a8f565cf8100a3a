// The retention window of published events: a ring of the last events, bounded by count, encoded
// bytes and age. Watch streams are cursors into it (a sequence number), so a replay and the live
// tail are one mechanism and a stream holds no copy of what it has not sent yet.

export interface RetentionLimits {
  /** Most events kept. */
  maxEvents: number;
  /** Most encoded bytes kept (the newest event is kept even when it alone is larger). */
  maxBytes: number;
  /** Events older than this are dropped. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionLimits> = {
  maxEvents: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxAgeMs: 60 * 60 * 1000,
};

export interface RingEntry<T> {
  seq: number;
  atMs: number;
  /** Encoded size, counted against maxBytes. */
  bytes: number;
  /** What a filter matches (a workload id, a node id). */
  key: string;
  event: T;
  /** Bytes of every event pushed up to and including this one (set by push): lag in bytes. */
  end?: number;
}

/** Where a reader that has seen everything up to `afterSeq` stands. */
export type ResumeCheck = { ok: true } | { ok: false; reason: 'too_old' | 'ahead'; oldest: number; latest: number };

export class EventRing<T> {
  private readonly slots: Array<RingEntry<T> | undefined>;
  private head = 0; // index of the oldest entry
  private count = 0;
  private bytes = 0;
  private latest: number;
  private pushedBytes = 0;

  /** `baseSeq`: the seq before the first event this ring will hold. */
  constructor(
    private readonly limits: RetentionLimits,
    baseSeq = 0,
  ) {
    for (const k of ['maxEvents', 'maxBytes', 'maxAgeMs'] as const) {
      if (!Number.isSafeInteger(limits[k]) || limits[k] <= 0) {
        throw new RangeError(`retention ${k}: expected a positive integer, got ${String(limits[k])}`);
      }
    }
    this.slots = new Array<RingEntry<T> | undefined>(limits.maxEvents);
    this.latest = baseSeq;
  }

  /** The seq of the last event pushed (the base while none was). */
  get latestSeq(): number {
    return this.latest;
  }

  /** The oldest seq still kept; latestSeq + 1 when nothing is. */
  get oldestSeq(): number {
    return this.count === 0 ? this.latest + 1 : this.slots[this.head]!.seq;
  }

  get size(): number {
    return this.count;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  /** Appends the next event (seq must be latestSeq + 1) and drops what no longer fits. */
  push(entry: RingEntry<T>, nowMs = entry.atMs): void {
    if (entry.seq !== this.latest + 1) throw new RangeError(`expected seq ${this.latest + 1}, got ${entry.seq}`);
    if (this.count === this.limits.maxEvents) this.dropOldest();
    while (this.count > 0 && this.bytes + entry.bytes > this.limits.maxBytes) this.dropOldest();
    this.pushedBytes += entry.bytes;
    entry.end = this.pushedBytes;
    this.slots[(this.head + this.count) % this.slots.length] = entry;
    this.count++;
    this.bytes += entry.bytes;
    this.latest = entry.seq;
    this.prune(nowMs);
  }

  /** Drops events older than maxAgeMs (the newest event too: age is a promise to the reader). */
  prune(nowMs: number): void {
    const cutoff = nowMs - this.limits.maxAgeMs;
    while (this.count > 0 && this.slots[this.head]!.atMs < cutoff) this.dropOldest();
  }

  /** The event with this seq, if it is still kept. */
  get(seq: number): RingEntry<T> | undefined {
    if (this.count === 0) return undefined;
    const offset = seq - this.slots[this.head]!.seq;
    if (offset < 0 || offset >= this.count) return undefined;
    return this.slots[(this.head + offset) % this.slots.length];
  }

  /** Events and bytes from `seq` (kept) to the latest, both included: how far a reader lags. */
  lag(seq: number): { events: number; bytes: number } {
    const e = this.get(seq);
    if (!e) return { events: 0, bytes: 0 };
    return { events: this.latest - seq + 1, bytes: this.pushedBytes - (e.end! - e.bytes) };
  }

  /** Can a reader that has seen up to `afterSeq` continue without missing a kept event? */
  check(afterSeq: number): ResumeCheck {
    const oldest = this.oldestSeq;
    if (afterSeq >= oldest - 1 && afterSeq <= this.latest) return { ok: true };
    return { ok: false, reason: afterSeq > this.latest ? 'ahead' : 'too_old', oldest, latest: this.latest };
  }

  private dropOldest(): void {
    const e = this.slots[this.head]!;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    this.bytes -= e.bytes;
  }
}
