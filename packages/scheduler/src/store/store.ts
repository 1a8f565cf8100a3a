// The scheduler's durable state, behind one narrow interface so SQLite (the embedded default)
// and etcd (several schedulers, a later issue) are interchangeable. The scheduler keeps its
// working state in memory and writes through: `load` at start-up, `commit` on every change.
//
// Values are plain JSON-serialisable objects owned by the caller; the store never interprets
// them beyond the kind and id. A commit is atomic: all of its ops land, or none do.

/** Record families. New features add kinds, not methods. */
export type StoreKind =
  | 'workload'
  | 'node'
  | 'meta'
  | 'pipeline'
  | 'artifact'
  | 'idempotency'
  | 'token'
  /** A job (jobs/): its name, current version, count, stopped, last good version. */
  | 'job'
  /** One version of a job (`<name>/<version, zero-padded>`): its spec and hash. */
  | 'job-version'
  /** One deployment record of a job (`<name>/<started at, zero-padded>/<version>`). */
  | 'deployment';

export interface StoreOp {
  kind: StoreKind;
  id: string;
  /** The new value; null deletes the record. */
  value: unknown;
}

export interface StoredRecord {
  id: string;
  value: unknown;
}

export interface Store {
  /** Every record of a kind, in id order. */
  load(kind: StoreKind): Promise<StoredRecord[]>;
  /**
   * Applies the ops atomically, in order. Resolves once they are durable (survive a SIGKILL of
   * this process). Concurrent commits may be grouped into one transaction (group commit).
   */
  commit(ops: readonly StoreOp[]): Promise<void>;
  /**
   * The most ops (distinct records) one commit applies atomically, when the store has a limit:
   * etcd's transactions do (127 with etcd's default --max-txn-ops). A bigger commit is applied in
   * parts of this size, in order, each atomic; the scheduler's large batches (an array's slice, a
   * sweep, a restore) are independent records. Undefined: no limit (SQLite).
   */
  readonly maxOpsPerCommit?: number;
  /** Flushes pending commits and releases the store. Further calls reject. */
  close(): Promise<void>;
}

/**
 * A commit refused because this scheduler no longer leads (etcd's FencedError sets `deposed`).
 * Expected for every write in flight when leadership is lost: the runner logs the loss once, so
 * background writes log these at debug instead of an error each.
 */
export function isDeposed(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { deposed?: unknown }).deposed === true;
}

/** Logs a failed background write: an error, unless the store refused it because we were deposed. */
export function logPersistFailure(
  logger: { error(msg: string, fields?: object): void; debug(msg: string, fields?: object): void },
  what: string,
  fields: object,
  err: unknown,
): void {
  if (isDeposed(err)) logger.debug(`${what} (no longer the leader)`, { ...fields, err: (err as Error).message });
  else logger.error(what, { ...fields, err });
}
