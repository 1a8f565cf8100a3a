// The node registry: every agent that registered, its liveness, and what placement needs to know
// about it. Liveness: a node is up while heartbeats arrive; past its deadline it is down. The
// heartbeat interval stretches with cluster size so the whole cluster stays under a configured
// heartbeat rate (Nomad caps it at 50/s); the deadline scales with it. A broken heartbeat stream
// does not shorten the deadline: a restarting agent (systemd brings it back in 2 s) must not be
// declared down, and down only makes its workloads `unknown` anyway (workloads/disconnect.ts).
// A node down for longer than --forget-down-after (or removed by `mo node rm`) is forgotten: its
// record goes, its workloads still waiting for it are lost; a node that returns registers anew.
import {
  FailedPreconditionError,
  NotFoundError,
  STALL_TIMER_LATE_MS,
  after,
  formatDuration,
  type NodeMetrics__Output,
  type Timer,
} from '@mo/api';
import type { PlacementEngine } from '../placement/index.js';
import { measuredOf, toPlacementNode, type NodeDrainRecord, type NodeEntry, type NodeRecord } from './node-record.js';
import { heartbeatTiming, type HeartbeatTiming, type LivenessOptions } from './timing.js';
import { clampStoredFacts } from './validate-node.js';

export * from './node-record.js';
export * from './timing.js';

/** The sweep runs at least this often, whatever the deadlines (a backstop; cheap). */
const SWEEP_BACKSTOP_MS = 60_000;

export interface NodeTableHooks {
  /**
   * A node went from up to down (deadline passed). `gone`: it will not come back (another node
   * registered under its name), so its workloads need not wait for it.
   */
  onDown(node: NodeEntry, gone: boolean): void;
  /** Anything changed that watchers should see (state, metrics are not reported here). */
  onChange(node: NodeEntry): void;
  /** A down node is about to be forgotten (removed by request, or down too long). */
  onForget?(node: NodeEntry, reason: string): void;
}

export class NodeTable {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly byName = new Map<string, string>();
  private timer: Timer | undefined;
  /** When the sweep timer fires (Date.now() ms); Infinity when none is set. */
  private sweepAtMs = Infinity;
  /** The sweep fired late once and gave the nodes a grace: the next one judges. */
  private sweepGraced = false;
  private started = false;

  constructor(
    readonly options: LivenessOptions,
    private readonly engine: PlacementEngine,
    private readonly hooks: NodeTableHooks,
  ) {}

  /**
   * The interval and down-after for this cluster size: of node `id` when given (an idle node, with
   * no allocation booked on it, beats slower), else of a busy node.
   */
  timing(id?: string): HeartbeatTiming {
    const idle = id !== undefined && this.engine.allocationsOf(id) === 0;
    return heartbeatTiming(this.options, this.nodes.size, idle);
  }

  get size(): number {
    return this.nodes.size;
  }

  get(id: string): NodeEntry | undefined {
    return this.nodes.get(id);
  }

  byNodeName(name: string): NodeEntry | undefined {
    const id = this.byName.get(name);
    return id === undefined ? undefined : this.nodes.get(id);
  }

  list(): NodeEntry[] {
    return [...this.nodes.values()];
  }

  /**
   * Restores persisted nodes after a scheduler restart or a failover: they get a fresh deadline to
   * re-register, `graceMs` (default twice the down deadline: agents reconnect with backoff).
   */
  restore(records: NodeRecord[], nowMs: number, graceMs?: number): void {
    const { downAfterMs } = this.timing();
    for (const r of records) {
      this.put({
        ...r,
        // Facts an older scheduler stored unchecked must not break every ListNodes.
        facts: clampStoredFacts(r.facts),
        ...(r.state === 'down' ? { downSinceMs: r.downSinceMs ?? nowMs } : {}),
        metrics: null,
        lastHeartbeatMs: 0,
        deadlineMs: r.state === 'up' ? nowMs + (graceMs ?? 2 * downAfterMs) : 0,
        startFailures: 0,
        avoidUntilMs: 0,
        streaming: false,
      });
    }
  }

  /** Adds or refreshes a node on Register. Returns the entry (now up). */
  register(
    record: Omit<NodeRecord, 'state' | 'reason' | 'eligible'>,
    metrics: NodeMetrics__Output | null,
    nowMs: number,
    takesBusyTiming = false,
  ): NodeEntry {
    const prev = this.nodes.get(record.id);
    const previousNameOwner = this.byName.get(record.name);
    if (previousNameOwner !== undefined && previousNameOwner !== record.id) {
      // A node name moved to a new node id (agent data dir wiped): the old entry is gone for good.
      // Its workloads are lost first (and re-placed per policy).
      const old = this.nodes.get(previousNameOwner);
      if (old) {
        this.markDown(old.id, `replaced by node ${record.id} registering under the same name`, true);
        this.remove(old.id);
      }
    }
    const { downSinceMs: _wasDownSince, drain: _drain, ...fresh } = record as NodeRecord;
    const entry: NodeEntry = {
      ...fresh,
      state: 'up',
      reason: prev && prev.state === 'down' ? 'registered again' : 'registered',
      eligible: prev?.eligible ?? true,
      // A drain is the operator's, not the agent's: it outlives a re-registration.
      ...(prev?.drain ? { drain: prev.drain } : {}),
      ...(prev?.drainLeft ? { drainLeft: prev.drainLeft } : {}),
      metrics,
      lastHeartbeatMs: nowMs,
      deadlineMs: nowMs + this.timing().downAfterMs,
      startFailures: prev?.startFailures ?? 0,
      avoidUntilMs: prev?.avoidUntilMs ?? 0,
      streaming: prev?.streaming ?? false,
      ...(takesBusyTiming ? { takesBusyTiming } : {}),
    };
    this.put(entry);
    this.hooks.onChange(entry);
    return entry;
  }

  heartbeat(id: string, metrics: NodeMetrics__Output | null, nowMs: number): NodeEntry | undefined {
    const node = this.nodes.get(id);
    if (!node || node.state !== 'up') return undefined;
    node.lastHeartbeatMs = nowMs;
    node.deadlineMs = nowMs + this.timing(id).downAfterMs;
    if (metrics) {
      node.metrics = metrics;
      this.engine.updateMeasured(node.id, measuredOf(metrics));
    }
    return node;
  }

  /**
   * The timing to answer node `id` with, once what its message reported is applied (the last
   * allocation ended: it is idle now; one was placed: busy), and its deadline set by that timing:
   * the agent beats next at the interval it is told. Undefined when it is not up.
   */
  answer(id: string, nowMs: number): HeartbeatTiming | undefined {
    const node = this.nodes.get(id);
    if (!node || node.state !== 'up') return undefined;
    const timing = this.timing(id);
    node.deadlineMs = nowMs + timing.downAfterMs;
    this.armAt(node.deadlineMs); // earlier than before when an idle node became busy
    return timing;
  }

  /**
   * A start on node `id` was answered (its allocation booked: the node is busy). An agent takes up
   * the busy timing by itself when it starts work (told it in every answer), so the deadline
   * shrinks to the busy down-after now, not at its next heartbeat: a node that dies right after its
   * first start is noticed as soon as a busy one. Only for an agent that said it does so (an older
   * one asks with a heartbeat, whose answer shrinks it). It only shrinks: liveness is the
   * heartbeats' (a node that answers starts but cannot send heartbeats still goes down).
   */
  startAnswered(id: string, nowMs: number): void {
    const node = this.nodes.get(id);
    if (!node || node.state !== 'up' || !node.takesBusyTiming) return;
    const deadlineMs = nowMs + this.timing(id).downAfterMs;
    if (deadlineMs >= node.deadlineMs) return;
    node.deadlineMs = deadlineMs;
    this.armAt(deadlineMs);
  }

  /**
   * Sets a node's eligibility and drain (drain/manager.ts decides them): placement sees it at
   * once, watchers are told. The caller persists the record.
   */
  setDrain(id: string, eligible: boolean, drain: NodeDrainRecord | undefined): NodeEntry | undefined {
    const node = this.nodes.get(id);
    if (!node) return undefined;
    node.eligible = eligible;
    if (drain) node.drain = drain;
    else {
      delete node.drain;
      delete node.drainLeft;
    }
    this.engine.upsertNode(toPlacementNode(node));
    this.hooks.onChange(node);
    return node;
  }

  /** The heartbeat stream of a node opened or closed (shown; liveness keeps its deadline). */
  setStreaming(id: string, streaming: boolean): void {
    const node = this.nodes.get(id);
    if (node) node.streaming = streaming;
  }

  /** Records a start outcome on a node (the circuit breaker). Returns true if the breaker opened. */
  recordStart(id: string, ok: boolean, nowMs: number): boolean {
    const node = this.nodes.get(id);
    if (!node) return false;
    if (ok) {
      if (node.startFailures === 0) return false;
      node.startFailures = 0;
      this.engine.upsertNode(toPlacementNode(node));
      return false;
    }
    node.startFailures++;
    if (node.startFailures < this.options.breakerThreshold) return false;
    node.startFailures = 0;
    node.avoidUntilMs = nowMs + this.options.breakerCooldownMs;
    this.engine.upsertNode(toPlacementNode(node));
    this.hooks.onChange(node);
    return true;
  }

  markDown(id: string, reason: string, gone = false, nowMs = Date.now()): void {
    const node = this.nodes.get(id);
    if (!node || node.state === 'down') return;
    node.state = 'down';
    node.reason = reason;
    node.downSinceMs = nowMs;
    this.engine.upsertNode(toPlacementNode(node));
    this.hooks.onDown(node, gone);
    this.hooks.onChange(node);
  }

  /**
   * `mo node rm`: forgets a down node, found by id or name. NOT_FOUND if there is none,
   * FAILED_PRECONDITION while it is up (its agent would only register again).
   */
  removeDown(nameOrId: string, nowMs: number): NodeEntry {
    const node = this.nodes.get(nameOrId) ?? this.byNodeName(nameOrId);
    if (!node) throw new NotFoundError('node', 'node', nameOrId);
    if (node.state !== 'down') {
      throw new FailedPreconditionError(
        `node ${node.name} is up (last heartbeat ${formatDuration(nowMs - node.lastHeartbeatMs)} ago): ` +
          'only a down node can be removed; stop its agent first',
      );
    }
    this.forget(node, 'removed by request');
    return node;
  }

  private forget(node: NodeEntry, reason: string): void {
    this.hooks.onForget?.(node, reason);
    this.remove(node.id);
  }

  remove(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    this.nodes.delete(id);
    if (this.byName.get(node.name) === id) this.byName.delete(node.name);
    this.engine.removeNode(id);
  }

  /**
   * Starts the liveness sweep. It runs when the earliest deadline passes, not on a period: a
   * heartbeat mostly moves a deadline later, so the timer at most fires early, finds no one overdue
   * and is set again (an answer that moves one earlier, an idle node made busy, sets it anew). An idle scheduler wakes for it about once per down-after, where a 250 ms
   * period woke it 4 times a second (~0.05 % of a core here); a node is marked down at its
   * deadline, not up to a period after it.
   */
  start(): void {
    this.started = true;
    this.armNext(Date.now());
  }

  /** Sets the sweep timer for `atMs` unless it is already set for earlier. */
  private armAt(atMs: number): void {
    if (!this.started || atMs >= this.sweepAtMs) return;
    this.timer?.cancel();
    this.sweepAtMs = atMs;
    this.timer = after(Math.max(1, atMs - Date.now() + 1), () => {
      this.timer = undefined;
      this.sweepAtMs = Infinity;
      const now = Date.now();
      // Late: this scheduler was held up (a long turn, a GC, a paused VM), and the heartbeats that
      // would have moved these deadlines may be queued behind this timer. A node gets one
      // heartbeat interval more before it is judged: doubt is not death.
      if (!this.sweepGraced && now - atMs > STALL_TIMER_LATE_MS) {
        this.sweepGraced = true;
        return this.armAt(now + this.options.heartbeatIntervalMs);
      }
      this.sweepGraced = false;
      this.sweep(now);
      this.armNext(now);
    });
  }

  /** The next moment the sweep has work: an up node's deadline, a down node's forgetting. */
  private armNext(nowMs: number): void {
    const forgetAfter = this.options.forgetDownAfterMs ?? 0;
    let next = nowMs + SWEEP_BACKSTOP_MS;
    for (const n of this.nodes.values()) {
      if (n.state === 'up') next = Math.min(next, n.deadlineMs);
      else if (forgetAfter > 0) next = Math.min(next, (n.downSinceMs ?? nowMs) + forgetAfter);
    }
    this.armAt(next);
  }

  sweep(nowMs: number): void {
    for (const node of this.nodes.values()) {
      if (node.state === 'up' && node.deadlineMs <= nowMs) {
        const silentFor = node.lastHeartbeatMs ? `${nowMs - node.lastHeartbeatMs} ms` : 'since the scheduler started';
        this.markDown(node.id, `no heartbeat for ${silentFor}`, false, nowMs);
      }
    }
    const forgetAfter = this.options.forgetDownAfterMs ?? 0;
    if (forgetAfter <= 0) return;
    for (const node of [...this.nodes.values()]) {
      if (node.state === 'down' && (node.downSinceMs ?? nowMs) + forgetAfter <= nowMs) {
        this.forget(node, `down for more than ${formatDuration(forgetAfter)}`);
      }
    }
  }

  close(): void {
    this.started = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.sweepAtMs = Infinity;
  }

  private put(entry: NodeEntry): void {
    this.nodes.set(entry.id, entry);
    this.byName.set(entry.name, entry.id);
    this.engine.upsertNode(toPlacementNode(entry));
    if (entry.state === 'up') this.armAt(entry.deadlineMs);
  }
}
