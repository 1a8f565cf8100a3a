// Group commit for etcd, decided apart from doing: which queued commits share which transaction.
// Pure (unit-tested in txn-plan.test.ts); etcd-store.ts sends the plan.
//
// etcd refuses a transaction that writes one key twice, so the ops of a transaction are folded to
// the last op per key (the same end state as applying them in order). A commit is never split:
// each caller's ops land in one transaction, all or nothing. Commits are packed in call order
// until the next would break etcd's limits (--max-txn-ops, --max-request-bytes); a commit that
// cannot fit even alone is refused, with its size.
import type { Row } from '../sqlite-store.js';

export interface TxnLimits {
  maxTxnOps: number;
  maxRequestBytes: number;
}

export interface PlannedOp {
  key: string;
  /** JSON text, or null for a delete. */
  json: string | null;
}

export interface PlannedTxn {
  /** Indexes of the commits it carries, ascending. */
  commits: number[];
  /** One op per key (the last value written to it), in the order of those last writes. */
  ops: PlannedOp[];
}

export interface TxnPlan {
  txns: PlannedTxn[];
  /** Commits refused as too large, with why. */
  refused: Map<number, string>;
}

/** Bytes a put costs in a request beyond its key and value (protobuf tags, lengths, lease). */
const OP_OVERHEAD = 24;
/** Kept free in every request for the fence compare and the envelope. */
const REQUEST_RESERVE = 4096;

/** The etcd key of a record: `<prefix>s/<kind>/<id>` (ids may hold '/': kinds end at the first). */
export function recordKey(prefix: string, kind: string, id: string): string {
  return `${prefix}s/${kind}/${id}`;
}

export function planTxns(commits: readonly (readonly Row[])[], prefix: string, limits: TxnLimits): TxnPlan {
  const budget = limits.maxRequestBytes - REQUEST_RESERVE;
  const txns: PlannedTxn[] = [];
  const refused = new Map<number, string>();
  interface Building {
    commits: number[];
    ops: Map<string, PlannedOp>;
    bytes: number;
  }
  let current: Building | undefined;
  const building = (): Building => (current ??= { commits: [], ops: new Map(), bytes: 0 });
  const seal = () => {
    const done = current as Building | undefined;
    if (done && done.commits.length > 0) txns.push({ commits: done.commits, ops: [...done.ops.values()] });
    current = undefined;
  };

  commits.forEach((rows, index) => {
    const own = fold(rows, prefix);
    if (own.ops.size === 0) {
      building().commits.push(index);
      return;
    }
    if (own.ops.size > limits.maxTxnOps || own.bytes > budget) {
      refused.set(
        index,
        `${own.ops.size} records, ${own.bytes} bytes; one transaction holds at most ${limits.maxTxnOps} records ` +
          `and ${budget} bytes (etcd's --max-txn-ops and --max-request-bytes; raise both on etcd and in EtcdOptions, or commit less at once)`,
      );
      return;
    }
    const open = current as Building | undefined;
    if (open) {
      let added = 0;
      for (const key of own.ops.keys()) if (!open.ops.has(key)) added++;
      if (open.ops.size + added > limits.maxTxnOps || open.bytes + own.bytes > budget) seal();
    }
    const txn = building();
    txn.commits.push(index);
    for (const [key, op] of own.ops) {
      txn.ops.delete(key); // keep the order of last writes, so a reader of the plan sees call order
      txn.ops.set(key, op);
    }
    txn.bytes += own.bytes;
  });
  seal();
  return { txns, refused };
}

function fold(rows: readonly Row[], prefix: string): { ops: Map<string, PlannedOp>; bytes: number } {
  const ops = new Map<string, PlannedOp>();
  for (const r of rows) {
    const key = recordKey(prefix, r.kind, r.id);
    ops.delete(key);
    ops.set(key, { key, json: r.json });
  }
  let bytes = 0;
  for (const op of ops.values()) {
    bytes += Buffer.byteLength(op.key) + (op.json === null ? 0 : Buffer.byteLength(op.json)) + OP_OVERHEAD;
  }
  return { ops, bytes };
}
