// One etcd watch on a key or a key range, that survives the loss of a stream: a stream that
// errors or ends is reopened (on a random member) from the revision after the last event seen,
// so no event is lost or repeated. A watch cut by compaction (its next revision is gone) cannot
// resume: it stops and says so through onCompacted, and the caller relists (watchKind) or
// re-reads (election). etcd3's own Watcher does not relist after compaction, hence this file.
import type { IEvent, IWatchResponse } from 'etcd3';
import { sleep } from '@mo/api/timers';
import { requireLeader, type EtcdConnection } from './client.js';

export interface WatchRangeSpec {
  key: Buffer;
  /** Exclusive end of the range; omitted: the one key. */
  rangeEnd?: Buffer;
  /** First revision to report (decimal string). */
  startRevision: string;
  /** Called with the events of one revision batch, in revision order. */
  onEvents(events: IEvent[]): void;
  /** The watch was cut by compaction (history before `compactRevision` is gone); it has stopped. */
  onCompacted(compactRevision: string): void;
}

/** Starts the watch; returns its cancel (idempotent). */
export function watchRange(conn: EtcdConnection, spec: WatchRangeSpec): () => void {
  let next = BigInt(spec.startRevision);
  let stopped = false;
  let stream: Awaited<ReturnType<EtcdConnection['watch']['watch']>> | undefined;
  const abort = new AbortController();
  const log = conn.options.logger;

  const runOnce = () =>
    new Promise<void>((resolve, reject) => {
      void conn.watch.watch({ interceptors: [requireLeader] }).then((s) => {
        stream = s;
        if (stopped) return void s.cancel();
        s.on('data', (res: IWatchResponse) => {
          if (stopped) return;
          if (res.canceled) {
            if (res.compact_revision !== '0' && res.compact_revision !== '') {
              stopped = true;
              s.cancel();
              spec.onCompacted(res.compact_revision);
              return resolve();
            }
            return reject(new Error(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
          }
          if (res.events.length === 0) return;
          const last = res.events[res.events.length - 1]!;
          next = BigInt(last.kv.mod_revision) + 1n;
          spec.onEvents(res.events);
        });
        s.on('error', reject);
        s.on('end', () => reject(new Error('the watch stream ended')));
        s.write({
          create_request: { key: spec.key, range_end: spec.rangeEnd, start_revision: next.toString() },
        });
      }, reject);
    });

  void (async () => {
    for (let failures = 0; !stopped && !conn.closed; failures++) {
      try {
        await runOnce();
      } catch (err) {
        if (stopped) break;
        stream?.cancel();
        log?.debug('etcd watch stream lost; reopening', {
          key: spec.key.toString(),
          from: String(next),
          err: err as Error,
        });
        await sleep(Math.min(100 * 2 ** Math.min(failures, 4), 1000), abort.signal);
      }
    }
  })();

  return () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    stream?.cancel();
  };
}
