// One connection to an etcd cluster and what the schedulers do with it: elect a leader, give the
// leader a fenced Store, feed followers' caches with watches of a kind (relisting after a
// compaction cut them), and compact the history from the leader.
import type { StoreKind, StoreOp, StoredRecord, Store } from '../store.js';
import { EtcdConnection, prefixEnd } from './client.js';
import { EtcdElection, EtcdLeadership, type Election, type Leadership } from './election.js';
import { EtcdStore, listKind } from './etcd-store.js';
import { EtcdClosedError } from './errors.js';
import { resolveEtcdOptions, type EtcdOptions } from './options.js';
import { watchRange } from './watch.js';
import { every, sleep } from '@mo/api/timers';

export interface WatchKindHandlers {
  /** The full list of the kind, as of `revision` (first, and again after a compaction cut the watch). */
  onReset(records: StoredRecord[], revision: string): void;
  /**
   * One put (value) or delete (value null) after the last reset, in revision order, with the
   * revision it happened at (resume from it with `fromRevision`).
   */
  onChange(op: StoreOp, revision: string): void;
}

export interface CompactionOptions {
  /** How often to compact, in ms (e.g. 60_000). */
  everyMs: number;
  /** Revisions of history kept behind the current one (watchers that fall further behind relist). */
  keepRevisions: number;
}

export interface EtcdCluster {
  readonly election: Election;
  /** The leader's Store: every commit one txn fenced by the leadership's epoch (etcd-store.ts). */
  openStore(leadership: Leadership): Store;
  /**
   * Watches one kind for a follower's cache: a reset (the full list) then changes; with
   * `fromRevision`, no first list but the changes after that revision. When compaction has cut the
   * history the watch needs, it relists (onReset) and continues. Returns a cancel.
   */
  watchKind(kind: StoreKind, handlers: WatchKindHandlers, options?: { fromRevision?: string }): () => void;
  /** From the leader: compacts to (current revision − keepRevisions) every everyMs until leadership is lost. Returns a stop. */
  startCompaction(leadership: Leadership, options: CompactionOptions): () => void;
  /**
   * A linearizable read (it needs etcd's quorum): resolves when etcd answered within the request
   * deadline. A follower's cache counts its freshness from these (ha/read-cache.ts).
   */
  ping(): Promise<void>;
  /** Stops every watch, observer, campaign (they reject) and leadership (lost), and closes the connection. */
  close(): Promise<void>;
}

const RETRY_MS = 1000;

/** Connects and checks that etcd answers (rejects UNAVAILABLE within the request deadline if not). */
export async function openEtcdCluster(options: EtcdOptions): Promise<EtcdCluster> {
  const o = resolveEtcdOptions(options);
  const conn = await EtcdConnection.open(o);
  const leaderKey = Buffer.from(`${o.prefix}leader`);
  try {
    await conn.call('connect', (c) => conn.kv.range({ key: leaderKey, count_only: true }, c));
  } catch (err) {
    conn.close();
    throw err;
  }
  return new Cluster(conn, leaderKey);
}

class Cluster implements EtcdCluster {
  readonly election: EtcdElection;
  private readonly closed = new AbortController();
  private readonly cancels = new Set<() => void>();

  constructor(
    private readonly conn: EtcdConnection,
    private readonly leaderKey: Buffer,
  ) {
    this.election = new EtcdElection(conn, leaderKey, conn.options.leaseTtlMs, this.closed.signal);
  }

  openStore(leadership: Leadership): Store {
    if (!(leadership instanceof EtcdLeadership)) {
      throw new TypeError('openStore: the leadership must come from election.campaign() of an etcd cluster');
    }
    return new EtcdStore(this.conn, leadership);
  }

  watchKind(kind: StoreKind, handlers: WatchKindHandlers, options: { fromRevision?: string } = {}): () => void {
    if (this.closed.signal.aborted) throw new EtcdClosedError('watchKind');
    if (options.fromRevision !== undefined && !/^\d+$/.test(options.fromRevision)) {
      throw new TypeError(`watchKind: fromRevision ${JSON.stringify(options.fromRevision)} is not a decimal revision`);
    }
    const prefix = Buffer.from(`${this.conn.options.prefix}s/${kind}/`);
    let stopWatch: (() => void) | undefined;
    let cancelled = false;
    const watchFrom = (revision: string) => {
      stopWatch = watchRange(this.conn, {
        key: prefix,
        rangeEnd: prefixEnd(prefix),
        startRevision: String(BigInt(revision) + 1n),
        onEvents: (events) => {
          for (const e of events) {
            const id = e.kv.key.subarray(prefix.length).toString();
            const value = e.type === 'Delete' ? null : (JSON.parse(e.kv.value.toString()) as unknown);
            handlers.onChange({ kind, id, value }, e.kv.mod_revision);
          }
        },
        onCompacted: (rev) => {
          this.conn.options.logger?.info('etcd watch cut by compaction; relisting', { kind, compactRevision: rev });
          void start();
        },
      });
    };
    const start = async (): Promise<void> => {
      while (!cancelled) {
        try {
          const { records, revision } = await listKind(this.conn, kind);
          if (cancelled) return;
          handlers.onReset(records, revision);
          return watchFrom(revision);
        } catch (err) {
          this.conn.options.logger?.warn('etcd watch: cannot list; retrying', { kind, err: err as Error });
          await sleep(RETRY_MS, this.closed.signal);
        }
      }
    };
    if (options.fromRevision === undefined) void start();
    else watchFrom(options.fromRevision);
    const cancel = () => {
      cancelled = true;
      stopWatch?.();
      this.cancels.delete(cancel);
    };
    this.cancels.add(cancel);
    return cancel;
  }

  async ping(): Promise<void> {
    if (this.closed.signal.aborted) throw new EtcdClosedError('ping');
    await this.conn.call('ping', (c) => this.conn.kv.range({ key: this.leaderKey, count_only: true }, c));
  }

  startCompaction(leadership: Leadership, options: CompactionOptions): () => void {
    if (!(options.everyMs > 0)) throw new TypeError(`startCompaction: everyMs ${options.everyMs} must be positive`);
    if (!Number.isInteger(options.keepRevisions) || options.keepRevisions < 0) {
      throw new TypeError(`startCompaction: keepRevisions ${options.keepRevisions} must be a non-negative integer`);
    }
    const log = this.conn.options.logger;
    let compacted = 0n;
    let busy = false;
    const tick = async () => {
      if (busy || (leadership instanceof EtcdLeadership && leadership.lostBecause !== undefined)) return;
      busy = true;
      try {
        const r = await this.conn.call('read the revision', (o) =>
          this.conn.kv.range({ key: Buffer.from(`${this.conn.options.prefix}leader`), count_only: true }, o),
        );
        const target = BigInt(r.header.revision) - BigInt(options.keepRevisions);
        if (target > compacted) {
          await this.conn.call('compact', (o) => this.conn.kv.compact({ revision: target.toString() }, o));
          compacted = target;
          log?.debug('etcd history compacted', { revision: target.toString() });
        }
      } catch (err) {
        // Already compacted further (another leader, or etcd's own auto-compaction): fine.
        if (!/compacted/.test(String(err))) log?.warn('etcd compaction failed', { err: err as Error });
      } finally {
        busy = false;
      }
    };
    const timer = every(options.everyMs, () => void tick());
    const stop = () => {
      timer.cancel();
      this.cancels.delete(stop);
    };
    this.cancels.add(stop);
    void leadership.lost.then(stop);
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed.signal.aborted) return;
    this.closed.abort();
    for (const cancel of [...this.cancels]) cancel();
    for (const l of [...this.election.leaderships]) l.lose('the etcd client was closed', false);
    this.conn.close();
  }
}
