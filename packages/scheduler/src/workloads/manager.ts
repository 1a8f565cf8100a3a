// WorkloadManager: the scheduler's core. It owns every workload record, places them through the
// pure placement engine, starts them on agents, and folds what agents report back into each
// workload's state. Every change is written through to the store; a submission is acknowledged
// only once its record is durable, and nothing is started before the record that names its
// allocation is durable, so a restarted scheduler can always tell its own copies apart.
//
// States: pending -> starting -> running -> {succeeded | failed | stopped | lost}. A restart
// policy turns an end back into pending (with backoff); each run is a new allocation id.
import {
  InvalidArgumentError,
  MoError,
  NotFoundError,
  UnavailableError,
  newId,
  type Logger,
  type SubmitWorkloadRequest__Output,
  type WorkloadStatus__Output,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import type { PlacementEngine } from '../placement/index.js';
import type { AgentPool } from '../registry/agent-pool.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { Store } from '../store/store.js';
import {
  LABEL_WORKLOAD_ID,
  MAX_EVENTS,
  PRIORITY_RANK,
  TERMINAL_STATES,
  type WorkloadRecord,
  type WorkloadStateName,
} from './record.js';
import { validateSubmission } from './validate.js';

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
  /** Workloads placed per scheduling pass, at most (bounds the time one pass holds the loop). */
  passBudget?: number;
  /** Ended workloads kept (oldest dropped first). */
  maxRetainedEnded?: number;
}

export interface ListFilter {
  states?: ReadonlySet<WorkloadStateName>;
  nodeId?: string;
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
  /** Current allocation id -> workload id. */
  private readonly byAllocation = new Map<string, string>();
  private readonly byKey = new Map<string, string>();
  /** Submissions with an idempotency key that are being persisted. */
  private readonly submitting = new Map<string, Promise<WorkloadRecord>>();
  /** Node id -> workloads that hold a reservation there (starting or running). */
  private readonly onNode = new Map<string, Set<string>>();
  /** Allocation id -> the in-flight StartWorkload call. */
  private readonly starting = new Map<string, Promise<void>>();
  private readonly pending = new Set<string>();
  private readonly counts = new Map<WorkloadStateName, number>();
  /** Ended workloads in the order they ended (for retention). */
  private readonly ended: string[] = [];
  /** Starts waiting for the end of this tick, per node. */
  private readonly outbox = new Map<string, QueuedStart[]>();
  private flushQueued = false;
  private passQueued = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: WorkloadManagerOptions) {}

  // ---- start-up --------------------------------------------------------------------------------

  /** Loads persisted workloads: reservations are re-taken, pending ones re-queued. */
  async load(): Promise<number> {
    const rows = await this.o.store.load('workload');
    const ended: WorkloadRecord[] = [];
    for (const { value } of rows) {
      const r = value as WorkloadRecord;
      this.records.set(r.id, r);
      this.count(r.state, +1);
      if (r.idempotencyKey) this.byKey.set(r.idempotencyKey, r.id);
      if (r.allocationId && !TERMINAL_STATES.has(r.state)) this.byAllocation.set(r.allocationId, r.id);
      if (r.state === 'starting' || r.state === 'running') this.hold(r);
      if (r.state === 'pending') this.pending.add(r.id);
      if (TERMINAL_STATES.has(r.state)) ended.push(r);
    }
    ended.sort((a, b) => a.updatedAtMs - b.updatedAtMs);
    for (const r of ended) this.ended.push(r.id);
    return rows.length;
  }

  /** Starts the periodic scheduling pass (catches cool-downs and backoffs ending). */
  start(): void {
    this.tick = setInterval(() => this.pass(), 1000);
    this.tick.unref();
    this.requestPass();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.tick) clearInterval(this.tick);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await Promise.allSettled([...this.starting.values()]);
  }

  // ---- queries ---------------------------------------------------------------------------------

  get(id: string): WorkloadRecord {
    const r = this.records.get(id);
    if (!r) throw new NotFoundError('workload_id', 'workload', id);
    return r;
  }

  /** Newest first. */
  list(filter: ListFilter): { workloads: WorkloadRecord[]; total: number } {
    const out: WorkloadRecord[] = [];
    let total = 0;
    const all = [...this.records.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const r = all[i]!;
      if (filter.states && !filter.states.has(r.state)) continue;
      if (filter.nodeId && r.nodeId !== filter.nodeId) continue;
      total++;
      if (out.length < filter.limit) out.push(r);
    }
    out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return { workloads: out, total };
  }

  stateCounts(): Map<WorkloadStateName, number> {
    return this.counts;
  }

  queueDepth(): number {
    return this.pending.size;
  }

  runningOn(nodeId: string): number {
    let n = 0;
    for (const id of this.onNode.get(nodeId) ?? []) if (this.records.get(id)?.state === 'running') n++;
    return n;
  }

  // ---- submit / stop ---------------------------------------------------------------------------

  async submit(req: SubmitWorkloadRequest__Output): Promise<{ record: WorkloadRecord; existing: boolean }> {
    if (this.closed) throw new MoError(grpc.status.UNAVAILABLE, 'the scheduler is shutting down');
    const valid = validateSubmission(req);
    const key = valid.idempotencyKey;
    if (key) {
      const existingId = this.byKey.get(key);
      if (existingId) return { record: this.get(existingId), existing: true };
      const inFlight = this.submitting.get(key);
      if (inFlight) return { record: await inFlight, existing: true };
    }
    if (valid.scheduling.node && !this.o.nodes.byNodeName(valid.scheduling.node)) {
      throw new InvalidArgumentError('scheduling.node', `unknown node "${valid.scheduling.node}"`);
    }
    const now = Date.now();
    const restarts = valid.scheduling.restart.mode === 'never' ? 0 : valid.scheduling.restart.maxAttempts;
    const record: WorkloadRecord = {
      id: newId(now),
      ...valid,
      state: 'pending',
      reason: 'waiting for placement',
      allocationId: '',
      nodeId: '',
      nodeName: '',
      attempt: 0,
      restartsLeft: restarts,
      pid: 0,
      createdAtMs: now,
      updatedAtMs: now,
      notBeforeMs: 0,
      stopRequested: false,
      events: [{ state: 'pending', reason: 'submitted', atMs: now }],
    };
    const work = (async () => {
      // Placed before the first write, so the acknowledged record already says where it goes.
      this.tryPlace(record, now);
      await this.o.store.commit([{ kind: 'workload', id: record.id, value: record }]);
      this.adopt(record);
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
    }
    return { record, existing: false };
  }

  /** Stops a workload and resolves once it has ended (or at once when it never started). */
  async stop(id: string, graceMs: number): Promise<WorkloadRecord> {
    const r = this.get(id);
    if (TERMINAL_STATES.has(r.state)) return r;
    r.stopRequested = true;
    if (r.state === 'pending') {
      this.pending.delete(r.id);
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
        throw new UnavailableError(
          node.address,
          `could not reach node ${r.nodeName} to stop ${r.id} (${(err as Error).message}); it is stopped when the node reconnects`,
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
    const stop: string[] = [];
    const seen = new Set<string>();
    for (const status of inventory) {
      const alloc = status.spec?.id;
      if (!alloc) continue;
      seen.add(alloc);
      const verdict = this.report(node.id, status);
      if (verdict === 'stop') stop.push(alloc);
    }
    for (const id of [...(this.onNode.get(node.id) ?? [])]) {
      const r = this.records.get(id);
      if (!r || seen.has(r.allocationId)) continue;
      if (r.state === 'starting') {
        // Persisted as placed but never started (the scheduler died in between): start it now.
        if (!this.starting.has(r.allocationId)) this.dispatch(r);
      } else if (r.state === 'running') {
        // The inventory is a snapshot taken before the Register was sent: a start that completed
        // after it is legitimately missing. Ask the node before calling it lost.
        this.verifyMissing(r, node);
      }
    }
    this.requestPass();
    return stop;
  }

  /** One status of an allocation reported by a node. Returns 'stop' when the node must stop it. */
  report(nodeId: string, status: WorkloadStatus__Output): 'ok' | 'stop' {
    const alloc = status.spec?.id ?? '';
    const agentState = AGENT_STATES[status.state];
    const agentEnded = agentState !== undefined && TERMINAL_STATES.has(agentState);
    const id = this.byAllocation.get(alloc);
    const r = id === undefined ? undefined : this.records.get(id);
    if (!r || r.nodeId !== nodeId || r.allocationId !== alloc || TERMINAL_STATES.has(r.state)) {
      return agentEnded ? 'ok' : 'stop';
    }
    if (r.stopRequested && !agentEnded) return 'stop';
    this.applyStatus(r, status);
    return 'ok';
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
          if (r.allocationId !== alloc || r.state !== 'running') return;
          if (codeOf(err) === grpc.status.NOT_FOUND) {
            this.endAllocation(r, 'lost', `missing from node ${node.name}'s inventory when it registered`);
          }
          // Unreachable: the node's liveness decides (it goes down and the workload is lost then).
        },
      );
  }

  /** A node went down: its workloads are lost (and re-placed per their restart policy). */
  nodeDown(node: NodeEntry): void {
    for (const id of [...(this.onNode.get(node.id) ?? [])]) {
      const r = this.records.get(id);
      if (!r) continue;
      if (r.stopRequested) this.endAllocation(r, 'stopped', `stopped by request; node ${node.name} went down`);
      else this.endAllocation(r, 'lost', `node ${node.name} down (${node.reason})`);
    }
  }

  /** Capacity may have appeared (a node registered or came back). */
  requestPass(): void {
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
    if (state === 'running') {
      if (r.state === 'starting') {
        r.pid = status.pid;
        r.ports = status.ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIp }));
        this.transition(r, 'running', `running on ${r.nodeName} (pid ${status.pid})`);
      }
      return;
    }
    if (!TERMINAL_STATES.has(state)) return;
    if (Object.keys(status.outputs ?? {}).length > 0) r.outputs = { ...status.outputs };
    if (status.exit) {
      r.exit = {
        exited: status.exit.exited,
        exitCode: status.exit.exitCode,
        signal: status.exit.signal,
        finishedAtMs: status.exit.finishedAtMs,
      };
    }
    const reason = `${status.reason || state} on ${r.nodeName}`;
    if (r.stopRequested) this.endAllocation(r, 'stopped', reason);
    else this.endAllocation(r, state, reason);
  }

  /**
   * The current allocation ended with `outcome`. Either the workload ends too, or its restart
   * policy sends it back to pending with a backoff.
   */
  private endAllocation(r: WorkloadRecord, outcome: WorkloadStateName, reason: string): void {
    this.unhold(r);
    this.starting.delete(r.allocationId);
    const { mode } = r.scheduling.restart;
    const restart =
      !r.stopRequested &&
      r.restartsLeft > 0 &&
      outcome !== 'stopped' &&
      (mode === 'always' || (mode === 'on-failure' && (outcome === 'failed' || outcome === 'lost')));
    if (!restart) {
      this.transition(r, outcome, reason);
      return;
    }
    const p = r.scheduling.restart;
    const n = p.maxAttempts - r.restartsLeft + 1;
    const base = Math.min(p.maxBackoffMs, p.initialBackoffMs * 2 ** (n - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    r.restartsLeft--;
    this.byAllocation.delete(r.allocationId);
    this.pushEvent(r, outcome, reason);
    r.allocationId = '';
    r.pid = 0;
    r.notBeforeMs = Date.now() + delay;
    this.transition(r, 'pending', `restart ${n} of ${p.maxAttempts} in ${(delay / 1000).toFixed(1)}s after: ${reason}`);
    this.pending.add(r.id);
    this.wakeAt(r.notBeforeMs);
  }

  /** Records a state change: counts, event, persistence, watchers. */
  private transition(r: WorkloadRecord, state: WorkloadStateName, reason: string): void {
    const from = r.state;
    if (from !== state) {
      this.count(from, -1);
      this.count(state, +1);
    }
    r.state = state;
    r.reason = reason;
    // Published ports are held only while the allocation runs.
    if (state !== 'running') delete r.ports;
    this.pushEvent(r, state, reason);
    if (TERMINAL_STATES.has(state)) {
      this.byAllocation.delete(r.allocationId);
      this.pending.delete(r.id);
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
  private tryPlace(r: WorkloadRecord, now: number): boolean {
    const t0 = process.hrtime.bigint();
    const result = this.o.engine.place(
      {
        workloadId: r.id,
        driver: r.spec.driver,
        resources: { cpuMillis: r.spec.cpuMillis, memoryBytes: r.spec.memoryBytes },
        constraints: r.scheduling.constraints,
        ...(r.scheduling.node ? { nodeName: r.scheduling.node } : {}),
        ...(r.scheduling.strategy ? { strategy: r.scheduling.strategy } : {}),
        batch: r.scheduling.batch,
      },
      now,
    );
    this.o.observer.placement(result.ok ? 'placed' : 'failed', Number(process.hrtime.bigint() - t0) / 1e9);
    if (!result.ok) {
      r.reason = `waiting: ${result.reason}`;
      return false;
    }
    const node = this.o.nodes.get(result.nodeId)!;
    r.allocationId = newId(now);
    r.nodeId = node.id;
    r.nodeName = node.name;
    r.attempt++;
    r.pid = 0;
    r.notBeforeMs = 0;
    delete r.exit;
    delete r.outputs;
    delete r.ports;
    // Counts are the caller's: a new submission is not counted until it is durable.
    r.state = 'starting';
    r.reason = `placed on ${node.name}`;
    this.pushEvent(r, 'starting', r.reason);
    this.hold(r);
    return true;
  }

  /** After the first durable write of a new record: index it, start it or queue it. */
  private adopt(r: WorkloadRecord): void {
    this.records.set(r.id, r);
    this.count(r.state, +1);
    if (r.idempotencyKey) this.byKey.set(r.idempotencyKey, r.id);
    this.o.onChange(r);
    if (r.state === 'starting') {
      this.byAllocation.set(r.allocationId, r.id);
      this.dispatch(r);
    } else {
      this.pending.add(r.id);
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
        : client.startWorkloads(specs).catch((err: unknown) => items.map(() => err as Error));
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
    if (codeOf(err) === grpc.status.ALREADY_EXISTS) {
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
    if (codeOf(err) === grpc.status.INVALID_ARGUMENT) {
      // The node refused this workload (e.g. the program does not exist there): the workload's
      // failure, not the node's, so it does not count towards the node's circuit breaker.
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
    this.pending.add(r.id);
    this.wakeAt(r.notBeforeMs);
  }

  /** Places what waits, highest priority first, oldest first within a priority. */
  private pass(): void {
    if (this.closed || this.pending.size === 0) return;
    const now = Date.now();
    const ready: WorkloadRecord[] = [];
    let nextWake = Infinity;
    for (const id of this.pending) {
      const r = this.records.get(id);
      if (!r || r.state !== 'pending') {
        this.pending.delete(id);
        continue;
      }
      if (r.notBeforeMs > now) nextWake = Math.min(nextWake, r.notBeforeMs);
      else ready.push(r);
    }
    ready.sort(
      (a, b) =>
        PRIORITY_RANK[a.scheduling.priority] - PRIORITY_RANK[b.scheduling.priority] || a.createdAtMs - b.createdAtMs,
    );
    const budget = this.o.passBudget ?? 2000;
    const placed: WorkloadRecord[] = [];
    for (const r of ready.slice(0, budget)) {
      const before = r.reason;
      if (this.tryPlace(r, now)) {
        this.count('pending', -1);
        this.count('starting', +1);
        this.pending.delete(r.id);
        this.byAllocation.set(r.allocationId, r.id);
        placed.push(r);
      } else if (r.reason !== before) {
        this.persist(r);
      }
    }
    if (ready.length > budget) this.requestPass();
    if (nextWake < Infinity) this.wakeAt(nextWake);
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

  private wakeAt(atMs: number): void {
    if (this.closed) return;
    const delay = Math.max(0, atMs - Date.now()) + 5;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => this.pass(), delay);
    this.wakeTimer.unref();
  }

  private agent(node: NodeEntry) {
    return this.o.agents.get(node.id, node.address);
  }

  private hold(r: WorkloadRecord): void {
    let set = this.onNode.get(r.nodeId);
    if (!set) this.onNode.set(r.nodeId, (set = new Set()));
    if (set.has(r.id)) return;
    set.add(r.id);
    this.o.engine.reserve(r.nodeId, { cpuMillis: r.spec.cpuMillis, memoryBytes: r.spec.memoryBytes });
  }

  private unhold(r: WorkloadRecord): void {
    const set = this.onNode.get(r.nodeId);
    if (!set?.delete(r.id)) return;
    this.o.engine.release(r.nodeId, { cpuMillis: r.spec.cpuMillis, memoryBytes: r.spec.memoryBytes });
    this.requestPass();
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
      this.count(old.state, -1);
      if (old.idempotencyKey && this.byKey.get(old.idempotencyKey) === id) this.byKey.delete(old.idempotencyKey);
      this.o.store.commit([{ kind: 'workload', id, value: null }]).catch(() => undefined);
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
    ...(s.pidsLimit && { pidsLimit: s.pidsLimit }),
    driver: s.driver,
    ...(s.docker && { docker: s.docker }),
    ...(s.artifacts && { artifacts: s.artifacts }),
  };
}
