// WorkloadManager: the scheduler's core. It owns every workload record, places them through the
// pure placement engine, starts them on agents, and folds what agents report back into each
// workload's state. Every change is written through to the store; a submission is acknowledged
// only once its record is durable, and nothing is started before the record that names its
// allocation is durable, so a restarted scheduler can always tell its own copies apart.
//
// States: pending -> starting -> running -> {succeeded | failed | stopped | lost}, and `unknown`
// while the node of a starting or running one cannot be heard from (disconnect.ts has the rules).
// A restart policy (restart.ts) turns an end back into pending, with backoff; each run is a new
// allocation id.
// Far over ~400 lines (issue 12 added idempotency, the blocked-shape queue and paged inventories
// to it): issue 15 (decide apart from doing) splits it into pure decisions and a thin applier;
// doing that piecemeal here would only move the mixing around.
import {
  InvalidArgumentError,
  MoError,
  NotFoundError,
  ResourceExhaustedError,
  NodeUnreachableError,
  UnavailableError,
  tidyConnectError,
  after,
  every,
  formatDuration,
  newId,
  quote,
  type Timer,
  type Logger,
  type SubmitWorkloadRequest__Output,
  type WorkloadStatus__Output,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import type { PlacementEngine, PlacementResult } from '../placement/index.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { Store, StoreOp } from '../store/store.js';
import { SortedIds } from '../listing/sorted-ids.js';
import { countsByStateOnly, matchesFilter, walkStart, type WorkloadFilter } from './filter.js';
import {
  LABEL_WORKLOAD_ID,
  MAX_EVENTS,
  newRecord,
  PLACED_STATES,
  TERMINAL_STATES,
  withPastAllocation,
  type WorkloadRecord,
  type WorkloadStateName,
} from './record.js';
import { onNodeDown, onReport, type ReconnectKeep } from './disconnect.js';
import { decideRestart } from './restart.js';
import { IdempotencyKeys } from './idempotency.js';
import { validateSubmission } from './validate.js';
import { demandOf, shapeOf, waitingOf } from './demand.js';
import { startErrorKind } from './start-errors.js';
import { PendingQueue, type Waiting } from './queue.js';
import { arrayMarkerId, groupOfMarker, memberIds, memberSpec, validateArraySpec, validateCount } from './arrays.js';
import { GroupIndex } from './groups.js';

export interface PlacementObserver {
  placement(result: 'placed' | 'failed', seconds: number): void;
}

export interface WorkloadManagerOptions {
  store: Store;
  engine: PlacementEngine;
  nodes: NodeTable;
  agents: AgentPool;
  logger: Logger;
  observer: PlacementObserver;
  /** Called after every change of a workload (state, reason, node, pid). */
  onChange: (record: WorkloadRecord) => void;
  /**
   * Placement attempts per scheduling pass, at most (bounds the time one pass holds the loop; a
   * pass with more to try yields and goes on in the next turn of the event loop).
   */
  passBudget?: number;
  /** Workloads waiting for placement past which a client's submission that would wait is refused. */
  maxPending?: number;
  /** Ended workloads kept (oldest dropped first). */
  maxRetainedEnded?: number;
  /** How long an idempotency key is remembered, whatever becomes of its workload (default 24 h). */
  idempotencyWindowMs?: number;
  /** lost_after of workloads that do not set their own (default 30 s). */
  defaultLostAfterMs?: number;
  /** Which copy is kept when a given-up allocation's node returns with it running (default original). */
  reconnectKeep?: ReconnectKeep;
}

export const DEFAULT_LOST_AFTER_MS = 30_000;
export const DEFAULT_MAX_PENDING = 100_000;
const DEFAULT_PASS_BUDGET = 500;

export interface SubmitOptions {
  /**
   * Apply maxPending (client submissions). A pipeline's steps are admitted by the pipeline queue's
   * own bound (maxQueued, maxRunning) instead, so an admitted pipeline is never refused a step.
   */
  bounded?: boolean;
}

export type { WorkloadFilter } from './filter.js';

/** What a submit of an array (count > 0) answers: the group, its members by index, member 0. */
export interface ArraySubmitted {
  groupId: string;
  workloadIds: string[];
  /** Member 0 (undefined when a retry finds it retired). */
  first: WorkloadRecord | undefined;
  existing: boolean;
}

export interface ListFilter extends WorkloadFilter {
  limit: number;
}

/** Agent state names (the proto enum) -> ours. */
const AGENT_STATES: Record<string, WorkloadStateName | undefined> = {
  WORKLOAD_STATE_PENDING: 'pending',
  WORKLOAD_STATE_STARTING: 'starting',
  WORKLOAD_STATE_RUNNING: 'running',
  WORKLOAD_STATE_SUCCEEDED: 'succeeded',
  WORKLOAD_STATE_FAILED: 'failed',
  WORKLOAD_STATE_STOPPED: 'stopped',
  WORKLOAD_STATE_LOST: 'lost',
};

/** Backoff before re-placing after a failed start RPC (not a workload failure). */
const START_RETRY_MS = 500;

export class WorkloadManager {
  private readonly records = new Map<string, WorkloadRecord>();
  /** The records' ids in order, for paged lists. */
  private readonly order = new SortedIds();
  /** Current allocation id -> workload id. */
  private readonly byAllocation = new Map<string, string>();
  /** Idempotency keys of submits, kept for their window (idempotency.ts). */
  private readonly keys: IdempotencyKeys;
  private sweepTimer: Timer | undefined;
  /** Submissions with an idempotency key that are being persisted. */
  private readonly submitting = new Map<string, Promise<WorkloadRecord>>();
  /** Arrays with an idempotency key that are being persisted (also in `submitting`, by member 0). */
  private readonly submittingArrays = new Map<string, Promise<ArraySubmitted>>();
  /** Members of arrays, by group id. */
  private readonly groups = new GroupIndex();
  /** Node id -> workloads that hold a reservation there (starting or running). */
  private readonly onNode = new Map<string, Set<string>>();
  /** Allocation id -> the in-flight StartWorkload call. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Pending workloads: in backoff, to try, or blocked until a change could place them. */
  private readonly queue = new PendingQueue();
  /** Nodes that may have room since the last pass (registered, an allocation ended there). */
  private readonly roomOn = new Set<string>();
  /** Submissions that will be pending, between their placement attempt and their first write. */
  private waitingSubmits = 0;
  /** Unknown workloads (each given up at its record's lostAtMs). */
  private readonly unknown = new Set<string>();
  private unknownTimer: Timer | undefined;
  private unknownTimerAt = Infinity;
  private readonly counts = new Map<WorkloadStateName, number>();
  /** Ended workloads in the order they ended (for retention). */
  private readonly ended: string[] = [];
  /** Starts waiting for the end of this tick, per node. */
  private readonly outbox = new Map<string, QueuedStart[]>();
  private flushQueued = false;
  private passQueued = false;
  private wakeTimer: Timer | undefined;
  private wakeTimerAt = Infinity;
  private closed = false;

  constructor(private readonly o: WorkloadManagerOptions) {
    this.keys = new IdempotencyKeys(o.idempotencyWindowMs);
  }

  private get defaultLostAfterMs(): number {
    return this.o.defaultLostAfterMs ?? DEFAULT_LOST_AFTER_MS;
  }

  // ---- start-up --------------------------------------------------------------------------------

  /** Loads persisted workloads: reservations are re-taken, pending ones re-queued. */
  async load(): Promise<number> {
    const rows = await this.o.store.load('workload');
    const marked = new Set<string>();
    for (const { id } of await this.o.store.load('meta')) {
      const groupId = groupOfMarker(id);
      if (groupId) marked.add(groupId);
    }
    const unwritten: StoreOp[] = [];
    const ended: WorkloadRecord[] = [];
    for (const { value } of rows) {
      const r = upgradeRecord(value as WorkloadRecord, this.defaultLostAfterMs);
      if (r.groupId && !marked.has(r.groupId)) {
        unwritten.push({ kind: 'workload', id: r.id, value: null }); // see arrayMarkerId
        continue;
      }
      this.records.set(r.id, r);
      this.order.add(r.id);
      this.groups.add(r);
      this.count(r.state, +1);
      if (r.allocationId && !TERMINAL_STATES.has(r.state)) this.byAllocation.set(r.allocationId, r.id);
      if (PLACED_STATES.has(r.state)) this.hold(r);
      if (r.state === 'unknown') this.unknown.add(r.id);
      if (r.state === 'pending') this.queue.add(waitingOf(r), Date.now());
      if (TERMINAL_STATES.has(r.state)) ended.push(r);
    }
    ended.sort((a, b) => a.updatedAtMs - b.updatedAtMs);
    for (const r of ended) this.ended.push(r.id);
    for (const groupId of marked) {
      if (!this.groups.has(groupId)) unwritten.push({ kind: 'meta', id: arrayMarkerId(groupId), value: null });
    }
    if (unwritten.length > 0) await this.o.store.commit(unwritten);
    await this.loadKeys();
    this.armUnknownTimer();
    return rows.length;
  }

  /**
   * Loads the idempotency keys, forgetting those past the window. Data from before keys had
   * records of their own: a kept workload's key counts from the workload's creation.
   */
  private async loadKeys(): Promise<void> {
    const now = Date.now();
    const ops = this.keys.load(await this.o.store.load('idempotency'), now);
    for (const r of this.records.values()) {
      if (!r.idempotencyKey || this.keys.get(r.idempotencyKey, now)) continue;
      if (now - r.createdAtMs < this.keys.windowMs) {
        ops.push(this.keys.add(r.idempotencyKey, { workloadId: r.id, createdAtMs: r.createdAtMs }));
      }
    }
    if (ops.length > 0) await this.o.store.commit(ops);
  }

  /** Forgets idempotency keys past their window (cheap: it stops at the first key inside it). */
  private sweepKeys(): void {
    const ops = this.keys.sweep(Date.now());
    if (ops.length === 0) return;
    this.o.store.commit(ops).catch((err: unknown) => {
      // Kept in the store, forgotten here: the next start-up's load sweeps them again.
      this.o.logger.warn('could not delete expired idempotency keys', { error: (err as Error).message });
    });
  }

  /**
   * Starts scheduling: a first pass over what was loaded, then a pass only when something happens
   * (a submission, room on a node, a backoff or a node's avoidance ending): no periodic sweep. Only
   * the idempotency keys' expiry is swept on a timer.
   */
  start(): void {
    this.sweepTimer = every(Math.min(60_000, this.keys.windowMs), () => this.sweepKeys());
    this.schedulePass();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sweepTimer?.cancel();
    this.wakeTimer?.cancel();
    this.unknownTimer?.cancel();
    await Promise.allSettled([...this.starting.values()]);
  }

  // ---- queries ---------------------------------------------------------------------------------

  get(id: string): WorkloadRecord {
    const r = this.records.get(id);
    if (!r) throw new NotFoundError('workload_id', 'workload', id);
    return r;
  }

  /** The first `limit` matching workloads, newest first, and how many match in all. */
  list(filter: ListFilter): { workloads: WorkloadRecord[]; total: number } {
    const workloads: WorkloadRecord[] = [];
    if (filter.limit > 0) {
      for (const r of this.newestFirst(filter)) if (workloads.push(r) >= filter.limit) break;
    }
    return { workloads, total: this.countMatching(filter) };
  }

  /**
   * Matching workloads newest first (by id: ULIDs sort by creation), strictly after the page
   * cursor `beforeId` when given. Lazy: a page reads only as far as it needs.
   */
  *newestFirst(filter: WorkloadFilter, beforeId?: string): Generator<WorkloadRecord> {
    if (filter.groupId !== undefined) {
      // An array's members are indexed by group: walk only them.
      for (const id of this.groups.descending(filter.groupId, beforeId)) {
        const r = this.records.get(id);
        if (r && matchesFilter(r, filter)) yield r;
      }
      return;
    }
    for (const id of this.order.descending(walkStart(beforeId, filter.idPrefix))) {
      // Ids sharing a prefix sort together: past the last of them, no more can match.
      if (filter.idPrefix && !id.toUpperCase().startsWith(filter.idPrefix)) {
        if (id < filter.idPrefix) return;
        continue;
      }
      const r = this.records.get(id);
      if (r && matchesFilter(r, filter)) yield r;
    }
  }

  /** How many workloads match (from the per-state counts when only states are asked for). */
  countMatching(filter: WorkloadFilter): number {
    if (filter.groupId !== undefined) {
      const { groupId, ...rest } = filter;
      // The group index counts its members; any other filter needs a look at each.
      if (!rest.states && countsByStateOnly(rest)) return this.groups.count(groupId);
      let n = 0;
      for (const _ of this.newestFirst(filter)) n++;
      return n;
    }
    if (countsByStateOnly(filter)) {
      if (!filter.states) return this.records.size;
      let n = 0;
      for (const s of filter.states) n += this.counts.get(s) ?? 0;
      return n;
    }
    if (filter.idPrefix) {
      let n = 0;
      for (const _ of this.newestFirst(filter)) n++;
      return n;
    }
    let n = 0;
    for (const r of this.records.values()) if (matchesFilter(r, filter)) n++;
    return n;
  }

  stateCounts(): Map<WorkloadStateName, number> {
    return this.counts;
  }

  queueDepth(): number {
    return this.queue.size;
  }

  runningOn(nodeId: string): number {
    let n = 0;
    for (const id of this.onNode.get(nodeId) ?? []) if (this.records.get(id)?.state === 'running') n++;
    return n;
  }

  // ---- submit / stop ---------------------------------------------------------------------------

  async submit(
    req: SubmitWorkloadRequest__Output,
    options: SubmitOptions = {},
  ): Promise<{ record: WorkloadRecord; existing: boolean }> {
    if (this.closed) throw new MoError(grpc.status.UNAVAILABLE, 'the scheduler is shutting down');
    const valid = validateSubmission(req, this.defaultLostAfterMs);
    const key = valid.idempotencyKey;
    if (key) {
      const inFlight = this.submitting.get(key);
      if (inFlight) return { record: await inFlight, existing: true };
      const first = this.keys.get(key, Date.now());
      if (first) {
        const original = this.records.get(first.workloadId);
        if (original) return { record: original, existing: true };
        throw IdempotencyKeys.gone(key, first);
      }
      this.keys.checkRoom();
    }
    if (valid.scheduling.node && !this.o.nodes.byNodeName(valid.scheduling.node)) {
      throw new InvalidArgumentError('scheduling.node', `unknown node ${quote(valid.scheduling.node)}`);
    }
    const now = Date.now();
    const record = newRecord(newId(now), valid, now);
    // Placed before the first write, so the acknowledged record already says where it goes; a
    // workload whose shape is blocked waits without an attempt (nothing changed since one failed).
    const changesBefore = this.queue.changes;
    const blockedReason = this.queue.blockedReason(shapeOf(record));
    let retryAtMs = Infinity;
    if (blockedReason !== undefined) {
      record.reason = blockedReason;
    } else {
      const placed = this.tryPlace(record, now);
      if (!placed.ok) retryAtMs = placed.retryAtMs ?? Infinity;
    }
    const waits = record.state === 'pending';
    if (waits && options.bounded) this.checkPendingBound(1);
    if (waits) this.waitingSubmits++;
    const work = (async () => {
      const keyEntry = { workloadId: record.id, createdAtMs: now };
      // The key is stored with the workload, in one commit: it outlives the workload's record.
      await this.o.store.commit([
        { kind: 'workload', id: record.id, value: record },
        ...(key ? [IdempotencyKeys.op(key, keyEntry)] : []),
      ]);
      if (key) this.keys.add(key, keyEntry);
      this.adopt(record, changesBefore, retryAtMs);
      return record;
    })();
    if (key) this.submitting.set(key, work);
    try {
      await work;
    } catch (err) {
      if (record.state === 'starting') this.unhold(record);
      throw new MoError(grpc.status.UNAVAILABLE, `could not persist the workload: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      if (key) this.submitting.delete(key);
      if (waits) this.waitingSubmits--;
    }
    return { record, existing: false };
  }

  /**
   * Submits an array (count > 0, arrays.ts has its rules): every member is validated with the
   * spec, placed before the write (members after a failed attempt wait without one, as a blocked
   * shape's do), and persisted in slices of ARRAY_SLICE, then one commit of the array's marker with
   * the idempotency key, which then names the whole group (the loop yields between slices). All or
   * nothing: a refused or failed array leaves no member behind, and load() drops unmarked members.
   */
  async submitArray(req: SubmitWorkloadRequest__Output, options: SubmitOptions = {}): Promise<ArraySubmitted> {
    if (this.closed) throw new MoError(grpc.status.UNAVAILABLE, 'the scheduler is shutting down');
    const count = validateCount(req.count);
    if (count === 0) throw new InvalidArgumentError('count', 'must be at least 1 for an array');
    const valid = validateSubmission(req, this.defaultLostAfterMs);
    const key = valid.idempotencyKey;
    if (key) {
      // Checked with no await before `submittingArrays` is set: a concurrent retry must see it.
      const retried = this.retriedArray(key);
      if (retried) return retried;
      this.keys.checkRoom();
    }
    if (valid.scheduling.node && !this.o.nodes.byNodeName(valid.scheduling.node)) {
      throw new InvalidArgumentError('scheduling.node', `unknown node ${quote(valid.scheduling.node)}`);
    }
    const now = Date.now();
    const groupId = newId(now);
    validateArraySpec(valid.spec, count, groupId);
    const records = memberIds(count, now).map((id, i) => {
      const r = newRecord(id, { ...valid, spec: memberSpec(valid.spec, i, count, groupId) }, now);
      r.groupId = groupId;
      r.groupIndex = i;
      return r;
    });
    const changesBefore = this.queue.changes;
    let reason = this.queue.blockedReason(shapeOf(records[0]!));
    let retryAtMs = Infinity;
    for (const [i, r] of records.entries()) {
      if (i > 0 && i % ARRAY_SLICE === 0) await yieldToLoop();
      if (reason !== undefined) {
        r.reason = reason;
        continue;
      }
      const placed = this.tryPlace(r, now);
      if (placed.ok) continue;
      reason = r.reason;
      retryAtMs = placed.retryAtMs ?? Infinity;
    }
    const placed = records.filter((r) => r.state === 'starting');
    const waiting = records.length - placed.length;
    try {
      if (waiting > 0 && options.bounded) this.checkPendingBound(waiting);
    } catch (err) {
      for (const r of placed) this.unhold(r);
      throw err;
    }
    const workloadIds = records.map((r) => r.id);
    const answer: ArraySubmitted = { groupId, workloadIds, first: records[0], existing: false };
    const keyEntry = { workloadId: workloadIds[0]!, createdAtMs: now, groupId, workloadIds };
    this.waitingSubmits += waiting;
    const work = (async () => {
      // In slices, then the marker that makes them count, with the key (see arrayMarkerId).
      for (let k = 0; k < records.length; k += ARRAY_SLICE) {
        const slice = records.slice(k, k + ARRAY_SLICE);
        await this.o.store.commit(slice.map((r) => ({ kind: 'workload' as const, id: r.id, value: r })));
      }
      await this.o.store.commit([
        { kind: 'meta', id: arrayMarkerId(groupId), value: { count, createdAtMs: now } },
        ...(key ? [IdempotencyKeys.op(key, keyEntry)] : []),
      ]);
      if (key) this.keys.add(key, keyEntry);
      for (const [i, r] of records.entries()) {
        if (i > 0 && i % ARRAY_SLICE === 0) await yieldToLoop();
        this.adopt(r, changesBefore, retryAtMs);
      }
      return answer;
    })();
    if (key) {
      this.submittingArrays.set(key, work);
      const first = work.then(() => records[0]!);
      first.catch(() => undefined); // its rejection is work's, reported below
      this.submitting.set(key, first);
    }
    try {
      await work;
    } catch (err) {
      for (const r of placed) this.unhold(r);
      throw new MoError(grpc.status.UNAVAILABLE, `could not persist the array: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      if (key) {
        this.submittingArrays.delete(key);
        this.submitting.delete(key);
      }
      this.waitingSubmits -= waiting;
    }
    return answer;
  }

  /**
   * What a keyed array submit seen before answers (its group, or the single workload the key
   * created); undefined, synchronously, for a new key.
   */
  private retriedArray(key: string): Promise<ArraySubmitted> | undefined {
    const array = this.submittingArrays.get(key);
    if (array) return array.then((a) => ({ ...a, existing: true }));
    const single = this.submitting.get(key);
    if (single) return single.then((r) => ({ groupId: '', workloadIds: [r.id], first: r, existing: true }));
    const entry = this.keys.get(key, Date.now());
    if (!entry) return undefined;
    const workloadIds = entry.workloadIds ?? [entry.workloadId];
    if (!workloadIds.some((id) => this.records.has(id))) return Promise.reject(IdempotencyKeys.gone(key, entry));
    const first = this.records.get(workloadIds[0]!);
    return Promise.resolve({ groupId: entry.groupId ?? '', workloadIds, first, existing: true });
  }

  /** Refuses a submission of `adding` that would wait when they would take the queue past maxPending. */
  private checkPendingBound(adding: number): void {
    const max = this.o.maxPending ?? DEFAULT_MAX_PENDING;
    const waiting = this.queue.size + this.waitingSubmits;
    if (waiting + adding <= max) return;
    const what = adding === 1 ? 'this one cannot' : `${adding} of these cannot`;
    throw new ResourceExhaustedError(
      `the workload queue is full (${waiting} pending, at most ${max}: --max-pending) and ${what} be placed now; submit again later`,
    );
  }

  /** Stops a workload and resolves once it has ended (or at once when it never started). */
  async stop(id: string, graceMs: number): Promise<WorkloadRecord> {
    const r = this.get(id);
    if (TERMINAL_STATES.has(r.state)) return r;
    r.stopRequested = true;
    if (r.state === 'pending') {
      this.queue.remove(r.id);
      this.transition(r, 'stopped', 'stopped before it was placed');
      return r;
    }
    this.persist(r);
    const { allocationId, nodeId } = r;
    await this.starting.get(allocationId);
    if (TERMINAL_STATES.has(r.state) || r.allocationId !== allocationId) return r;
    const node = this.o.nodes.get(nodeId);
    if (!node || node.state !== 'up') {
      this.endAllocation(
        r,
        'stopped',
        `stopped by request; node ${r.nodeName} is down, its copy is stopped if it returns`,
      );
      return r;
    }
    try {
      const status = await this.agent(node).stopWorkload(allocationId, graceMs || r.spec.gracePeriodMs);
      this.applyStatus(r, status);
    } catch (err) {
      if (codeOf(err) === grpc.status.NOT_FOUND) {
        this.endAllocation(r, 'stopped', `stopped by request; node ${r.nodeName} no longer knew it`);
      } else {
        const why =
          err instanceof UnavailableError
            ? tidyConnectError(err.message.replace(`${err.address}: `, ''))
            : (err as Error).message;
        throw new NodeUnreachableError(
          r.nodeName,
          node.address,
          `could not stop ${r.id} there (${why}); it is stopped when the node reconnects`,
        );
      }
    }
    return r;
  }

  // ---- what agents report ----------------------------------------------------------------------

  /**
   * Reconciles a (re-)registering node's inventory with our view. Returns the allocations the node
   * must stop: replaced while it was away, stopped meanwhile, or unknown to us.
   */
  reconcile(node: NodeEntry, inventory: readonly WorkloadStatus__Output[]): string[] {
    const stop = this.reconcilePage(node, inventory);
    this.reconcileMissing(node, new Set(inventory.map((s) => s.spec?.id ?? '')));
    return stop;
  }

  /**
   * One page of a node's inventory: each status folded in as a report. Returns the allocations of
   * this page the node must stop. What is missing is judged by reconcileMissing, after the last page.
   */
  reconcilePage(node: NodeEntry, inventory: readonly WorkloadStatus__Output[]): string[] {
    const stop: string[] = [];
    for (const status of inventory) {
      const alloc = status.spec?.id;
      if (!alloc) continue;
      if (this.report(node.id, status) === 'stop') stop.push(alloc);
    }
    return stop;
  }

  /**
   * The whole inventory is in (`seen`: every allocation id it named): what we believed on the node
   * but it did not report is started again (never confirmed) or checked with the node (running).
   */
  reconcileMissing(node: NodeEntry, seen: ReadonlySet<string>): void {
    for (const id of [...(this.onNode.get(node.id) ?? [])]) {
      const r = this.records.get(id);
      if (!r || seen.has(r.allocationId)) continue;
      // Never confirmed running (it was starting, maybe when its node went quiet): start it now;
      // the node answers ALREADY_EXISTS if the start did arrive.
      if (r.state === 'starting' || (r.state === 'unknown' && r.pid === 0)) {
        if (r.state === 'unknown') this.transition(r, 'starting', `node ${node.name} is back; starting it there`);
        if (!this.starting.has(r.allocationId)) this.dispatch(r);
      } else if (r.state === 'running' || r.state === 'unknown') {
        // The inventory is a snapshot taken before the Register was sent: a start that completed
        // after it is legitimately missing. Ask the node before calling it lost.
        this.verifyMissing(r, node);
      }
    }
    // It registered (or came back) with its capacity, labels and drivers: room for what waits?
    this.noteRoom(node.id);
  }

  /** One status of an allocation reported by a node. Returns 'stop' when the node must stop it. */
  report(nodeId: string, status: WorkloadStatus__Output): 'ok' | 'stop' {
    const alloc = status.spec?.id ?? '';
    const state = AGENT_STATES[status.state];
    if (!state) return 'ok';
    // An old allocation is found by the workload label the scheduler put on every start.
    const id = this.byAllocation.get(alloc) ?? status.spec?.labels?.[LABEL_WORKLOAD_ID];
    const r = id === undefined ? undefined : this.records.get(id);
    const verdict = onReport(r, { allocationId: alloc, nodeId, state }, this.o.reconnectKeep ?? 'original');
    switch (verdict.kind) {
      case 'ignore':
        return 'ok';
      case 'stop':
        return 'stop';
      case 'apply':
        this.applyStatus(r!, status);
        return 'ok';
      case 'reinstate':
        this.reinstate(r!, nodeId, status);
        return 'ok';
      case 'late-end':
        this.lateEnd(r!, status, verdict.takeOver);
        return 'ok';
    }
  }

  private verifyMissing(r: WorkloadRecord, node: NodeEntry): void {
    const alloc = r.allocationId;
    this.agent(node)
      .getWorkload(alloc)
      .then(
        (status) => {
          if (r.allocationId === alloc) this.report(node.id, status);
        },
        (err: unknown) => {
          if (r.allocationId !== alloc || (r.state !== 'running' && r.state !== 'unknown')) return;
          if (codeOf(err) === grpc.status.NOT_FOUND) {
            this.endAllocation(r, 'lost', `missing from node ${node.name}'s inventory when it registered`);
          }
          // Unreachable: the node's liveness decides.
        },
      );
  }

  /**
   * A node went down: its workloads become unknown until their lost_after passes (or lost at once
   * with lost_after 0, or when the node is gone for good: another agent took its name).
   */
  nodeDown(node: NodeEntry, gone = false): void {
    const now = Date.now();
    for (const id of [...(this.onNode.get(node.id) ?? [])]) {
      const r = this.records.get(id);
      if (!r || !PLACED_STATES.has(r.state)) continue;
      const verdict = onNodeDown(r, now, this.defaultLostAfterMs, gone);
      if (verdict.kind === 'stopped') {
        this.endAllocation(r, 'stopped', `stopped by request; node ${node.name} went down`);
      } else if (verdict.kind === 'lost') {
        this.endAllocation(r, 'lost', `node ${node.name} down (${node.reason})`);
      } else if (r.state !== 'unknown') {
        r.unknownSinceMs = now;
        r.lostAtMs = verdict.lostAtMs;
        this.unknown.add(r.id);
        const lostAfter = verdict.lostAtMs - now;
        this.transition(
          r,
          'unknown',
          `node ${node.name} down (${node.reason}); given up in ${formatDuration(lostAfter)} unless it returns`,
        );
      }
    }
    this.armUnknownTimer();
  }

  /** Gives up the unknown workloads whose lost_after has passed (then restart policies apply). */
  private expireUnknown(): void {
    const now = Date.now();
    for (const id of [...this.unknown]) {
      const r = this.records.get(id);
      if (!r || r.state !== 'unknown') {
        this.unknown.delete(id);
        continue;
      }
      const lostAtMs = r.lostAtMs ?? 0;
      if (lostAtMs > now) continue;
      const since = r.unknownSinceMs ?? lostAtMs;
      r.givenUp = { allocationId: r.allocationId, nodeId: r.nodeId, nodeName: r.nodeName, atMs: now };
      this.endAllocation(
        r,
        'lost',
        `node ${r.nodeName} not heard from for ${formatDuration(now - since)} (lost_after ${formatDuration(lostAtMs - since)})`,
      );
    }
    this.armUnknownTimer();
  }

  private armUnknownTimer(): void {
    let next = Infinity;
    for (const id of this.unknown) next = Math.min(next, this.records.get(id)?.lostAtMs ?? 0);
    if (next === this.unknownTimerAt || this.closed) return;
    this.unknownTimer?.cancel();
    this.unknownTimer = undefined;
    this.unknownTimerAt = next;
    if (next === Infinity) return;
    this.unknownTimer = after(next - Date.now(), () => {
      this.unknownTimerAt = Infinity;
      this.expireUnknown();
    });
  }

  /**
   * The given-up original still runs and the rule keeps it: the replacement (if placed) is stopped,
   * and the original is the current allocation again, running, with no restart.
   */
  private reinstate(r: WorkloadRecord, nodeId: string, status: WorkloadStatus__Output): void {
    const original = r.givenUp!;
    const replaced = this.dropCurrentAllocation(r);
    delete r.givenUp;
    r.allocationId = original.allocationId;
    r.nodeId = original.nodeId;
    r.nodeName = original.nodeName;
    r.pid = status.pid;
    if (status.runAs) r.runAs = status.runAs;
    r.runningSinceMs = status.startedAtMs || original.atMs;
    r.ports = portsOf(status);
    r.restarts = Math.max(0, r.restarts - 1);
    this.byAllocation.set(r.allocationId, r.id);
    this.hold(r);
    this.queue.remove(r.id);
    const node = this.o.nodes.get(nodeId)?.name ?? original.nodeName;
    this.transition(r, 'running', `node ${node} returned with the original still running: kept${replaced}`);
  }

  /**
   * The given-up original ended while out of sight: with takeOver, its real end is the
   * workload's (the replacement, if any, is stopped); otherwise the replacement stays.
   */
  private lateEnd(r: WorkloadRecord, status: WorkloadStatus__Output, takeOver: boolean): void {
    const original = r.givenUp!;
    delete r.givenUp;
    const state = AGENT_STATES[status.state]!;
    const how = `${status.reason || state} on ${original.nodeName}, reported after it was given up`;
    if (!takeOver) {
      this.pushEvent(r, r.state, `the original ${how}; its replacement stays`);
      this.persist(r);
      return;
    }
    const replaced = this.dropCurrentAllocation(r);
    r.allocationId = original.allocationId;
    r.nodeId = original.nodeId;
    r.nodeName = original.nodeName;
    r.restarts = Math.max(0, r.restarts - 1);
    this.queue.remove(r.id);
    this.recordEnd(r, status);
    this.transition(r, r.stopRequested ? 'stopped' : state, `${how}${replaced}`);
  }

  /**
   * Takes the current (replacement) allocation out of play before the original takes its place:
   * a placed one is stopped on its node. Returns a note for the reason.
   */
  private dropCurrentAllocation(r: WorkloadRecord): string {
    if (!r.allocationId || !PLACED_STATES.has(r.state)) return '';
    const { allocationId, nodeName } = r;
    const node = this.o.nodes.get(r.nodeId);
    this.unhold(r);
    this.byAllocation.delete(allocationId);
    this.starting.delete(allocationId);
    this.unknown.delete(r.id);
    if (node?.state === 'up') {
      // Its end comes back as a report about an old allocation, which is ignored.
      this.agent(node)
        .stopWorkload(allocationId, r.spec.gracePeriodMs)
        .catch((err: unknown) =>
          this.o.logger.warn('could not stop a replacement', { id: r.id, allocationId, err: (err as Error).message }),
        );
    }
    return `; replacement ${allocationId} on ${nodeName} stopped`;
  }

  /**
   * Something changed that the caller cannot pin to one node: every blocked workload is tried
   * again in the next pass. (Room on a known node is noteRoom's, which reopens only what fits.)
   */
  requestPass(): void {
    this.queue.unblockAll();
    this.schedulePass();
  }

  /**
   * A node's view changed (it registered or came back, its capacity, labels or eligibility
   * changed): the next pass reopens the blocked workloads that fit on it.
   */
  nodeChanged(nodeId: string): void {
    this.noteRoom(nodeId);
  }

  /** A node may have room now (it registered, an allocation there ended): checked in the next pass. */
  private noteRoom(nodeId: string): void {
    this.roomOn.add(nodeId);
    this.schedulePass();
  }

  private schedulePass(): void {
    if (this.passQueued || this.closed) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      this.pass();
    });
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Applies an agent's status of r's current allocation. */
  private applyStatus(r: WorkloadRecord, status: WorkloadStatus__Output): void {
    const state = AGENT_STATES[status.state];
    if (!state || TERMINAL_STATES.has(r.state)) return;
    // Who its node runs it as (spec.user resolved there, or the node's default user).
    if (status.runAs) r.runAs = status.runAs;
    if (state === 'running') {
      if (r.state === 'starting' || r.state === 'unknown') {
        const back = r.state === 'unknown' ? `node ${r.nodeName} is back: ` : '';
        r.pid = status.pid;
        r.runningSinceMs ||= status.startedAtMs || Date.now();
        r.ports = portsOf(status);
        this.transition(r, 'running', `${back}running on ${r.nodeName} (pid ${status.pid})`);
      }
      return;
    }
    if (!TERMINAL_STATES.has(state)) return;
    this.recordEnd(r, status);
    const reason = `${status.reason || state} on ${r.nodeName}`;
    if (r.stopRequested) this.endAllocation(r, 'stopped', reason);
    else this.endAllocation(r, state, reason);
  }

  /** Keeps what an ended allocation's agent reported: its exit and outputs. */
  private recordEnd(r: WorkloadRecord, status: WorkloadStatus__Output): void {
    if (Object.keys(status.outputs ?? {}).length > 0) r.outputs = { ...status.outputs };
    if (status.runAs) r.runAs = status.runAs;
    if (status.exit) {
      r.exit = {
        exited: status.exit.exited,
        exitCode: status.exit.exitCode,
        signal: status.exit.signal,
        finishedAtMs: status.exit.finishedAtMs,
      };
    }
  }

  /**
   * The current allocation ended with `outcome`. Either the workload ends too, or its restart
   * policy sends it back to pending with a backoff.
   */
  private endAllocation(r: WorkloadRecord, outcome: WorkloadStateName, reason: string): void {
    this.unhold(r);
    this.starting.delete(r.allocationId);
    const now = Date.now();
    const ranUntil = r.exit?.finishedAtMs || now;
    const decision = decideRestart({
      policy: r.scheduling.restart,
      outcome,
      stopRequested: r.stopRequested,
      restarts: r.restarts,
      ranForMs: r.runningSinceMs ? Math.max(0, ranUntil - r.runningSinceMs) : 0,
    });
    if (!decision.restart) {
      this.transition(r, outcome, reason);
      return;
    }
    const max = r.scheduling.restart.maxAttempts;
    r.restarts = decision.restarts;
    this.byAllocation.delete(r.allocationId);
    this.pushEvent(r, outcome, reason);
    // Kept so `mo logs --previous` finds it (its node holds the logs for a while).
    r.pastAllocations = withPastAllocation(r.pastAllocations, {
      allocationId: r.allocationId,
      nodeId: r.nodeId,
      nodeName: r.nodeName,
      attempt: r.attempt,
      state: outcome,
      endedAtMs: ranUntil,
    });
    r.allocationId = '';
    r.pid = 0;
    delete r.runAs;
    r.runningSinceMs = 0;
    r.notBeforeMs = now + decision.delayMs;
    const nth = max > 0 ? `${decision.n} of ${max}` : `${decision.n}`;
    const when = decision.delayMs > 0 ? `in ${formatDuration(decision.delayMs)}` : 'now';
    this.transition(r, 'pending', `restart ${nth} ${when} after: ${reason}`);
    this.enqueue(r);
  }

  /** Records a state change: counts, event, persistence, watchers. */
  private transition(r: WorkloadRecord, state: WorkloadStateName, reason: string): void {
    const from = r.state;
    if (from !== state) {
      this.count(from, -1);
      this.count(state, +1);
    }
    if (from === 'unknown' && state !== 'unknown') {
      this.unknown.delete(r.id);
      delete r.unknownSinceMs;
      delete r.lostAtMs;
    }
    r.state = state;
    r.reason = reason;
    // Published ports are held only while the allocation may run.
    if (state !== 'running' && state !== 'unknown') delete r.ports;
    this.pushEvent(r, state, reason);
    if (TERMINAL_STATES.has(state)) {
      this.byAllocation.delete(r.allocationId);
      this.queue.remove(r.id);
      if (!TERMINAL_STATES.has(from)) this.retire(r);
    }
    this.persist(r);
  }

  private pushEvent(r: WorkloadRecord, state: WorkloadStateName, reason: string): void {
    const now = Date.now();
    r.updatedAtMs = now;
    r.events.push({ state, reason, atMs: now });
    if (r.events.length > MAX_EVENTS) r.events.splice(0, r.events.length - MAX_EVENTS);
  }

  /** Writes the record (ordered per record by the store) and tells watchers. */
  private persist(r: WorkloadRecord): void {
    r.updatedAtMs = Date.now();
    this.o.store.commit([{ kind: 'workload', id: r.id, value: r }]).catch((err: unknown) => {
      this.o.logger.error('could not persist a workload', { id: r.id, err });
    });
    this.o.onChange(r);
  }

  /**
   * Tries to place a pending record (in memory only). On success it is `starting` on a node with
   * a fresh allocation id and a reservation; on failure its reason says why it waits.
   */
  private tryPlace(r: WorkloadRecord, now: number): PlacementResult {
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
    const node = this.o.nodes.get(result.nodeId)!;
    r.allocationId = newId(now);
    r.nodeId = node.id;
    r.nodeName = node.name;
    r.attempt++;
    r.pid = 0;
    delete r.runAs;
    r.notBeforeMs = 0;
    delete r.exit;
    delete r.outputs;
    delete r.ports;
    // Counts are the caller's: a new submission is not counted until it is durable.
    r.state = 'starting';
    r.reason = `placed on ${node.name}`;
    this.pushEvent(r, 'starting', r.reason);
    this.hold(r);
    return result;
  }

  /**
   * After the first durable write of a new record: index it, start it or queue it. A pending one
   * blocks its group with its failed attempt, unless something changed since (`changesBefore`).
   */
  private adopt(r: WorkloadRecord, changesBefore: number, retryAtMs: number): void {
    this.records.set(r.id, r);
    this.order.add(r.id);
    this.groups.add(r);
    this.count(r.state, +1);
    this.o.onChange(r);
    if (r.state === 'starting') {
      this.byAllocation.set(r.allocationId, r.id);
      this.dispatch(r);
      return;
    }
    const now = Date.now();
    const joined = this.queue.add(waitingOf(r), now);
    if (joined !== undefined) {
      r.reason = joined;
      return;
    }
    this.showReason(this.queue.block(r.id, r.reason, retryAtMs, changesBefore, now), r.reason);
    if (this.queue.peek()) this.schedulePass();
    this.armWake();
  }

  /**
   * Queues a pending record (restart, start retry). One that joins a blocked group waits for the
   * same reason, with no attempt of its own.
   */
  private enqueue(r: WorkloadRecord): void {
    const joined = this.queue.add(waitingOf(r), Date.now());
    if (joined !== undefined) r.reason = joined;
    else if (r.notBeforeMs <= Date.now()) this.schedulePass();
    this.armWake();
  }

  /**
   * Members of a group just blocked show its reason. In memory only: a waiting workload's reason
   * is refined without a write or a watch event per member (the one tried was written).
   */
  private showReason(members: readonly Waiting[], reason: string): void {
    for (const w of members) {
      const m = this.records.get(w.id);
      if (m) m.reason = reason;
    }
  }

  /**
   * Queues a start of the record's current allocation on its node. Starts queued in the same tick
   * go to each node as one StartWorkloads call (one RPC instead of many under load).
   */
  private dispatch(r: WorkloadRecord): void {
    const node = this.o.nodes.get(r.nodeId);
    if (!node) {
      this.retryStart(r, `node ${r.nodeName} is no longer registered`);
      return;
    }
    let done!: () => void;
    this.starting.set(r.allocationId, new Promise<void>((resolve) => (done = resolve)));
    let batch = this.outbox.get(node.id);
    if (!batch) this.outbox.set(node.id, (batch = []));
    batch.push({ r, allocationId: r.allocationId, done });
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flushStarts());
    }
  }

  private flushStarts(): void {
    this.flushQueued = false;
    const outbox = [...this.outbox];
    this.outbox.clear();
    for (const [nodeId, queued] of outbox) {
      // A start superseded meanwhile (stopped, node down) is not sent.
      const items = queued.filter((it) => {
        const live = it.r.allocationId === it.allocationId && it.r.state === 'starting';
        if (!live) this.endStart(it);
        return live;
      });
      const node = this.o.nodes.get(nodeId);
      if (!node) {
        for (const it of items) {
          this.endStart(it);
          this.retryStart(it.r, `node ${it.r.nodeName} is no longer registered`);
        }
        continue;
      }
      for (let k = 0; k < items.length; k += MAX_START_BATCH)
        this.sendStarts(node, items.slice(k, k + MAX_START_BATCH));
    }
  }

  private sendStarts(node: NodeEntry, items: QueuedStart[]): void {
    const client = this.agent(node);
    const specs = items.map((it) => startSpecOf(it.r, it.allocationId));
    const results: Promise<Array<WorkloadStatus__Output | Error>> =
      items.length === 1
        ? client.startWorkload(specs[0]!).then(
            (status) => [status],
            (err: unknown) => [err as Error],
          )
        : client.startWorkloads(specs).catch((err: unknown) => {
            // The whole call was refused as too large (big specs): halves go again, down to single
            // starts, whose own refusal is then the workload's.
            if (codeOf(err) !== grpc.status.RESOURCE_EXHAUSTED) return items.map(() => err as Error);
            const half = Math.ceil(items.length / 2);
            this.sendStarts(node, items.slice(0, half));
            this.sendStarts(node, items.slice(half));
            return [];
          });
    void results.then((outcomes) => {
      outcomes.forEach((outcome, i) => {
        const it = items[i]!;
        this.endStart(it);
        if (outcome instanceof Error) {
          this.startFailed(it.r, it.allocationId, node, outcome);
          return;
        }
        if (it.r.allocationId !== it.allocationId) return;
        // The node answered: it works, whatever the workload did.
        this.o.nodes.recordStart(node.id, true, Date.now());
        this.applyStatus(it.r, outcome);
      });
    });
  }

  private endStart(it: QueuedStart): void {
    it.done();
    this.starting.delete(it.allocationId);
  }

  private startFailed(r: WorkloadRecord, allocationId: string, node: NodeEntry, err: unknown): void {
    if (r.allocationId !== allocationId || TERMINAL_STATES.has(r.state)) return;
    const kind = startErrorKind(codeOf(err));
    if (kind === 'already_started') {
      // Started before (a re-dispatch after a scheduler restart): ask for its state instead.
      this.agent(node)
        .getWorkload(allocationId)
        .then(
          (status) => r.allocationId === allocationId && this.applyStatus(r, status),
          () => undefined,
        );
      return;
    }
    const message = (err as Error).message;
    if (kind === 'refused') {
      // The node refused this workload (no such program there, its port range is full): the
      // workload's failure, not the node's, so it does not count towards the node's breaker.
      this.endAllocation(r, 'failed', `node ${node.name} could not start it: ${message}`);
      return;
    }
    // The node itself failed (unreachable, internal error): counts towards its breaker.
    this.o.nodes.recordStart(node.id, false, Date.now());
    this.retryStart(r, `start on ${node.name} failed: ${message}`);
  }

  /** A start that never reached the workload (RPC failure): re-place it without using a restart. */
  private retryStart(r: WorkloadRecord, reason: string): void {
    this.unhold(r);
    this.byAllocation.delete(r.allocationId);
    this.pushEvent(r, 'starting', reason);
    r.allocationId = '';
    r.notBeforeMs = Date.now() + START_RETRY_MS;
    this.transition(r, 'pending', `waiting to be placed again: ${reason}`);
    this.enqueue(r);
  }

  /**
   * Places what waits, highest priority first, oldest first within a priority. A pass first reopens
   * what the changes since the last one may let fit, then tries group heads: a success takes the
   * workload out, a failure blocks its group (every workload of that shape) until the next change.
   * At most passBudget attempts per pass; the rest goes on in the next turn of the event loop.
   */
  private pass(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.roomOn.size > 0) {
      const nodes = [...this.roomOn];
      this.roomOn.clear();
      this.queue.unblock((shape) => nodes.some((id) => this.o.engine.fits(id, shape, now)));
    }
    for (const { w, reason } of this.queue.promote(now)) {
      const r = this.records.get(w.id);
      if (r) r.reason = reason;
    }
    const budget = this.o.passBudget ?? DEFAULT_PASS_BUDGET;
    const placed: WorkloadRecord[] = [];
    for (let tried = 0, w = this.queue.peek(); w && tried < budget; w = this.queue.peek(), tried++) {
      const r = this.records.get(w.id);
      if (!r || r.state !== 'pending') {
        this.queue.remove(w.id);
        continue;
      }
      const before = r.reason;
      const changesBefore = this.queue.changes;
      const result = this.tryPlace(r, now);
      if (result.ok) {
        this.count('pending', -1);
        this.count('starting', +1);
        this.queue.remove(r.id);
        this.byAllocation.set(r.allocationId, r.id);
        placed.push(r);
        continue;
      }
      this.showReason(this.queue.block(r.id, r.reason, result.retryAtMs ?? Infinity, changesBefore, now), r.reason);
      if (r.reason !== before) this.persist(r);
    }
    if (this.queue.peek()) this.schedulePass();
    this.armWake();
    for (const r of placed) {
      // Durable before it starts: the allocation id is what fences a stale copy later.
      this.o.store.commit([{ kind: 'workload', id: r.id, value: r }]).then(
        () => {
          this.o.onChange(r);
          if (r.state === 'starting') this.dispatch(r);
        },
        (err: unknown) => this.retryStart(r, `could not persist the placement: ${(err as Error).message}`),
      );
    }
  }

  /** One timer, at the queue's next due time (a backoff or a node's avoidance ending). */
  private armWake(): void {
    const due = this.queue.nextDueMs();
    if (due === this.wakeTimerAt || this.closed) return;
    this.wakeTimer?.cancel();
    this.wakeTimer = undefined;
    this.wakeTimerAt = due;
    if (due === Infinity) return;
    this.wakeTimer = after(Math.max(0, due - Date.now()) + 5, () => {
      this.wakeTimerAt = Infinity;
      this.pass();
    });
  }

  private agent(node: NodeEntry) {
    return this.o.agents.get(node);
  }

  private hold(r: WorkloadRecord): void {
    let set = this.onNode.get(r.nodeId);
    if (!set) this.onNode.set(r.nodeId, (set = new Set()));
    if (set.has(r.id)) return;
    set.add(r.id);
    this.o.engine.reserve(r.nodeId, demandOf(r.spec));
  }

  private unhold(r: WorkloadRecord): void {
    const set = this.onNode.get(r.nodeId);
    if (!set?.delete(r.id)) return;
    this.o.engine.release(r.nodeId, demandOf(r.spec));
    this.noteRoom(r.nodeId);
  }

  private count(state: WorkloadStateName, delta: number): void {
    this.counts.set(state, (this.counts.get(state) ?? 0) + delta);
  }

  /** Keeps at most maxRetainedEnded ended workloads. */
  private retire(r: WorkloadRecord): void {
    this.ended.push(r.id);
    const max = this.o.maxRetainedEnded ?? 10_000;
    while (this.ended.length > max) {
      const id = this.ended.shift()!;
      const old = this.records.get(id);
      if (!old || !TERMINAL_STATES.has(old.state)) continue;
      this.records.delete(id);
      this.order.delete(id);
      const last = this.groups.delete(old);
      const marker = last ? [{ kind: 'meta' as const, id: arrayMarkerId(old.groupId!), value: null }] : [];
      this.o.store.commit([{ kind: 'workload', id, value: null }, ...marker]).catch(() => undefined);
      this.count(old.state, -1);
    }
  }
}

/** The gRPC status code of an error from a client call (errors cross the wire as MoError). */
function codeOf(err: unknown): number | undefined {
  return err instanceof MoError ? err.code : (err as { code?: number }).code;
}

interface QueuedStart {
  r: WorkloadRecord;
  allocationId: string;
  done: () => void;
}

/**
 * Members of an array placed (or adopted) between two turns of the event loop: a 10,000-member
 * array in one go stalled the loop for seconds, past the 2.5 s keepalive that drops connections.
 */
const ARRAY_SLICE = 250;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Starts per StartWorkloads call (the agent's limit). */
const MAX_START_BATCH = 1000;

/** The WorkloadSpec an agent runs for one allocation of r. */
function startSpecOf(r: WorkloadRecord, allocationId: string) {
  const s = r.spec;
  return {
    id: allocationId,
    name: s.name,
    argv: s.argv,
    env: s.env,
    workingDir: s.workingDir,
    resources: { cpuMillis: s.cpuMillis, memoryBytes: s.memoryBytes },
    labels: { ...s.labels, [LABEL_WORKLOAD_ID]: r.id },
    gracePeriodMs: s.gracePeriodMs,
    timeoutMs: s.timeoutMs ?? 0,
    // The agent stops it itself once cut off from the scheduler this long (self-fencing).
    lostAfterMs: s.lostAfterMs,
    ...(s.pidsLimit && { pidsLimit: s.pidsLimit }),
    driver: s.driver,
    ...(s.docker && { docker: s.docker }),
    ...(s.artifacts && { artifacts: s.artifacts }),
    ...(s.user && { user: s.user }),
  };
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

/** The host ports an agent reports for a running allocation. */
function portsOf(status: WorkloadStatus__Output): WorkloadRecord['ports'] {
  return status.ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIp }));
}
