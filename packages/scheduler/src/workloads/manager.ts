// WorkloadManager: the scheduler's core, and the one surface the server, the registry and the
// pipelines use. It owns every workload record, places them through the pure placement engine,
// starts them on agents, and folds what agents report back into each workload's state. Every
// change is written through to the store; a submission is acknowledged only once its record is
// durable, and nothing is started before the record that names its allocation is durable, so a
// restarted scheduler can always tell its own copies apart.
//
// States: pending -> starting -> running -> {succeeded | failed | stopped | lost}, and `unknown`
// while the node of a starting or running one cannot be heard from. Deciding is apart from doing
// (issue 15): what an event means is a pure function (lifecycle.ts, restart.ts, disconnect.ts,
// reconcile.ts, queue.ts); book.ts applies the decisions and keeps the indexes; placing.ts runs
// the queue's passes; agent-calls.ts talks to agents; node-events.ts handles nodes registering and
// going down; submit.ts and stopping.ts serve clients. This file wires them and answers queries.
// src/testing runs it all against an in-memory store, fake agents and a fake clock.
import * as grpc from '@grpc/grpc-js';
import {
  MoError,
  type Logger,
  type SubmitWorkloadRequest__Output,
  type Timer,
  type WorkloadStatus__Output,
} from '@mo/api';
import type { PlacementEngine } from '../placement/index.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { Store } from '../store/store.js';
import { AgentCalls, type AgentDirectory } from './agent-calls.js';
import { WorkloadBook } from './book.js';
import { systemClock, type Clock } from './clock.js';
import type { ReconnectKeep } from './disconnect.js';
import type { WorkloadFilter } from './filter.js';
import { countMatching, getWorkload, newestFirst, runningOn, type WorkloadReads } from './reads.js';
import { IdempotencyKeys } from './idempotency.js';
import { onMigrate, type Random } from './lifecycle.js';
import { NodeEvents } from './node-events.js';
import { Placer, type PlacementObserver } from './placing.js';
import { PLACED_STATES, type WorkloadRecord, type WorkloadStateName } from './record.js';
import { restoreKeys, restoreWorkloads } from './restore.js';
import { stopWorkload } from './stopping.js';
import { Submissions, type ArraySubmitted, type SubmitOptions } from './submit.js';

export type { WorkloadFilter } from './filter.js';
export type { PlacementObserver } from './placing.js';
export type { ArraySubmitted, SubmitOptions } from './submit.js';
export type { AgentDirectory, WorkloadAgent } from './agent-calls.js';

export interface WorkloadManagerOptions {
  store: Store;
  engine: PlacementEngine;
  nodes: NodeTable;
  /** An agent client per node (registry/agent-pool.ts's AgentPool; a fake in tests). */
  agents: AgentDirectory;
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
  /** Time and timers (default: the system's; src/testing has a fake). */
  clock?: Clock;
  /** [0, 1) for the restart backoff's jitter (default Math.random). */
  random?: Random;
}

export const DEFAULT_LOST_AFTER_MS = 30_000;
export const DEFAULT_MAX_PENDING = 100_000;
const DEFAULT_PASS_BUDGET = 500;

export interface ListFilter extends WorkloadFilter {
  limit: number;
}

export class WorkloadManager implements WorkloadReads {
  private readonly book: WorkloadBook;
  private readonly placer: Placer;
  private readonly calls: AgentCalls;
  private readonly nodeEvents: NodeEvents;
  private readonly submissions: Submissions;
  /** Idempotency keys of submits, kept for their window (idempotency.ts). */
  private readonly keys: IdempotencyKeys;
  private readonly clock: Clock;
  private readonly random: Random;
  private sweepTimer: Timer | undefined;
  private closed = false;

  constructor(private readonly o: WorkloadManagerOptions) {
    const clock = (this.clock = o.clock ?? systemClock);
    const random = (this.random = o.random ?? Math.random);
    this.keys = new IdempotencyKeys(o.idempotencyWindowMs);
    this.book = new WorkloadBook(
      {
        store: o.store,
        engine: o.engine,
        logger: o.logger,
        clock,
        onChange: o.onChange,
        maxRetainedEnded: o.maxRetainedEnded,
      },
      {
        room: (nodeId) => this.placer.noteRoom(nodeId),
        queued: (r) => this.placer.enqueue(r),
        effect: (r, effect) => this.calls.effect(r, effect),
      },
    );
    this.calls = new AgentCalls(this.book, {
      nodes: o.nodes,
      agents: o.agents,
      logger: o.logger,
      clock,
      random,
      reconnectKeep: o.reconnectKeep ?? 'original',
    });
    this.placer = new Placer(this.book, {
      store: o.store,
      engine: o.engine,
      nodes: o.nodes,
      observer: o.observer,
      clock,
      passBudget: o.passBudget ?? DEFAULT_PASS_BUDGET,
      onChange: o.onChange,
      dispatch: (r) => this.calls.dispatch(r),
      retryStart: (r, reason) => this.calls.retryStart(r, reason),
    });
    this.nodeEvents = new NodeEvents(this.book, this.calls, {
      clock,
      random,
      defaultLostAfterMs: this.defaultLostAfterMs,
      noteRoom: (nodeId) => this.placer.noteRoom(nodeId),
    });
    this.submissions = new Submissions(this.book, this.placer, {
      store: o.store,
      nodes: o.nodes,
      clock,
      keys: this.keys,
      maxPending: o.maxPending ?? DEFAULT_MAX_PENDING,
      defaultLostAfterMs: this.defaultLostAfterMs,
    });
  }

  private get defaultLostAfterMs(): number {
    return this.o.defaultLostAfterMs ?? DEFAULT_LOST_AFTER_MS;
  }

  // ---- start-up --------------------------------------------------------------------------------

  /** Loads persisted workloads (restore.ts): reservations are re-taken, pending ones re-queued. */
  async load(): Promise<number> {
    const loaded = await restoreWorkloads(this.book, this.o.store, this.defaultLostAfterMs, this.clock.now());
    await restoreKeys(this.keys, this.book, this.o.store, this.clock.now());
    this.nodeEvents.armUnknownTimer();
    return loaded;
  }

  /** Forgets idempotency keys past their window (cheap: it stops at the first key inside it). */
  private sweepKeys(): void {
    const ops = this.keys.sweep(this.clock.now());
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
    this.sweepTimer = this.clock.every(Math.min(60_000, this.keys.windowMs), () => this.sweepKeys());
    this.placer.schedulePass();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sweepTimer?.cancel();
    this.placer.close();
    this.calls.close();
    this.nodeEvents.close();
    await Promise.allSettled([...this.book.starting.values()]);
  }

  // ---- queries ---------------------------------------------------------------------------------

  get(id: string): WorkloadRecord {
    return getWorkload(this.book, id);
  }

  /** The first `limit` matching workloads, newest first, and how many match in all. */
  list(filter: ListFilter): { workloads: WorkloadRecord[]; total: number } {
    const workloads: WorkloadRecord[] = [];
    if (filter.limit > 0) {
      for (const r of this.newestFirst(filter)) if (workloads.push(r) >= filter.limit) break;
    }
    return { workloads, total: this.countMatching(filter) };
  }

  /** Matching workloads newest first, after the page cursor `beforeId` (reads.ts). Lazy. */
  newestFirst(filter: WorkloadFilter, beforeId?: string): Generator<WorkloadRecord> {
    return newestFirst(this.book, filter, beforeId);
  }

  /** How many workloads match (reads.ts). */
  countMatching(filter: WorkloadFilter): number {
    return countMatching(this.book, filter);
  }

  stateCounts(): Map<WorkloadStateName, number> {
    return this.book.counts;
  }

  queueDepth(): number {
    return this.book.queue.size;
  }

  /** Every workload held, ended ones kept included (the job manager finds its instances here at start). */
  all(): IterableIterator<WorkloadRecord> {
    return this.book.records.values();
  }

  /** The workloads placed on a node now (starting, running, unknown). */
  placedOn(nodeId: string): WorkloadRecord[] {
    const out: WorkloadRecord[] = [];
    for (const id of this.book.onNode.get(nodeId) ?? []) {
      const r = this.book.records.get(id);
      if (r && r.nodeId === nodeId && PLACED_STATES.has(r.state)) out.push(r);
    }
    return out;
  }

  /** A drain moves a workload off its node (lifecycle.ts onMigrate); false if there was nothing to move. */
  migrate(id: string, reason: string): boolean {
    const r = this.book.records.get(id);
    const step = r && onMigrate(r, reason, this.clock.now());
    if (!r || !step) return false;
    this.book.apply(r, step);
    return true;
  }

  runningOn(nodeId: string): number {
    return runningOn(this.book, nodeId);
  }

  // ---- what clients ask ------------------------------------------------------------------------

  async submit(
    req: SubmitWorkloadRequest__Output,
    options: SubmitOptions = {},
  ): Promise<{ record: WorkloadRecord; existing: boolean }> {
    this.checkOpen();
    return this.submissions.submit(req, options);
  }

  /** Submits an array (count > 0): all of it or nothing (submit.ts). */
  async submitArray(req: SubmitWorkloadRequest__Output, options: SubmitOptions = {}): Promise<ArraySubmitted> {
    this.checkOpen();
    return this.submissions.submitArray(req, options);
  }

  /** Stops a workload and resolves once it has ended (or at once when it never started). */
  async stop(id: string, graceMs: number): Promise<WorkloadRecord> {
    const { nodes, agents } = this.o;
    return stopWorkload(this.book, { nodes, agents, clock: this.clock, random: this.random }, this.get(id), graceMs);
  }

  private checkOpen(): void {
    if (this.closed) throw new MoError(grpc.status.UNAVAILABLE, 'the scheduler is shutting down');
  }

  // ---- what agents report ----------------------------------------------------------------------

  /**
   * Reconciles a (re-)registering node's inventory with our view. Returns the allocations the node
   * must stop: replaced while it was away, stopped meanwhile, or unknown to us.
   */
  reconcile(node: NodeEntry, inventory: readonly WorkloadStatus__Output[]): string[] {
    return this.nodeEvents.reconcile(node, inventory);
  }

  /** One page of a node's inventory; what is missing is judged by reconcileMissing after the last. */
  reconcilePage(node: NodeEntry, inventory: readonly WorkloadStatus__Output[]): string[] {
    return this.nodeEvents.reconcilePage(node, inventory);
  }

  /** The whole inventory is in (`seen`: every allocation id it named). */
  reconcileMissing(node: NodeEntry, seen: ReadonlySet<string>): void {
    this.nodeEvents.reconcileMissing(node, seen);
  }

  /** One status of an allocation reported by a node. Returns 'stop' when the node must stop it. */
  report(nodeId: string, status: WorkloadStatus__Output): 'ok' | 'stop' {
    return this.calls.report(nodeId, status);
  }

  /** A node went down (`gone`: for good): its workloads become unknown, or lost (disconnect.ts). */
  nodeDown(node: NodeEntry, gone = false): void {
    this.nodeEvents.nodeDown(node, gone);
  }

  /**
   * Something changed that the caller cannot pin to one node: every blocked workload is tried
   * again in the next pass. (Room on a known node is nodeChanged's, which reopens only what fits.)
   */
  requestPass(): void {
    this.placer.requestPass();
  }

  /**
   * A node's view changed (it registered or came back, its capacity, labels or eligibility
   * changed): the next pass reopens the blocked workloads that fit on it.
   */
  nodeChanged(nodeId: string): void {
    this.placer.noteRoom(nodeId);
  }
}
