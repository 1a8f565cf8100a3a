// Placement passes over the pending queue (queue.ts has its rules): what waits is tried, highest
// priority first, oldest first within a priority, by the pure placement engine; a placement is
// made durable before its start is sent, so the allocation id can fence a stale copy later. A
// pass runs only when something happens (a submission, room on a node, a backoff or a node's
// avoidance ending): no periodic sweep. The wake timer is the queue's next due time.
import { newId, type Timer } from '@mo/api';
import type { PlacementEngine, PlacementResult } from '../placement/index.js';
import type { NodeTable } from '../registry/nodes.js';
import type { Store } from '../store/store.js';
import type { WorkloadBook } from './book.js';
import { replaceRecord } from './book.js';
import type { Clock } from './clock.js';
import { shapeOf, waitingOf } from './demand.js';
import { onPlaced } from './lifecycle.js';
import type { Waiting } from './queue.js';
import type { WorkloadRecord } from './record.js';

export interface PlacementObserver {
  placement(result: 'placed' | 'failed', seconds: number): void;
}

export interface PlacerOptions {
  store: Store;
  engine: PlacementEngine;
  nodes: Pick<NodeTable, 'get'>;
  observer: PlacementObserver;
  clock: Clock;
  /** Placement attempts per pass, at most (the rest goes on in the next turn of the event loop). */
  passBudget: number;
  /** Tells watchers about a record written outside book.apply (a new one, a placement). */
  onChange(r: WorkloadRecord): void;
  /** Sends the start of a placed (durable) record's allocation. */
  dispatch(r: WorkloadRecord): void;
  /** A placement could not be made durable: re-placed later, without using a restart. */
  retryStart(r: WorkloadRecord, reason: string): void;
}

export class Placer {
  /** Nodes that may have room since the last pass (registered, an allocation ended there). */
  private readonly roomOn = new Set<string>();
  private passQueued = false;
  private wakeTimer: Timer | undefined;
  private wakeTimerAt = Infinity;
  private closed = false;

  constructor(
    private readonly book: WorkloadBook,
    private readonly o: PlacerOptions,
  ) {}

  close(): void {
    this.closed = true;
    this.wakeTimer?.cancel();
  }

  /**
   * Tries to place a pending record (in memory only). On success it is `starting` on a node with
   * a fresh allocation id and a reservation; on failure its reason says why it waits. Counts are
   * the caller's: a new submission is not counted until it is durable.
   */
  tryPlace(r: WorkloadRecord, now: number): PlacementResult {
    const t0 = process.hrtime.bigint();
    const result = this.o.engine.place(
      {
        workloadId: r.id,
        ...shapeOf(r),
        ...(r.scheduling.strategy ? { strategy: r.scheduling.strategy } : {}),
        batch: r.scheduling.batch,
      },
      now,
    );
    this.o.observer.placement(result.ok ? 'placed' : 'failed', Number(process.hrtime.bigint() - t0) / 1e9);
    if (!result.ok) {
      r.reason = `waiting: ${result.reason}`;
      return result;
    }
    replaceRecord(r, onPlaced(r, this.o.nodes.get(result.nodeId)!, newId(now), now));
    this.book.hold(r);
    return result;
  }

  /**
   * After the first durable write of a new record: index it, start it or queue it. A pending one
   * blocks its group with its failed attempt, unless something changed since (`changesBefore`).
   */
  adopt(r: WorkloadRecord, changesBefore: number, retryAtMs: number): void {
    this.book.add(r);
    this.o.onChange(r);
    if (r.state === 'starting') {
      this.o.dispatch(r);
      return;
    }
    const { queue } = this.book;
    const now = this.o.clock.now();
    const joined = queue.add(waitingOf(r), now);
    if (joined !== undefined) {
      r.reason = joined;
      return;
    }
    this.showReason(queue.block(r.id, r.reason, retryAtMs, changesBefore, now), r.reason);
    if (queue.peek()) this.schedulePass();
    this.armWake();
  }

  /**
   * Queues a pending record (restart, start retry). One that joins a blocked group waits for the
   * same reason, with no attempt of its own.
   */
  enqueue(r: WorkloadRecord): void {
    const now = this.o.clock.now();
    const joined = this.book.queue.add(waitingOf(r), now);
    if (joined !== undefined) r.reason = joined;
    else if (r.notBeforeMs <= now) this.schedulePass();
    this.armWake();
  }

  /** A node may have room now (it registered, an allocation there ended): checked in the next pass. */
  noteRoom(nodeId: string): void {
    this.roomOn.add(nodeId);
    this.schedulePass();
  }

  /** A change not pinned to one node: every blocked workload is tried again in the next pass. */
  requestPass(): void {
    this.book.queue.unblockAll();
    this.schedulePass();
  }

  schedulePass(): void {
    if (this.passQueued || this.closed) return;
    this.passQueued = true;
    this.o.clock.soon(() => {
      this.passQueued = false;
      this.pass();
    });
  }

  /**
   * Members of a group just blocked show its reason. In memory only: a waiting workload's reason
   * is refined without a write or a watch event per member (the one tried was written).
   */
  showReason(members: readonly Waiting[], reason: string): void {
    for (const w of members) {
      const m = this.book.records.get(w.id);
      if (m) m.reason = reason;
    }
  }

  /**
   * Places what waits. A pass first reopens what the changes since the last one may let fit, then
   * tries group heads: a success takes the workload out, a failure blocks its group (every
   * workload of that shape) until the next change. At most passBudget attempts per pass.
   */
  pass(): void {
    if (this.closed) return;
    const { book } = this;
    const { queue } = book;
    const now = this.o.clock.now();
    if (this.roomOn.size > 0) {
      const nodes = [...this.roomOn];
      this.roomOn.clear();
      queue.unblock((shape) => nodes.some((id) => this.o.engine.fits(id, shape, now)));
    }
    for (const { w, reason } of queue.promote(now)) {
      const r = book.records.get(w.id);
      if (r) r.reason = reason;
    }
    const placed: WorkloadRecord[] = [];
    for (let tried = 0, w = queue.peek(); w && tried < this.o.passBudget; w = queue.peek(), tried++) {
      const r = book.records.get(w.id);
      if (!r || r.state !== 'pending') {
        queue.remove(w.id);
        continue;
      }
      const before = r.reason;
      const changesBefore = queue.changes;
      const result = this.tryPlace(r, now);
      if (result.ok) {
        book.count('pending', -1);
        book.count('starting', +1);
        queue.remove(r.id);
        book.byAllocation.set(r.allocationId, r.id);
        placed.push(r);
        continue;
      }
      this.showReason(queue.block(r.id, r.reason, result.retryAtMs ?? Infinity, changesBefore, now), r.reason);
      if (r.reason !== before) book.persist(r);
    }
    if (queue.peek()) this.schedulePass();
    this.armWake();
    for (const r of placed) {
      // Durable before it starts: the allocation id is what fences a stale copy later.
      this.o.store.commit([{ kind: 'workload', id: r.id, value: r }]).then(
        () => {
          this.o.onChange(r);
          if (r.state === 'starting') this.o.dispatch(r);
        },
        (err: unknown) => this.o.retryStart(r, `could not persist the placement: ${(err as Error).message}`),
      );
    }
  }

  /** One timer, at the queue's next due time (a backoff or a node's avoidance ending). */
  armWake(): void {
    const due = this.book.queue.nextDueMs();
    if (due === this.wakeTimerAt || this.closed) return;
    this.wakeTimer?.cancel();
    this.wakeTimer = undefined;
    this.wakeTimerAt = due;
    if (due === Infinity) return;
    this.wakeTimer = this.o.clock.after(Math.max(0, due - this.o.clock.now()) + 5, () => {
      this.wakeTimerAt = Infinity;
      this.pass();
    });
  }
}
