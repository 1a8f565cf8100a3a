// The manager's in-memory book of workloads and the one place a decision is applied (Nomad's
// planner to the reconciler's plan). A Step (lifecycle.ts) says what a record becomes; apply()
// writes it into the record in place (callers hold records), and keeps every index from the
// change of state alone: a placed state holds a reservation on its node, a live allocation is
// found by id, `unknown` ones wait for their lost_after, pending ones are queued, ended ones are
// retired. Then the record is written through to the store and watchers are told, and the Step's
// effects (agent calls) are handed on. Deciding nothing here keeps the rules in pure functions.
import { EndedRetention, type Logger } from '@mo/api';
import type { PlacementEngine } from '../placement/index.js';
import { logPersistFailure, type Store } from '../store/store.js';
import { SortedIds } from '../listing/sorted-ids.js';
import type { Clock } from './clock.js';
import { demandOf } from './demand.js';
import { GroupIndex } from './groups.js';
import type { Effect, Step } from './lifecycle.js';
import { PendingQueue } from './queue.js';
import { arrayMarkerId } from './arrays.js';
import { PLACED_STATES, TERMINAL_STATES, type WorkloadRecord, type WorkloadStateName } from './record.js';

export interface BookOptions {
  store: Store;
  engine: Pick<PlacementEngine, 'reserve' | 'release'>;
  logger: Logger;
  clock: Clock;
  /** Called after every change of a workload (state, reason, node, pid). */
  onChange: (record: WorkloadRecord) => void;
  /** Ended workloads kept (oldest dropped first). */
  maxRetainedEnded?: number;
}

/** What the book cannot do itself: the queue's passes and the agents belong to others. */
export interface BookHooks {
  /** A reservation on the node was released: what waits may fit there now. */
  room(nodeId: string): void;
  /** r became pending: queue it (its notBeforeMs says from when). */
  queued(r: WorkloadRecord): void;
  /** Carry out an effect of a Step for r. */
  effect(r: WorkloadRecord, effect: Effect): void;
}

export class WorkloadBook {
  readonly records = new Map<string, WorkloadRecord>();
  /** The records' ids in order, for paged lists. */
  readonly order = new SortedIds();
  /** Current allocation id -> workload id (live allocations only). */
  readonly byAllocation = new Map<string, string>();
  /** Members of arrays, by group id. */
  readonly groups = new GroupIndex();
  /** Node id -> workloads that hold a reservation there (starting, running or unknown). */
  readonly onNode = new Map<string, Set<string>>();
  /** Allocation id -> the in-flight StartWorkload call. */
  readonly starting = new Map<string, Promise<void>>();
  /** Pending workloads: in backoff, to try, or blocked until a change could place them. */
  readonly queue = new PendingQueue();
  /** Unknown workloads (each given up at its record's lostAtMs). */
  readonly unknown = new Set<string>();
  readonly counts = new Map<WorkloadStateName, number>();
  /** Ended workloads in the order they ended, at most maxRetainedEnded kept. */
  readonly ended: EndedRetention;

  constructor(
    private readonly o: BookOptions,
    private readonly hooks: BookHooks,
  ) {
    this.ended = new EndedRetention(o.maxRetainedEnded ?? 10_000);
  }

  /** Applies a decision about r: the record, the indexes, the write, then the effects. */
  apply(r: WorkloadRecord, step: Step | undefined): void {
    if (!step) return;
    if (step.before) this.apply(r, step.before);
    const next = step.next;
    const from = r.state;
    if (next !== r) {
      const to = next.state;
      const moved = r.allocationId !== next.allocationId || r.nodeId !== next.nodeId;
      const liveBefore = liveAllocation(r);
      if (PLACED_STATES.has(from) && (!PLACED_STATES.has(to) || moved)) this.unhold(r);
      if (r.allocationId && (r.allocationId !== next.allocationId || TERMINAL_STATES.has(to))) {
        this.starting.delete(r.allocationId);
      }
      replaceRecord(r, next);
      const liveAfter = liveAllocation(r);
      if (liveBefore && liveBefore !== liveAfter && this.byAllocation.get(liveBefore) === r.id) {
        this.byAllocation.delete(liveBefore);
      }
      if (liveAfter) this.byAllocation.set(liveAfter, r.id);
      if (PLACED_STATES.has(to) && (!PLACED_STATES.has(from) || moved)) this.hold(r);
      if (from !== to) {
        this.count(from, -1);
        this.count(to, +1);
      }
      if (to === 'unknown') this.unknown.add(r.id);
      else this.unknown.delete(r.id);
      if (from === 'pending' && to !== 'pending') this.queue.remove(r.id);
      if (TERMINAL_STATES.has(to) && !TERMINAL_STATES.has(from)) this.retire(r);
    }
    const queued = from !== 'pending' && r.state === 'pending';
    if (step.persist) this.persist(r);
    // Queued once written: its notBeforeMs is its backoff.
    if (queued) this.hooks.queued(r);
    for (const effect of step.effects) this.hooks.effect(r, effect);
  }

  /** Adds a record (loaded, or a new submission once durable) to every index. */
  add(r: WorkloadRecord): void {
    this.records.set(r.id, r);
    this.order.add(r.id);
    this.groups.add(r);
    this.count(r.state, +1);
    const live = liveAllocation(r);
    if (live) this.byAllocation.set(live, r.id);
    if (PLACED_STATES.has(r.state)) this.hold(r);
    if (r.state === 'unknown') this.unknown.add(r.id);
  }

  /** The workload a reported allocation belongs to: by live allocation, else by its label. */
  lookup(allocationId: string, labelledId: string | undefined): WorkloadRecord | undefined {
    const id = this.byAllocation.get(allocationId) ?? labelledId;
    return id === undefined ? undefined : this.records.get(id);
  }

  /** Writes the record (ordered per record by the store) and tells watchers. */
  persist(r: WorkloadRecord): void {
    r.updatedAtMs = this.o.clock.now();
    this.o.store.commit([{ kind: 'workload', id: r.id, value: r }]).catch((err: unknown) => {
      logPersistFailure(this.o.logger, 'could not persist a workload', { id: r.id }, err);
    });
    this.o.onChange(r);
  }

  /** Takes a reservation for r on its node (once). */
  hold(r: WorkloadRecord): void {
    let set = this.onNode.get(r.nodeId);
    if (!set) this.onNode.set(r.nodeId, (set = new Set()));
    if (set.has(r.id)) return;
    set.add(r.id);
    this.o.engine.reserve(r.nodeId, demandOf(r.spec));
  }

  /** Releases r's reservation on its node, if it holds one: the node may have room now. */
  unhold(r: WorkloadRecord): void {
    const set = this.onNode.get(r.nodeId);
    if (!set?.delete(r.id)) return;
    this.o.engine.release(r.nodeId, demandOf(r.spec));
    this.hooks.room(r.nodeId);
  }

  count(state: WorkloadStateName, delta: number): void {
    this.counts.set(state, (this.counts.get(state) ?? 0) + delta);
  }

  /** Keeps at most maxRetainedEnded ended workloads. */
  retire(r: WorkloadRecord): void {
    const stillEnded = (id: string) => {
      const old = this.records.get(id);
      return old !== undefined && TERMINAL_STATES.has(old.state);
    };
    for (const id of this.ended.ended(r.id, stillEnded)) {
      const old = this.records.get(id)!;
      this.records.delete(id);
      this.order.delete(id);
      const last = this.groups.delete(old);
      const marker = last ? [{ kind: 'meta' as const, id: arrayMarkerId(old.groupId!), value: null }] : [];
      this.o.store.commit([{ kind: 'workload', id, value: null }, ...marker]).catch(() => undefined);
      this.count(old.state, -1);
    }
  }
}

/** The allocation id under which r is found from reports: its current one, while it may run. */
function liveAllocation(r: WorkloadRecord): string {
  return r.allocationId && !TERMINAL_STATES.has(r.state) ? r.allocationId : '';
}

/** Makes r equal to next, in place (what is absent or undefined in next is deleted from r). */
export function replaceRecord(r: WorkloadRecord, next: WorkloadRecord): void {
  const target = r as unknown as Record<string, unknown>;
  const source = next as unknown as Record<string, unknown>;
  for (const k of Object.keys(target)) if (source[k] === undefined) delete target[k];
  for (const k of Object.keys(source)) if (source[k] !== undefined) target[k] = source[k];
}
