// Cluster events in sequence: numbers them (+1 per published event, never reused across restarts),
// keeps the retention window (ring.ts) and wakes the readers (Watch streams) that are cursors into
// it. A reader whose next event was dropped from the window is told once and forgotten.
//
// Sequence numbers survive restarts by reservation: the store holds a high-water mark a block
// ahead of what was issued, and a restarted scheduler continues above it. The events themselves are
// not persisted: after a restart the window is empty, so a resume from before it is refused
// (OUT_OF_RANGE) and the client relists, instead of silently missing what happened meanwhile.
import { EventRing, type RetentionLimits, type RingEntry } from './ring.js';

export const SEQ_META_ID = 'events.seq';
/** Sequence numbers reserved per store write. */
export const SEQ_BLOCK = 100_000;

/** A reader of the journal: where it is, what it wants, how to tell it. */
export interface Cursor {
  /** The next seq it has not seen. */
  nextSeq: number;
  /** Only events with this key (undefined: all). */
  key?: string | undefined;
  /** Something it may want was published. */
  wake(): void;
  /** It lags too far, or its next event was dropped (it is unsubscribed first). */
  fellBehind(why: string): void;
}

export interface EventJournalOptions {
  retention: RetentionLimits;
  /**
   * How far one reader may lag (events, bytes; default half the window each): cut off there,
   * while what it missed is still kept, it can resume with after_seq.
   */
  maxLag?: { events: number; bytes: number };
  /** The seq after which this process numbers events (the stored high-water mark). */
  baseSeq?: number;
  /** Persists a new high-water mark; called a block ahead, never awaited by publish. */
  reserve?: (upTo: number) => Promise<void>;
  /** A reservation that failed (numbers may be reused after a crash until one succeeds). */
  onReserveError?: (err: unknown) => void;
}

export class EventJournal<T> {
  readonly ring: EventRing<T>;
  private readonly cursors = new Set<Cursor>();
  private reservedUpTo: number;
  private reserving = false;
  readonly maxLag: { events: number; bytes: number };

  constructor(private readonly o: EventJournalOptions) {
    this.ring = new EventRing<T>(o.retention, o.baseSeq ?? 0);
    this.reservedUpTo = o.baseSeq ?? 0;
    this.maxLag = o.maxLag ?? {
      events: Math.max(1, Math.floor(o.retention.maxEvents / 2)),
      bytes: Math.max(1, Math.floor(o.retention.maxBytes / 2)),
    };
  }

  /** Reserves the first block; await it before publishing so no number is issued unreserved. */
  async start(): Promise<void> {
    if (!this.o.reserve) return;
    const upTo = this.ring.latestSeq + SEQ_BLOCK;
    await this.o.reserve(upTo);
    this.reservedUpTo = upTo;
  }

  get latestSeq(): number {
    return this.ring.latestSeq;
  }

  get readers(): number {
    return this.cursors.size;
  }

  /** Numbers and keeps one event (`make` builds it with its seq), then wakes the readers. */
  publish(key: string, make: (seq: number, atMs: number) => T, bytesOf: (e: T) => number, nowMs = Date.now()): T {
    const seq = this.ring.latestSeq + 1;
    const event = make(seq, nowMs);
    this.ring.push({ seq, atMs: nowMs, bytes: bytesOf(event), key, event }, nowMs);
    this.maybeReserve();
    for (const c of this.cursors) {
      const behind = this.behind(c);
      if (behind) {
        this.cursors.delete(c);
        c.fellBehind(behind);
      } else if (c.key === undefined || c.key === key) {
        c.wake();
      } else if (c.nextSeq === seq) {
        c.nextSeq = seq + 1; // caught up and not its event: nothing to send, nothing to lag behind
      }
    }
    return event;
  }

  /** Drops events past their age (a timer calls it, so an idle cluster's window still ages). */
  prune(nowMs = Date.now()): void {
    this.ring.prune(nowMs);
    for (const c of this.cursors) {
      const behind = this.behind(c);
      if (behind) {
        this.cursors.delete(c);
        c.fellBehind(behind);
      }
    }
  }

  /** Why `c` is too far behind to go on, or undefined. */
  private behind(c: Cursor): string | undefined {
    if (c.nextSeq < this.ring.oldestSeq) {
      return `events after seq ${c.nextSeq - 1} are no longer kept (the oldest is ${this.ring.oldestSeq}); relist, then watch from the current seq`;
    }
    const lag = this.ring.lag(c.nextSeq);
    if (lag.events > this.maxLag.events || lag.bytes > this.maxLag.bytes) {
      return `fell more than ${this.maxLag.events} events or ${this.maxLag.bytes} bytes behind; watch again with after_seq = the last seq received`;
    }
    return undefined;
  }

  subscribe(c: Cursor): () => void {
    this.cursors.add(c);
    return () => this.cursors.delete(c);
  }

  /**
   * The next kept event for `c` (its key's) and advances its cursor past it; undefined when it
   * has seen everything; 'behind' when its next event is no longer kept.
   */
  next(c: Cursor): RingEntry<T> | undefined | 'behind' {
    if (c.nextSeq < this.ring.oldestSeq) return 'behind';
    while (c.nextSeq <= this.ring.latestSeq) {
      const e = this.ring.get(c.nextSeq)!;
      c.nextSeq++;
      if (c.key === undefined || c.key === e.key) return e;
    }
    return undefined;
  }

  private maybeReserve(): void {
    const { reserve } = this.o;
    if (!reserve || this.reserving || this.reservedUpTo - this.ring.latestSeq > SEQ_BLOCK / 2) return;
    this.reserving = true;
    const upTo = this.ring.latestSeq + SEQ_BLOCK;
    reserve(upTo).then(
      () => {
        this.reserving = false;
        this.reservedUpTo = Math.max(this.reservedUpTo, upTo);
      },
      (err: unknown) => {
        this.reserving = false;
        this.o.onReserveError?.(err);
      },
    );
  }
}
