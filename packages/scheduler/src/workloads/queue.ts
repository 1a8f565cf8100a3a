// The pending queue: every workload waiting for placement, kept so that scheduling costs follow
// change, not queue length (Nomad's blocked evals, nomad/blocked_evals.go). Pure: no timers, no I/O.
//
// Workloads that place the same way (same driver, resources, constraints and pinned node: one
// `Shape`) wait in one group. Only a group's head is tried; when it cannot be placed the whole group
// is *blocked*: nothing in it is tried again until an event could change the answer, namely
// - room on a node (it registered or came back, with its capacity and labels; an allocation on it
//   ended) that this shape fits on: `unblock(fits)`,
// - the end of a node's avoidance (circuit breaker) seen when the group failed: its `retryAtMs`,
// - anything else the caller cannot judge: `unblockAll()`.
// Nothing else changes feasibility (measured use only ranks), so an idle scheduler with 20,000
// unplaceable workloads does no work. Workloads in backoff (not_before) wait in `delayed` first.
//
// A failed attempt races with events: a submission is tried, then persisted, and only then queued.
// `changes` counts events; block() with the count read before the attempt does not block when an
// event came in between (Nomad's missed-unblock check by index).
import { IndexedHeap } from './heap.js';

/** What decides where a workload may run: workloads of one shape are feasible on the same nodes. */
export interface Shape {
  driver: string;
  resources: { cpuMillis: number; memoryBytes: number; hostPorts?: number };
  constraints: Readonly<Record<string, string>>;
  nodeName?: string;
}

export interface Waiting {
  id: string;
  /** Lower goes first (PRIORITY_RANK), then older (createdAtMs), then id. */
  rank: number;
  createdAtMs: number;
  /** Not tried before this time (restart backoff, start retry); 0 = now. */
  notBeforeMs: number;
  shape: Shape;
}

interface Group {
  readonly key: string;
  readonly shape: Shape;
  readonly members: IndexedHeap<Waiting>;
  blocked: boolean;
  /** Why its last attempt failed (the members' reason while blocked). */
  reason: string;
  /** A blocked group is reopened at this time by itself (a node's avoidance ends); Infinity = never. */
  retryAtMs: number;
}

interface Entry {
  w: Waiting;
  /** Undefined while delayed. */
  group?: Group;
}

/** A key equal for equal shapes (constraint order does not matter). */
export function shapeKey(s: Shape): string {
  const constraints = Object.keys(s.constraints)
    .sort()
    .map((k) => [k, s.constraints[k]]);
  return JSON.stringify([
    s.driver,
    s.resources.cpuMillis,
    s.resources.memoryBytes,
    s.resources.hostPorts ?? 0,
    s.nodeName ?? null,
    constraints,
  ]);
}

const earlier = (a: Waiting, b: Waiting): boolean =>
  a.rank !== b.rank ? a.rank < b.rank : a.createdAtMs !== b.createdAtMs ? a.createdAtMs < b.createdAtMs : a.id < b.id;

export class PendingQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly delayed = new IndexedHeap<Waiting>((a, b) => a.notBeforeMs < b.notBeforeMs);
  private readonly groups = new Map<string, Group>();
  /** Groups to try, ordered by their heads: the head of the first is the next workload to try. */
  private readonly ready = new IndexedHeap<Group>((a, b) => earlier(a.members.peek()!, b.members.peek()!));
  private readonly blocked = new Set<Group>();
  private readonly retries = new IndexedHeap<Group>((a, b) => a.retryAtMs < b.retryAtMs);
  private changeCount = 0;

  /** Workloads waiting (delayed, ready or blocked). */
  get size(): number {
    return this.entries.size;
  }

  /** Events so far that may have changed a blocked answer (read before an attempt, see block()). */
  get changes(): number {
    return this.changeCount;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** How many wait in backoff, in groups to try, and in blocked groups (and how many groups those are). */
  stats(): { delayed: number; ready: number; blocked: number; blockedGroups: number } {
    let ready = 0;
    let blocked = 0;
    for (const g of this.ready.values()) ready += g.members.size;
    for (const g of this.blocked) blocked += g.members.size;
    return { delayed: this.delayed.size, ready, blocked, blockedGroups: this.blocked.size };
  }

  /**
   * Queues a workload (again, if it was queued). Returns the reason of the blocked group it joined:
   * it waits for the same thing, without an attempt of its own.
   */
  add(w: Waiting, nowMs: number): string | undefined {
    this.remove(w.id);
    if (w.notBeforeMs > nowMs) {
      this.entries.set(w.id, { w });
      this.delayed.push(w);
      return undefined;
    }
    return this.join({ w });
  }

  /** Takes a workload out (placed, stopped, ended). Returns false if it was not queued. */
  remove(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    const g = e.group;
    if (!g) {
      this.delayed.remove(e.w);
      return true;
    }
    g.members.remove(e.w);
    if (g.members.size === 0) this.dropGroup(g);
    else this.ready.update(g);
    return true;
  }

  /** The reason a workload of this shape would wait without being tried, if its group is blocked. */
  blockedReason(shape: Shape): string | undefined {
    const g = this.groups.get(shapeKey(shape));
    return g?.blocked ? g.reason : undefined;
  }

  /** The next workload to try: the first, by priority and age, of the groups not blocked. */
  peek(): Waiting | undefined {
    return this.ready.peek()?.members.peek();
  }

  /**
   * The attempt to place `id` failed with `reason`: its group is blocked until a change could help.
   * `changesBefore` is `changes` read before the attempt: if an event came in since, or `retryAtMs`
   * has passed, the group stays to be tried. Returns the ids now blocked (to show them the reason).
   */
  block(id: string, reason: string, retryAtMs: number, changesBefore: number, nowMs: number): readonly Waiting[] {
    const g = this.entries.get(id)?.group;
    if (!g || g.blocked || changesBefore !== this.changeCount || retryAtMs <= nowMs) return [];
    g.blocked = true;
    g.reason = reason;
    g.retryAtMs = retryAtMs;
    this.ready.remove(g);
    this.blocked.add(g);
    if (retryAtMs < Infinity) this.retries.push(g);
    return g.members.values();
  }

  /**
   * Something changed on some node: reopens each blocked group whose shape `fits` says may now be
   * placed. Returns how many groups were reopened.
   */
  unblock(fits: (shape: Shape) => boolean): number {
    this.changeCount++;
    let n = 0;
    for (const g of [...this.blocked]) {
      if (!fits(g.shape)) continue;
      this.reopen(g);
      n++;
    }
    return n;
  }

  /** A change the caller cannot judge: every blocked group is tried again. */
  unblockAll(): number {
    this.changeCount++;
    const all = [...this.blocked];
    for (const g of all) this.reopen(g);
    return all.length;
  }

  /**
   * Time passed: workloads whose not_before passed join their groups, blocked groups whose retry
   * time passed are reopened. Returns the workloads that joined a blocked group, with its reason.
   */
  promote(nowMs: number): Array<{ w: Waiting; reason: string }> {
    const joinedBlocked: Array<{ w: Waiting; reason: string }> = [];
    for (let w = this.delayed.peek(); w && w.notBeforeMs <= nowMs; w = this.delayed.peek()) {
      this.delayed.pop();
      const reason = this.join(this.entries.get(w.id)!);
      if (reason !== undefined) joinedBlocked.push({ w, reason });
    }
    const due = this.retries.peek();
    if (due && due.retryAtMs <= nowMs) {
      this.changeCount++;
      for (let g = this.retries.peek(); g && g.retryAtMs <= nowMs; g = this.retries.peek()) this.reopen(g);
    }
    return joinedBlocked;
  }

  /** When promote() next has something to do (a not_before or a retry time); Infinity = never. */
  nextDueMs(): number {
    return Math.min(this.delayed.peek()?.notBeforeMs ?? Infinity, this.retries.peek()?.retryAtMs ?? Infinity);
  }

  private join(e: Entry): string | undefined {
    const key = shapeKey(e.w.shape);
    let g = this.groups.get(key);
    if (!g) {
      g = {
        key,
        shape: e.w.shape,
        members: new IndexedHeap(earlier),
        blocked: false,
        reason: '',
        retryAtMs: Infinity,
      };
      this.groups.set(key, g);
    }
    e.group = g;
    this.entries.set(e.w.id, e);
    g.members.push(e.w);
    if (g.blocked) return g.reason;
    this.ready.push(g); // or re-ordered, if its head changed
    return undefined;
  }

  private reopen(g: Group): void {
    g.blocked = false;
    g.retryAtMs = Infinity;
    this.blocked.delete(g);
    this.retries.remove(g);
    this.ready.push(g);
  }

  private dropGroup(g: Group): void {
    this.groups.delete(g.key);
    this.ready.remove(g);
    this.blocked.delete(g);
    this.retries.remove(g);
  }
}
