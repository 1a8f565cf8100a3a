// The one way a watch stream is written (Watch and WatchPipelines): a source yields messages, a
// BoundedWriter (@mo/api stream-limits) sends them with a bounded buffer, and a reader that falls
// behind is cut off with RESOURCE_EXHAUSTED. What a source holds per reader is bounded by itself.
import { BoundedWriter, ResourceExhaustedError, StreamLimits } from '@mo/api';

let fallbackLimits: StreamLimits | undefined;
/** The default caps, for a service built without the daemon's StreamLimits (tests, benchmarks). */
export function defaultWatchLimits(): StreamLimits {
  return (fallbackLimits ??= new StreamLimits());
}

/** A reader lags past its bound: its stream ends with RESOURCE_EXHAUSTED; it may resume. */
export class FellBehindError extends ResourceExhaustedError {}

export interface WatchSource<T> {
  /** The next message and its encoded size; undefined when there is none yet. Throws FellBehindError. */
  next(): { message: T; bytes: number } | undefined;
  /** Resolves when next() may have more, or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void>;
  /** The stream ended: let go of everything. */
  close(): void;
}

/** Writes what `source` yields until the call ends or the reader falls behind. */
export async function pumpWatch<T>(out: BoundedWriter<T>, source: WatchSource<T>): Promise<void> {
  try {
    while (!out.signal.aborted) {
      const item = source.next();
      if (item) await out.write(item.message, item.bytes);
      else await source.wait(out.signal);
    }
  } catch (err) {
    if (err instanceof FellBehindError && out.bufferedBytes > 0) {
      // It is not taking what it has: a status would queue behind that, so the stream is reset
      // (clients read RST_STREAM ENHANCE_YOUR_CALM as RESOURCE_EXHAUSTED).
      out.cutOff(err.message);
    } else {
      out.fail(err); // nothing when the call has ended already
    }
  } finally {
    source.close();
  }
}

/** A one-waiter wake-up: wait() resolves on the next wake() or when the signal aborts. */
export class Wakeup {
  private waiter: (() => void) | undefined;

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.waiter = undefined;
        resolve();
      };
      this.waiter = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
