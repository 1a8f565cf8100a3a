// What one Watch stream sends: optionally the current state (snapshot entries, built when sent),
// then the journal's events from its cursor (a replay of the window, then live), with a caught_up
// marker the first time it has sent everything. It holds a cursor, not a queue: how far it may lag
// is the journal's bound.
import type { Cursor, EventJournal } from './journal.js';
import { FellBehindError, Wakeup, type WatchSource } from './watch-stream.js';

/** One entry of the current state, built when it is sent (seq: the one live events follow). */
export interface SnapshotItem<T> {
  key: string;
  build(seq: number): T;
}

export interface ClusterWatchOptions<T> {
  /** Only events with this key (a workload id, a pipeline's key). */
  key?: string | undefined;
  /** Events this stream does not send (their seqs are skipped). */
  skip?: ((event: T) => boolean) | undefined;
  /** Events with a larger seq are sent (the journal's latest: live only). */
  afterSeq: number;
  snapshot?: Array<SnapshotItem<T>> | undefined;
  caughtUp(seq: number): T;
  sizeOf(message: T): number;
}

export class ClusterWatchSource<T> implements WatchSource<T> {
  private readonly wakeup = new Wakeup();
  private readonly cursor: Cursor;
  private readonly unsubscribe: () => void;
  private behind: string | undefined;
  private snapshot: Array<SnapshotItem<T> | undefined> | undefined;
  private snapshotAt = 0;
  /** Key -> the latest seq when its snapshot entry was built: live events up to it are in it. */
  private readonly reflected = new Map<string, number>();
  private caughtUpSent = false;

  constructor(
    private readonly journal: EventJournal<T>,
    private readonly o: ClusterWatchOptions<T>,
  ) {
    this.snapshot = o.snapshot;
    this.cursor = {
      nextSeq: o.afterSeq + 1,
      key: o.key,
      wake: () => this.wakeup.wake(),
      fellBehind: (why) => {
        this.behind = why;
        this.wakeup.wake();
      },
    };
    this.unsubscribe = journal.subscribe(this.cursor);
  }

  next(): { message: T; bytes: number } | undefined {
    if (this.behind !== undefined) throw new FellBehindError(`watch: ${this.behind}`);
    const snap = this.snapshot;
    if (snap && this.snapshotAt < snap.length) {
      const item = snap[this.snapshotAt]!;
      snap[this.snapshotAt++] = undefined; // sent: not held any longer
      const latest = this.journal.latestSeq;
      if (latest > this.o.afterSeq) this.reflected.set(item.key, latest);
      return this.sized(item.build(this.o.afterSeq));
    }
    this.snapshot = undefined;
    for (;;) {
      const e = this.journal.next(this.cursor);
      if (e === 'behind')
        throw new FellBehindError(`watch: events after seq ${this.cursor.nextSeq - 1} are no longer kept`);
      if (!e) break;
      const shown = this.reflected.get(e.key);
      if (shown !== undefined && e.seq <= shown) continue;
      if (this.o.skip?.(e.event)) continue;
      return { message: e.event, bytes: e.bytes };
    }
    // Caught up: every snapshot entry is older than what comes next.
    this.reflected.clear();
    if (this.caughtUpSent) return undefined;
    this.caughtUpSent = true;
    return this.sized(this.o.caughtUp(this.cursor.nextSeq - 1));
  }

  wait(signal: AbortSignal): Promise<void> {
    return this.wakeup.wait(signal);
  }

  close(): void {
    this.unsubscribe();
    this.snapshot = undefined;
    this.reflected.clear();
  }

  private sized(message: T): { message: T; bytes: number } {
    return { message, bytes: this.o.sizeOf(message) };
  }
}
