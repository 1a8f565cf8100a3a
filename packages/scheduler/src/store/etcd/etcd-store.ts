// The Store on etcd, for the leader of several schedulers. Every commit lands in one etcd
// transaction guarded by compare(createRevision(leaderKey) == epoch): a deposed leader's write is
// refused by etcd itself (FencedError), however late it arrives, and its leadership is marked
// lost. Records are `<prefix>s/<kind>/<id>` with the caller's value as JSON text.
//
// Group commit as in the SQLite store: commits queued while a transaction is in flight share the
// next one(s) (txn-plan.ts packs them within etcd's limits, never splitting one commit). One
// transaction is in flight at a time, so commits land in call order. A commit that etcd does not
// answer within the request deadline rejects UNAVAILABLE (EtcdUnavailableError); a txn is atomic,
// so nothing is half-written.
//
// Call order also holds against late arrivals. A request that timed out (a frozen member, a slow
// link) can still be applied later, after a newer txn, and would write older values over newer
// ones. So the txns form a chain: each also compares the mod revision of `<prefix>commit` with
// the one its predecessor left and bumps it; a late one finds the chain moved and does nothing.
import type { IRequestOp } from 'etcd3';
import { StoreClosedError, serialise, type Row } from '../sqlite-store.js';
import type { Store, StoredRecord, StoreKind, StoreOp } from '../store.js';
import { prefixEnd, type EtcdConnection } from './client.js';
import type { EtcdLeadership } from './election.js';
import { EtcdCommitTooLargeError, FencedError } from './errors.js';
import { planTxns, type PlannedTxn } from './txn-plan.js';

/** Records per page of a load (etcd answers a range in one message; values are ≤ 1.5 MiB each). */
const PAGE = 500;
/** Tries of one txn whose chain compare failed (an older attempt of ours landed late) before giving up. */
const CHAIN_ROUNDS = 3;
/** A load whose snapshot revision was compacted away mid-way starts over, this many times. */
const LOAD_ATTEMPTS = 3;

interface PendingCommit {
  rows: Row[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Counters for benchmarks and metrics, as SqliteStore's. */
export interface EtcdStoreStats {
  commits: number;
  transactions: number;
}

export class EtcdStore implements Store {
  private pending: PendingCommit[] = [];
  private readonly unsettled = new Set<Promise<unknown>>();
  private flushing = false;
  private closing: Promise<void> | undefined;
  private readonly counters: EtcdStoreStats = { commits: 0, transactions: 0 };
  /** One op of each txn is the commit chain's. */
  readonly maxOpsPerCommit: number;
  private readonly leaderKey: Buffer;
  private readonly chainKey: Buffer;
  /** The chain key's mod revision after our last txn; undefined after an ambiguous failure. */
  private chainRevision: string | undefined;

  constructor(
    private readonly conn: EtcdConnection,
    private readonly leadership: EtcdLeadership,
  ) {
    this.maxOpsPerCommit = conn.options.maxTxnOps - 1;
    this.leaderKey = Buffer.from(`${conn.options.prefix}leader`);
    this.chainKey = Buffer.from(`${conn.options.prefix}commit`);
  }

  private get name(): string {
    return `etcd ${this.conn.options.endpoints.join(',')} ${this.conn.options.prefix}`;
  }

  async load(kind: StoreKind): Promise<StoredRecord[]> {
    if (this.closing) throw new StoreClosedError(this.name);
    // Read your writes: wait for every commit called before this load.
    await Promise.allSettled([...this.unsettled]);
    return (await listKind(this.conn, kind)).records;
  }

  commit(ops: readonly StoreOp[]): Promise<void> {
    if (this.closing) return Promise.reject(new StoreClosedError(this.name));
    let rows: Row[];
    try {
      rows = ops.map(serialise);
    } catch (err) {
      return Promise.reject(err);
    }
    if (rows.length === 0) return Promise.resolve();
    if (rows.length > this.maxOpsPerCommit) return this.commitInParts(rows);
    return this.enqueue(rows);
  }

  /**
   * A commit of more records than one etcd txn holds (an array's slice, a sweep, a restore: many
   * independent records) goes in parts, in order, each part one fenced txn: atomic part by part,
   * so a failure part-way leaves the parts before it applied (Store.maxOpsPerCommit says where).
   */
  private async commitInParts(rows: Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += this.maxOpsPerCommit) {
      await this.enqueue(rows.slice(i, i + this.maxOpsPerCommit));
    }
  }

  private enqueue(rows: Row[]): Promise<void> {
    const lost = this.leadership.lostBecause;
    if (lost !== undefined) return Promise.reject(new FencedError(this.leadership.epoch, lost));
    const p = new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // After every caller of this tick has queued (as in SqliteStore), so they share a txn.
        setImmediate(() => void this.flush());
      }
    });
    this.unsettled.add(p);
    const forget = () => this.unsettled.delete(p);
    p.then(forget, forget);
    return p;
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.unsettled]).then(() => undefined);
    return this.closing;
  }

  stats(): EtcdStoreStats {
    return { ...this.counters };
  }

  /** Sends every queued commit, a group at a time, until the queue is empty. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        const plan = planTxns(
          group.map((c) => c.rows),
          this.conn.options.prefix,
          { maxTxnOps: this.maxOpsPerCommit, maxRequestBytes: this.conn.options.maxRequestBytes },
        );
        for (const [i, why] of plan.refused) group[i]!.reject(new EtcdCommitTooLargeError(why));
        for (const txn of plan.txns) await this.send(txn, group);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async send(txn: PlannedTxn, group: PendingCommit[]): Promise<void> {
    const callers = txn.commits.map((i) => group[i]!);
    const lost = this.leadership.lostBecause;
    if (lost !== undefined) {
      for (const c of callers) c.reject(new FencedError(this.leadership.epoch, lost));
      return;
    }
    if (txn.ops.length === 0) return callers.forEach((c) => c.resolve());
    const success: IRequestOp[] = txn.ops.map((op) =>
      op.json === null
        ? { request_delete_range: { key: Buffer.from(op.key) } }
        : { request_put: { key: Buffer.from(op.key), value: Buffer.from(op.json) } },
    );
    success.push({ request_put: { key: this.chainKey, value: Buffer.from(this.leadership.epoch) } });
    try {
      for (let round = 1; ; round++) {
        const chain = (this.chainRevision ??= await this.readChain());
        const res = await this.conn.call(`commit ${txn.ops.length} records`, (o) =>
          this.conn.kv.txn(
            {
              compare: [
                { key: this.leaderKey, target: 'Create', result: 'Equal', create_revision: this.leadership.epoch },
                { key: this.chainKey, target: 'Mod', result: 'Equal', mod_revision: chain },
              ],
              success,
              failure: [{ request_range: { key: this.leaderKey } }, { request_range: { key: this.chainKey } }],
            },
            o,
          ),
        );
        if (res.succeeded) {
          this.chainRevision = res.header.revision;
          this.counters.transactions++;
          this.counters.commits += callers.length;
          for (const c of callers) c.resolve();
          return;
        }
        const leader = res.responses[0]?.response_range.kvs[0];
        if (leader?.create_revision !== this.leadership.epoch) {
          this.leadership.lose('a fenced write was refused: another scheduler leads', false);
          const err = new FencedError(this.leadership.epoch, 'etcd refused the write: another scheduler leads');
          for (const c of callers) c.reject(err);
          return;
        }
        // The chain moved: an earlier attempt of ours landed late. Apply this (newer) txn on top.
        this.chainRevision = res.responses[1]?.response_range.kvs[0]?.mod_revision ?? '0';
        if (round >= CHAIN_ROUNDS)
          throw new Error(`store: the commit chain of ${this.name} kept moving; is another writer using this prefix?`);
      }
    } catch (err) {
      this.chainRevision = undefined; // an attempt may still land: read the chain before the next txn
      for (const c of callers) c.reject(err);
    }
  }

  /** The chain key's mod revision now ('0' while it does not exist). */
  private async readChain(): Promise<string> {
    const r = await this.conn.call('read the commit chain', (o) => this.conn.kv.range({ key: this.chainKey }, o));
    return r.kvs[0]?.mod_revision ?? '0';
  }
}

/**
 * Every record of a kind, read page by page at one revision (a consistent snapshot), and that
 * revision: a watch from revision + 1 misses nothing.
 */
export async function listKind(
  conn: EtcdConnection,
  kind: StoreKind,
): Promise<{ records: StoredRecord[]; revision: string }> {
  serialise({ kind, id: '*', value: null }); // throws StoreOpError naming an unknown kind
  const prefix = Buffer.from(`${conn.options.prefix}s/${kind}/`);
  const end = prefixEnd(prefix);
  for (let attempt = 1; ; attempt++) {
    try {
      const records: StoredRecord[] = [];
      let key = prefix;
      let revision: string | undefined;
      for (;;) {
        const r = await conn.call(`load the ${kind} records`, (o) =>
          conn.kv.range({ key, range_end: end, limit: PAGE, revision }, o),
        );
        revision ??= r.header.revision;
        for (const kv of r.kvs) {
          records.push({
            id: kv.key.subarray(prefix.length).toString(),
            value: JSON.parse(kv.value.toString()) as unknown,
          });
        }
        if (!r.more || r.kvs.length === 0) return { records, revision };
        key = Buffer.concat([r.kvs[r.kvs.length - 1]!.key, Buffer.from([0])]);
      }
    } catch (err) {
      if (attempt >= LOAD_ATTEMPTS || !/compacted/.test(String(err))) throw err;
    }
  }
}
