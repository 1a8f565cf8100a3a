// A watch source for events that are not kept in a shared window (pipeline events, which live in
// their pipeline's record): a replay list taken at subscription, then a bounded queue of live
// events. A reader whose queue passes its bound (count or bytes) falls behind and is cut off.
import { FellBehindError, Wakeup, type WatchSource } from './watch-stream.js';

export interface QueueWatchOptions<E, T> {
  /** Names the stream in the cut-off message. */
  what: string;
  /** Events after this seq are sent. */
  afterSeq: number;
  /** Kept events after afterSeq, in seq order (converted when sent). */
  replay: E[];
  toMessage(e: E): { message: T; bytes: number };
  maxQueued: number;
  maxQueuedBytes: number;
}

export class QueueWatchSource<E extends { seq: number }, T> implements WatchSource<T> {
  private readonly wakeup = new Wakeup();
  private replay: E[] | undefined;
  private replayAt = 0;
  private queue: Array<{ message: T; bytes: number } | undefined> = [];
  private queueAt = 0;
  private queuedBytes = 0;
  private lastSeq: number;
  private behind: string | undefined;

  constructor(private readonly o: QueueWatchOptions<E, T>) {
    this.replay = o.replay;
    this.lastSeq = Math.max(o.afterSeq, o.replay.at(-1)?.seq ?? 0);
  }

  /** A live event (one already in the replay, or older, is ignored). */
  push(e: E): void {
    if (this.behind !== undefined || e.seq <= this.lastSeq) return;
    this.lastSeq = e.seq;
    const item = this.o.toMessage(e);
    const queued = this.queue.length - this.queueAt;
    if (queued >= this.o.maxQueued || this.queuedBytes + item.bytes > this.o.maxQueuedBytes) {
      this.behind =
        `${this.o.what}: fell more than ${this.o.maxQueued} events or ${this.o.maxQueuedBytes} bytes behind; ` +
        `watch again with after_seq = the last seq received`;
      this.queue = [];
      this.queueAt = 0;
      this.queuedBytes = 0;
    } else {
      this.queue.push(item);
      this.queuedBytes += item.bytes;
    }
    this.wakeup.wake();
  }

  next(): { message: T; bytes: number } | undefined {
    if (this.behind !== undefined) throw new FellBehindError(this.behind);
    if (this.replay) {
      if (this.replayAt < this.replay.length) return this.o.toMessage(this.replay[this.replayAt++]!);
      this.replay = undefined;
    }
    if (this.queueAt >= this.queue.length) return undefined;
    const item = this.queue[this.queueAt]!;
    this.queue[this.queueAt++] = undefined; // sent: not held any longer
    this.queuedBytes -= item.bytes;
    if (this.queueAt >= 1024 && this.queueAt * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.queueAt);
      this.queueAt = 0;
    }
    return item;
  }

  wait(signal: AbortSignal): Promise<void> {
    return this.wakeup.wait(signal);
  }

  close(): void {
    this.replay = undefined;
    this.queue = [];
    this.queueAt = 0;
    this.queuedBytes = 0;
  }
}
