// Start-up: the manager's book rebuilt from the store. Reservations are re-taken for what may run,
// pending workloads re-queued, ended ones lined up for retention; members of an array whose marker
// was never written (a crash mid-write, before the acknowledgement) are deleted, so an array is
// all or nothing; idempotency keys past their window are forgotten.
import type { Store, StoreOp } from '../store/store.js';
import { arrayMarkerId, groupOfMarker } from './arrays.js';
import type { WorkloadBook } from './book.js';
import { waitingOf } from './demand.js';
import type { IdempotencyKeys } from './idempotency.js';
import { TERMINAL_STATES, type WorkloadRecord } from './record.js';

/** Loads the persisted workloads into `book`. Returns how many records the store held. */
export async function restoreWorkloads(
  book: WorkloadBook,
  store: Store,
  defaultLostAfterMs: number,
  nowMs: number,
): Promise<number> {
  const rows = await store.load('workload');
  const marked = new Set<string>();
  for (const { id } of await store.load('meta')) {
    const groupId = groupOfMarker(id);
    if (groupId) marked.add(groupId);
  }
  const unwritten: StoreOp[] = [];
  const ended: WorkloadRecord[] = [];
  for (const { value } of rows) {
    const r = upgradeRecord(value as WorkloadRecord, defaultLostAfterMs);
    if (r.groupId && !marked.has(r.groupId)) {
      unwritten.push({ kind: 'workload', id: r.id, value: null }); // see arrayMarkerId
      continue;
    }
    book.add(r);
    if (r.state === 'pending') book.queue.add(waitingOf(r), nowMs);
    if (TERMINAL_STATES.has(r.state)) ended.push(r);
  }
  ended.sort((a, b) => a.updatedAtMs - b.updatedAtMs);
  book.ended.seed(ended.map((r) => r.id));
  for (const groupId of marked) {
    if (!book.groups.has(groupId)) unwritten.push({ kind: 'meta', id: arrayMarkerId(groupId), value: null });
  }
  if (unwritten.length > 0) await store.commit(unwritten);
  return rows.length;
}

/**
 * Loads the idempotency keys, forgetting those past the window. Data from before keys had
 * records of their own: a kept workload's key counts from the workload's creation.
 */
export async function restoreKeys(
  keys: IdempotencyKeys,
  book: WorkloadBook,
  store: Store,
  nowMs: number,
): Promise<void> {
  const ops = keys.load(await store.load('idempotency'), nowMs);
  for (const r of book.records.values()) {
    if (!r.idempotencyKey || keys.get(r.idempotencyKey, nowMs)) continue;
    if (nowMs - r.createdAtMs < keys.windowMs) {
      ops.push(keys.add(r.idempotencyKey, { workloadId: r.id, createdAtMs: r.createdAtMs }));
    }
  }
  if (ops.length > 0) await store.commit(ops);
}

/** Fills fields added since a record was written (persisted records outlive versions). */
function upgradeRecord(r: WorkloadRecord & { restartsLeft?: number }, defaultLostAfterMs: number): WorkloadRecord {
  r.spec.lostAfterMs ??= defaultLostAfterMs;
  if (r.restarts === undefined) {
    const { maxAttempts } = r.scheduling.restart;
    r.restarts = Math.max(0, maxAttempts - (r.restartsLeft ?? maxAttempts));
    delete r.restartsLeft;
  }
  return r;
}
