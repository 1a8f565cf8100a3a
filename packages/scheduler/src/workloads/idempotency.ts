// Idempotency keys of submits, remembered for a window (default 24 h) whatever becomes of their
// workloads: a workload's record is retired (--max-ended) or deleted long before a client stops
// retrying, and a retry must never create a second workload. The keys are records of their own
// (store kind `idempotency`: key -> workload id and when it was first used), written in the same
// commit as the workload, swept once past the window.
//
// A retry inside the window gets the original workload (existing = true) while its record is
// kept; once the record is gone, ALREADY_EXISTS naming the workload's id (there is no record left
// to answer with, and creating another is what the key forbids).
import { AlreadyExistsError, IDEMPOTENCY_WINDOW_MS, ResourceExhaustedError, quote } from '@mo/api';
import type { StoredRecord, StoreOp } from '../store/index.js';

export interface KeyEntry {
  /** The workload, or an array's member 0. */
  workloadId: string;
  createdAtMs: number;
  /** An array's group and its members' ids by index, so a retry gets the whole group back. */
  groupId?: string;
  workloadIds?: string[];
}

/** Keys remembered at most at once; past it, keyed submits are refused until the sweep frees some. */
export const MAX_IDEMPOTENCY_KEYS = 1_000_000;

export class IdempotencyKeys {
  /** In first-use order, so the sweep stops at the first key still inside the window. */
  private readonly keys = new Map<string, KeyEntry>();

  constructor(
    readonly windowMs = IDEMPOTENCY_WINDOW_MS,
    private readonly maxKeys = MAX_IDEMPOTENCY_KEYS,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** Loads stored keys; returns the ops deleting those already past the window. */
  load(rows: readonly StoredRecord[], nowMs: number): StoreOp[] {
    const entries = rows
      .map(({ id, value }) => [id, value as KeyEntry] as const)
      .sort((a, b) => a[1].createdAtMs - b[1].createdAtMs);
    for (const [key, entry] of entries) this.keys.set(key, entry);
    return this.sweep(nowMs);
  }

  /** The workload a key names, if it was first used inside the window. */
  get(key: string, nowMs: number): KeyEntry | undefined {
    const e = this.keys.get(key);
    return e && nowMs - e.createdAtMs < this.windowMs ? e : undefined;
  }

  /** Throws RESOURCE_EXHAUSTED when no further key can be remembered. */
  checkRoom(): void {
    if (this.keys.size >= this.maxKeys) {
      throw new ResourceExhaustedError(
        `idempotency_key: ${this.keys.size} keys are remembered (the most at once) within the ` +
          `${this.windowMs / 3_600_000} h window; retry later or submit without a key`,
      );
    }
  }

  /** Remembers a key (call once its op is committed); returns the op that stores it. */
  add(key: string, entry: KeyEntry): StoreOp {
    this.keys.delete(key); // re-inserted at the end: the map stays in first-use order
    this.keys.set(key, entry);
    return IdempotencyKeys.op(key, entry);
  }

  static op(key: string, entry: KeyEntry | null): StoreOp {
    return { kind: 'idempotency', id: key, value: entry };
  }

  /** Forgets keys past the window; returns the ops deleting them. */
  sweep(nowMs: number): StoreOp[] {
    const ops: StoreOp[] = [];
    for (const [key, e] of this.keys) {
      if (nowMs - e.createdAtMs < this.windowMs) break;
      this.keys.delete(key);
      ops.push(IdempotencyKeys.op(key, null));
    }
    return ops;
  }

  /** The answer to a retry whose workload's record is gone. */
  static gone(key: string, entry: KeyEntry): AlreadyExistsError {
    const what = entry.groupId ? `array ${entry.groupId}` : `workload ${entry.workloadId}`;
    return new AlreadyExistsError(
      `idempotency_key: ${quote(key)} already created ${what} ` +
        `(at ${new Date(entry.createdAtMs).toISOString()}; ${entry.groupId ? 'none of its records is' : 'its record is no longer'} kept)`,
    );
  }
}
