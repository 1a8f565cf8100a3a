// NodeDrains: applies the drain decisions (decide.ts) to a running scheduler. DrainNode and
// SetNodeEligibility change a node's record (eligibility and drain), which is written to the store
// before the call is answered: a restarted scheduler — or, with several, a new leader — finds the
// drain there and goes on with it (`start`). While a node drains, every change of a workload
// re-counts what is left there (coalesced per turn of the event loop), the deadline is a timer, and
// what decideDrain asks is done: a job's instance stopped through its job (which replaces it; a
// service's are moved before that by the job itself, jobs/migrate.ts), a plain workload re-placed.
// Node events (the node with its drain) say draining, what is left, and drained.
import { NotFoundError, after, type Logger, type Timer } from '@mo/api';
import { logPersistFailure, type Store } from '../store/store.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import { toNodeRecord } from '../registry/nodes.js';
import type { WorkloadRecord } from '../workloads/record.js';
import {
  decideDrain,
  decideDrainRequest,
  decideEligibility,
  describeLeft,
  isDraining,
  type DrainChange,
  type DrainItem,
  type DrainRequest,
} from './decide.js';

/** What the drains need of the workload manager. */
export interface DrainWorkloads {
  placedOn(nodeId: string): WorkloadRecord[];
  migrate(id: string, reason: string): boolean;
}

/** What the drains need of the job manager. */
export interface DrainJobs {
  nodeDrainChanged(nodeId: string): void;
  stopForDrain(r: WorkloadRecord, reason: string): void;
}

export interface NodeDrainsOptions {
  store: Store;
  nodes: NodeTable;
  workloads: DrainWorkloads;
  jobs: DrainJobs;
  logger: Logger;
  now?: () => number;
}

export class NodeDrains {
  private readonly timers = new Map<string, Timer>();
  private readonly queued = new Set<string>();
  /** Ids of the nodes draining now (what a workload's change re-counts). */
  private readonly active = new Set<string>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly o: NodeDrainsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Goes on with the drains the store holds (after the nodes and workloads were loaded). */
  start(): void {
    for (const n of this.o.nodes.list()) {
      if (!isDraining(n)) continue;
      this.active.add(n.id);
      this.o.logger.info('node drain goes on', { node: n.name, deadlineMs: n.drain!.deadlineMs });
      this.o.jobs.nodeDrainChanged(n.id);
      this.schedule(n.id);
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** DrainNode: resolves once the node's new record is durable. */
  async drain(nameOrId: string, req: DrainRequest): Promise<NodeEntry> {
    const n = this.find(nameOrId);
    return this.change(n, decideDrainRequest(n, req, this.now()));
  }

  /** SetNodeEligibility: resolves once the node's new record is durable. */
  async setEligibility(nameOrId: string, eligible: boolean): Promise<NodeEntry> {
    const n = this.find(nameOrId);
    return this.change(n, decideEligibility(n, eligible));
  }

  /** Whether a job's instance sits on a draining node before its deadline: its job moves it. */
  readonly isMigrating = (r: WorkloadRecord): boolean => {
    const n = this.o.nodes.get(r.nodeId);
    return !!n && isDraining(n) && !n.drain!.force && this.now() < n.drain!.deadlineMs;
  };

  /** The workload manager's onChange: what is left on draining nodes may have moved. */
  workloadChanged(r: WorkloadRecord): void {
    if (this.closed) return;
    // The record may just have left a draining node (re-placed elsewhere): every drain re-counts.
    if (!r.nodeId) return;
    for (const id of this.active) this.schedule(id);
  }

  private find(nameOrId: string): NodeEntry {
    const n = this.o.nodes.get(nameOrId) ?? this.o.nodes.byNodeName(nameOrId);
    if (!n) throw new NotFoundError('node', 'node', nameOrId);
    return n;
  }

  private async change(n: NodeEntry, c: DrainChange): Promise<NodeEntry> {
    if (c.event === 'unchanged') return n;
    this.o.logger.info(`node ${c.event}`, {
      node: n.name,
      ...(c.drain ? { deadlineMs: c.drain.deadlineMs, force: c.drain.force } : {}),
    });
    this.o.nodes.setDrain(n.id, c.eligible, c.drain);
    if (isDraining(n)) this.active.add(n.id);
    else this.active.delete(n.id);
    await this.persist(n);
    this.o.jobs.nodeDrainChanged(n.id);
    this.schedule(n.id);
    return n;
  }

  private persist(n: NodeEntry): Promise<void> {
    return this.o.store.commit([{ kind: 'node', id: n.id, value: toNodeRecord(n) }]);
  }

  /** Evaluates the node's drain soon: 50 workloads moving are one evaluation. */
  private schedule(nodeId: string): void {
    if (this.closed || this.queued.has(nodeId)) return;
    this.queued.add(nodeId);
    setImmediate(() => {
      this.queued.delete(nodeId);
      this.evaluate(nodeId);
    });
  }

  private evaluate(nodeId: string): void {
    const n = this.o.nodes.get(nodeId);
    this.timers.get(nodeId)?.cancel();
    this.timers.delete(nodeId);
    if (this.closed || !n || !isDraining(n)) {
      this.active.delete(nodeId);
      return;
    }
    const placed = new Map(this.o.workloads.placedOn(nodeId).map((r) => [r.id, r]));
    const plan = decideDrain(n, [...placed.values()].map(itemOf), this.now());
    for (const a of plan.actions) {
      if (a.kind === 'drained') {
        this.drained(n);
        return;
      }
      const r = placed.get(a.workloadId);
      if (!r) continue;
      if (a.kind === 'migrate') this.o.workloads.migrate(r.id, a.reason);
      else this.o.jobs.stopForDrain(r, a.reason);
    }
    const before = n.drainLeft;
    const left = plan.left;
    if (
      !before ||
      before.services !== left.services ||
      before.batch !== left.batch ||
      before.workloads !== left.workloads
    ) {
      n.drainLeft = left;
      this.o.logger.info('node draining', { node: n.name, left: describeLeft(left) });
      this.o.nodes.setDrain(n.id, n.eligible, n.drain);
    }
    if (plan.wakeAtMs < Infinity) {
      const delay = Math.max(0, plan.wakeAtMs - this.now());
      this.timers.set(
        nodeId,
        after(delay, () => {
          this.timers.delete(nodeId);
          // The deadline passed: services are no longer moved by their jobs but stopped here.
          this.o.jobs.nodeDrainChanged(nodeId);
          this.evaluate(nodeId);
        }),
      );
    }
  }

  private drained(n: NodeEntry): void {
    const drain = { ...n.drain!, drainedAtMs: this.now() };
    this.active.delete(n.id);
    n.drainLeft = { services: 0, batch: 0, workloads: 0 };
    this.o.logger.info('node drained', { node: n.name, tookMs: drain.drainedAtMs - drain.startedAtMs });
    this.o.nodes.setDrain(n.id, false, drain);
    this.persist(n).catch((err: unknown) =>
      logPersistFailure(this.o.logger, 'could not persist a drained node', { node: n.name }, err),
    );
  }
}

/** How the drain treats a workload: a service's instance, a batch job's, or a plain workload. */
export function itemOf(r: WorkloadRecord): DrainItem {
  // A job's instance is a batch workload exactly when its job is of type batch (jobs/instances.ts).
  const kind = r.job ? (r.scheduling.batch ? 'batch' : 'service') : 'workload';
  return { id: r.id, kind, state: r.state, stopRequested: r.stopRequested };
}
