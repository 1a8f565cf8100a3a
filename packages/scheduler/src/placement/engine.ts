// The placement engine: a node table plus the pipeline feasibility → rank → limit → select (see
// README.md). Pure and synchronous: the registry feeds it nodes, the scheduler core asks it for
// decisions and books reservations; no I/O, and all randomness comes from one seeded PRNG.
// Over ~450 lines: the node table and the feasibility → rank → select pipeline (with its per-class
// cache and the fits() check the queue uses) share one snapshot, the cache and the sample state per
// decision, so they stay together; the stages themselves live apart (feasibility.ts, rank.ts,
// spread.ts, bookings.ts).
import { explainFailure, zeroCounts } from './explain.js';
import {
  CHECK_ORDER,
  R_AVOIDED,
  R_CPU,
  R_DOWN,
  R_INELIGIBLE,
  R_MEMORY,
  R_NODE_NAME,
  R_PORTS,
  prepareRequest,
  type PreparedRequest,
} from './feasibility.js';
import { UnregisteredBookings } from './bookings.js';
import { NodeClasses } from './node-classes.js';
import { resolvePlacementEngineOptions, type ResolvedPlacementEngineOptions } from './options.js';
import { Prng } from './random.js';
import { fitScore, usedFraction } from './rank.js';
import { SpreadSample } from './spread.js';
import type {
  PlacementEngineOptions,
  PlacementNode,
  PlacementRequest,
  FitRequest,
  PlacementResult,
  RejectionReason,
  ResourceAmounts,
  Strategy,
} from './types.js';

// Everything the hot loop reads about a node sits in one 64-byte row of a Float64Array, so
// examining a node costs one cache line instead of a chase through node, labels, capacity and
// reservation objects: at 100k nodes those misses, not the arithmetic, set the cost.
const ROW = 8;
// A node's class and flags live in `flags` (below), the one place they are kept. Column 0 holds
// its allocation count: read only for a spread decision's scored sample, written by reserve() and
// release() on the line they touch anyway.
const C_ALLOCS = 0;
const C_AVOID_UNTIL = 1;
const C_CAP_CPU = 2;
const C_CAP_MEM = 3;
const C_RES_CPU = 4;
const C_RES_MEM = 5;
const C_MEASURED_CPU = 6; // millicores (utilisation × capacity)
const C_MEASURED_MEM = 7;
const F_DOWN = 1;
const F_INELIGIBLE = 2;
// The first checks of a node need only its class and flags, kept in a dense Uint32Array
// (4 bytes a node: 100k nodes fit in L2), so a node rejected by driver or labels, the common
// case, is decided without touching its row. Encoding: class id * 8 + F_DOWN | F_INELIGIBLE |
// F_AVOID_SET (its avoid-until is set; the row says whether it has passed).
const F_AVOID_SET = 4;
// Host ports sit beside the row, not in it: only requests that publish ports read them (and only
// their reservations write them), so the row stays one cache line. Two int32 columns a node.
const SIDE = 2;
const S_PORTS_CAP = 0;
const S_PORTS_RES = 1;

/**
 * Decides where a workload runs. Cost per decision does not grow with the number of nodes: the
 * limit stage stops after about log2(N) feasible candidates (2 for batch work), found by walking the
 * node table as a shuffled ring, each walk continuing where the last one stopped. Only a failed
 * decision walks every node, to explain itself.
 *
 * ```ts
 * const engine = new PlacementEngine({ seed: 42, defaultStrategy: 'spread' });
 * engine.upsertNode(node);
 * const result = engine.place(request);
 * if (result.ok) engine.reserve(result.nodeId, request.resources);
 * else console.log(result.reason); // "3 nodes: 2 lacked memory, 1 down"
 * ```
 */
export class PlacementEngine {
  /** The seed actually used (random when none was given): log it to replay a run. */
  readonly seed: number;
  private readonly options: ResolvedPlacementEngineOptions;
  private readonly rng: Prng;
  /** Slot i: nodes[i] and rows[i * ROW ...]; removal moves the last slot into the hole. */
  private readonly nodes: PlacementNode[] = [];
  /** nodes[i].id and .name again, so a decision's result and reserve() read a pointer from an array
   * walked just before, instead of a node object that at 100k nodes is a cache miss. */
  private readonly ids: string[] = [];
  private readonly names: string[] = [];
  private rows = new Float64Array(ROW * 1024);
  private flags = new Uint32Array(1024);
  private side = new Int32Array(SIDE * 1024);
  private readonly slotIndex = new Map<string, number>();
  /** Reservations booked on ids not registered (yet): a restarted scheduler re-books its running
   * workloads before their agents re-register. Registered nodes keep theirs in their row. */
  private readonly pending = new UnregisteredBookings();
  /** Node name → ids, for pinned requests (names should be unique, but nothing enforces it). */
  private readonly idsByName = new Map<string, Set<string>>();
  private readonly classes = new NodeClasses();
  private readonly counts = zeroCounts();

  // Scratch state of the decision in progress (place() is synchronous).
  private readonly rejected = new Float64Array(CHECK_ORDER.length);
  private best = -1;
  private bestScore = -Infinity;
  private scored = 0;
  private ties = 0;
  /** The earliest end of avoidance among the nodes rejected as avoided (Infinity: none). */
  private avoidEndsMs = Infinity;
  private readonly spreadSample = new SpreadSample();
  private readonly ahead = new Int32Array(64);
  /** Keeps the chunk's prefetching loads observable, so the JIT cannot drop them. */
  private touched = 0;
  /** The slot of the last successful decision: the caller's reserve() right after it skips the map. */
  private lastPlaced = -1;
  /** Where the next walk starts: just past where the last one stopped (see place()). */
  private cursor = -1;

  constructor(options?: PlacementEngineOptions) {
    this.options = resolvePlacementEngineOptions(options);
    this.seed = this.options.seed;
    this.rng = new Prng(this.seed);
  }

  get size(): number {
    return this.nodes.length;
  }

  /** Adds a node or replaces what is known about it; its reservations are kept. */
  upsertNode(node: PlacementNode): void {
    let slot = this.slotIndex.get(node.id);
    const classId = this.classes.acquire(node);
    if (slot !== undefined) {
      const old = this.nodes[slot]!;
      this.classes.release(this.flags[slot]! >>> 3);
      if (old.name !== node.name) {
        this.unindexName(old);
        this.indexName(node);
      }
      this.nodes[slot] = node;
      this.names[slot] = node.name;
    } else {
      slot = this.nodes.length;
      if ((slot + 1) * ROW > this.rows.length) {
        const rows = new Float64Array(this.rows.length * 2);
        rows.set(this.rows);
        this.rows = rows;
        const flags = new Uint32Array(this.flags.length * 2);
        flags.set(this.flags);
        this.flags = flags;
        const side = new Int32Array(this.side.length * 2);
        side.set(this.side);
        this.side = side;
      }
      const booked = this.pending.take(node.id);
      this.rows[slot * ROW + C_RES_CPU] = booked?.cpuMillis ?? 0;
      this.rows[slot * ROW + C_RES_MEM] = booked?.memoryBytes ?? 0;
      this.rows[slot * ROW + C_ALLOCS] = booked?.allocations ?? 0;
      this.side[slot * SIDE + S_PORTS_RES] = booked?.hostPorts ?? 0;
      this.nodes.push(node);
      this.ids.push(node.id);
      this.names.push(node.name);
      this.slotIndex.set(node.id, slot);
      this.indexName(node);
      // Keep the table a uniformly random permutation (one Fisher-Yates step per insert), so the
      // limit stage can walk it contiguously: any window is a random sample, read as adjacent rows
      // (the CPU streams them) instead of one cache miss per row on a large table.
      const j = this.rng.int(slot + 1);
      if (j !== slot) {
        this.swapSlots(j, slot);
        slot = j;
      }
    }
    const b = slot * ROW;
    const rows = this.rows;
    this.flags[slot] =
      classId * 8 +
      (node.up ? 0 : F_DOWN) +
      (node.eligible ? 0 : F_INELIGIBLE) +
      (node.avoidUntilMs > 0 ? F_AVOID_SET : 0);
    rows[b + C_AVOID_UNTIL] = node.avoidUntilMs;
    rows[b + C_CAP_CPU] = node.capacity.cpuMillis;
    rows[b + C_CAP_MEM] = node.capacity.memoryBytes;
    rows[b + C_MEASURED_CPU] = node.measured.cpuUtilization * node.capacity.cpuMillis;
    rows[b + C_MEASURED_MEM] = node.measured.memoryUsedBytes;
    this.side[slot * SIDE + S_PORTS_CAP] = node.capacity.hostPorts ?? 0;
  }

  /** Forgets a node and its reservations (the caller re-places its workloads). No-op if unknown. */
  removeNode(id: string): void {
    const slot = this.slotIndex.get(id);
    if (slot === undefined) return;
    const node = this.nodes[slot]!;
    this.classes.release(this.flags[slot]! >>> 3);
    const last = this.nodes.length - 1;
    if (slot !== last) {
      const moved = this.nodes[last]!;
      this.nodes[slot] = moved;
      this.ids[slot] = moved.id;
      this.names[slot] = moved.name;
      this.rows.copyWithin(slot * ROW, last * ROW, (last + 1) * ROW);
      this.side.copyWithin(slot * SIDE, last * SIDE, (last + 1) * SIDE);
      this.flags[slot] = this.flags[last]!;
      this.slotIndex.set(moved.id, slot);
    }
    this.nodes.pop();
    this.ids.pop();
    this.names.pop();
    this.slotIndex.delete(id);
    this.unindexName(node);
  }

  private swapSlots(a: number, b: number): void {
    const na = this.nodes[a]!;
    const nb = this.nodes[b]!;
    this.nodes[a] = nb;
    this.nodes[b] = na;
    this.ids[a] = nb.id;
    this.ids[b] = na.id;
    this.names[a] = nb.name;
    this.names[b] = na.name;
    this.slotIndex.set(nb.id, a);
    this.slotIndex.set(na.id, b);
    const rows = this.rows;
    for (let k = 0; k < ROW; k++) {
      const t = rows[a * ROW + k]!;
      rows[a * ROW + k] = rows[b * ROW + k]!;
      rows[b * ROW + k] = t;
    }
    const side = this.side;
    for (let k = 0; k < SIDE; k++) {
      const t = side[a * SIDE + k]!;
      side[a * SIDE + k] = side[b * SIDE + k]!;
      side[b * SIDE + k] = t;
    }
    const f = this.flags[a]!;
    this.flags[a] = this.flags[b]!;
    this.flags[b] = f;
    this.lastPlaced = -1;
  }

  /**
   * New measured use of a node (each heartbeat): only its two measured columns change, so this
   * skips what upsertNode redoes (class key, name index). No-op for an unknown node.
   */
  updateMeasured(id: string, measured: PlacementNode['measured']): void {
    const slot = this.slotIndex.get(id);
    if (slot === undefined) return;
    const node = this.nodes[slot]!;
    this.nodes[slot] = { ...node, measured };
    const b = slot * ROW;
    this.rows[b + C_MEASURED_CPU] = measured.cpuUtilization * node.capacity.cpuMillis;
    this.rows[b + C_MEASURED_MEM] = measured.memoryUsedBytes;
  }

  getNode(id: string): PlacementNode | undefined {
    const slot = this.slotIndex.get(id);
    return slot === undefined ? undefined : this.nodes[slot];
  }

  /**
   * Books one allocation's resources on a node (registered or not yet: see `pending`). Each call
   * is one allocation: spread counts them to deal out workloads that declare nothing.
   */
  reserve(nodeId: string, r: ResourceAmounts): void {
    const last = this.lastPlaced;
    const slot = last >= 0 && this.ids[last] === nodeId ? last : this.slotIndex.get(nodeId);
    if (slot !== undefined) {
      const b = slot * ROW;
      this.rows[b + C_RES_CPU] = this.rows[b + C_RES_CPU]! + r.cpuMillis;
      this.rows[b + C_RES_MEM] = this.rows[b + C_RES_MEM]! + r.memoryBytes;
      this.rows[b + C_ALLOCS] = this.rows[b + C_ALLOCS]! + 1;
      if (r.hostPorts) this.side[slot * SIDE + S_PORTS_RES] = this.side[slot * SIDE + S_PORTS_RES]! + r.hostPorts;
      return;
    }
    this.pending.add(nodeId, r.cpuMillis, r.memoryBytes, r.hostPorts ?? 0);
  }

  /** Returns one allocation's booked resources; never goes below zero (a double release is harmless). */
  release(nodeId: string, r: ResourceAmounts): void {
    const slot = this.slotIndex.get(nodeId);
    if (slot !== undefined) {
      const b = slot * ROW;
      this.rows[b + C_RES_CPU] = Math.max(0, this.rows[b + C_RES_CPU]! - r.cpuMillis);
      this.rows[b + C_RES_MEM] = Math.max(0, this.rows[b + C_RES_MEM]! - r.memoryBytes);
      this.rows[b + C_ALLOCS] = Math.max(0, this.rows[b + C_ALLOCS]! - 1);
      if (r.hostPorts) {
        const sb = slot * SIDE;
        this.side[sb + S_PORTS_RES] = Math.max(0, this.side[sb + S_PORTS_RES]! - r.hostPorts);
      }
      return;
    }
    this.pending.remove(nodeId, r.cpuMillis, r.memoryBytes, r.hostPorts ?? 0);
  }

  /** What is booked on a node: declared CPU, memory and host ports. */
  reservedOf(nodeId: string): Required<ResourceAmounts> {
    const slot = this.slotIndex.get(nodeId);
    if (slot !== undefined) {
      return {
        cpuMillis: this.rows[slot * ROW + C_RES_CPU]!,
        memoryBytes: this.rows[slot * ROW + C_RES_MEM]!,
        hostPorts: this.side[slot * SIDE + S_PORTS_RES]!,
      };
    }
    const booked = this.pending.get(nodeId);
    return booked
      ? { cpuMillis: booked.cpuMillis, memoryBytes: booked.memoryBytes, hostPorts: booked.hostPorts }
      : { cpuMillis: 0, memoryBytes: 0, hostPorts: 0 };
  }

  /** How many allocations are booked on a node (reserve() calls not yet released). */
  allocationsOf(nodeId: string): number {
    const slot = this.slotIndex.get(nodeId);
    if (slot !== undefined) return this.rows[slot * ROW + C_ALLOCS]!;
    return this.pending.get(nodeId)?.allocations ?? 0;
  }

  /**
   * Rejections counted since construction, by reason: a successful decision adds those it met on
   * the way to its sample, a failed one the first reason of every node (its explanation).
   */
  rejectionCounts(): Record<RejectionReason, number> {
    return { ...this.counts };
  }

  /** Picks a node for `req`. Does not reserve: the caller reserves right after a success. */
  place(req: PlacementRequest, nowMs: number = Date.now()): PlacementResult {
    const n = this.nodes.length;
    if (n === 0) return { ok: false, reason: 'no nodes registered', rejections: {}, examined: 0 };
    const prepared = prepareRequest(req);
    const strategy = req.strategy ?? this.options.defaultStrategy;
    this.classes.begin();
    this.rejected.fill(0);
    this.best = -1;
    this.bestScore = -Infinity;
    this.scored = 0;
    this.ties = 0;
    this.spreadSample.clear();
    this.avoidEndsMs = Infinity;
    let examined = 0;

    if (req.nodeName !== undefined) {
      // Pinned: go straight to the node(s) of that name; every other node is "not the requested node".
      const ids = this.idsByName.get(req.nodeName);
      if (!ids) {
        this.counts.node_name += n;
        return {
          ok: false,
          reason: `node "${req.nodeName}" is not registered`,
          rejections: { node_name: n },
          examined: 0,
        };
      }
      for (const id of ids) this.consider(this.slotIndex.get(id)!, prepared, strategy, nowMs);
      examined = ids.size;
      if (this.best < 0) this.rejected[R_NODE_NAME] = n - ids.size;
    } else {
      // Limit stage: stop at `limit` feasible candidates, walking the shuffled ring from the cursor
      // (where the previous walk stopped), so successive decisions stream through the table.
      const limit = req.batch ? 2 : Math.max(this.options.minSample, Math.ceil(Math.log2(n)));
      // The ring is walked in chunks: first load the rows of the next few slots (independent loads,
      // so the CPU overlaps their cache misses), then examine them in order. A chunk is sized to
      // what is still missing, so a successful walk reads few rows beyond the ones it examines.
      const flags = this.flags;
      const ahead = this.ahead;
      let slot = this.cursor >= 0 && this.cursor < n ? this.cursor : this.rng.int(n);
      walk: while (examined < n) {
        const chunk = Math.min(n - examined, ahead.length, Math.max(4, 2 * (limit - this.scored)));
        let touched = 0;
        for (let j = 0; j < chunk; j++) {
          ahead[j] = slot;
          touched += flags[slot]!;
          slot++;
          if (slot >= n) slot -= n;
        }
        this.touched = touched;
        for (let j = 0; j < chunk; j++) {
          this.consider(ahead[j]!, prepared, strategy, nowMs);
          examined++;
          if (this.scored >= limit) {
            slot = ahead[j]! + 1;
            break walk;
          }
        }
      }
      this.cursor = slot >= n ? 0 : slot;
    }
    if (strategy === 'spread' && this.spreadSample.length > 0) this.pickSpread(prepared);

    const rejections: Partial<Record<RejectionReason, number>> = {};
    for (let r = 0; r < CHECK_ORDER.length; r++) {
      const c = this.rejected[r]!;
      if (c === 0) continue;
      const reason = CHECK_ORDER[r]!;
      this.counts[reason] += c;
      rejections[reason] = c;
    }
    if (this.best >= 0) {
      this.lastPlaced = this.best;
      const best = this.best;
      return {
        ok: true,
        nodeId: this.ids[best]!,
        nodeName: this.names[best]!,
        score: this.bestScore,
        scored: this.scored,
        examined,
      };
    }
    const noNodeHasDriver = (rejections.driver ?? 0) > 0 && !this.classes.anyHasDriver(req.driver);
    return {
      ok: false,
      reason: explainFailure(n, rejections, req.driver, noNodeHasDriver),
      rejections,
      examined,
      ...(this.avoidEndsMs < Infinity ? { retryAtMs: this.avoidEndsMs } : {}),
    };
  }

  /**
   * Whether `req` is feasible on this one node now (its name, state, driver, labels and free
   * resources): what the node could take were it the only one. The pending queue asks it when
   * something changed on the node, to reopen only the blocked workloads that could now fit.
   */
  fits(nodeId: string, req: FitRequest, nowMs: number = Date.now()): boolean {
    const slot = this.slotIndex.get(nodeId);
    if (slot === undefined) return false;
    if (req.nodeName !== undefined && this.names[slot] !== req.nodeName) return false;
    this.classes.begin(); // class verdicts cached for another request must not answer this one
    return this.rejectionAt(slot, prepareRequest(req), nowMs) < 0;
  }

  /** A node's first failed feasibility check for `req` (a reason code), or -1 when it passes. */
  private rejectionAt(slot: number, req: PreparedRequest, nowMs: number): number {
    const rows = this.rows;
    const b = slot * ROW;
    const classFlags = this.flags[slot]!;
    const flags = classFlags & 7;
    if (flags & F_DOWN) return R_DOWN;
    if (flags & F_INELIGIBLE) return R_INELIGIBLE;
    if (flags & F_AVOID_SET && rows[b + C_AVOID_UNTIL]! > nowMs) return R_AVOIDED;
    const reason = this.classes.rejection((classFlags - flags) / 8, req);
    if (reason >= 0) return reason;
    if (rows[b + C_CAP_CPU]! - rows[b + C_RES_CPU]! < req.cpuMillis) return R_CPU;
    if (rows[b + C_CAP_MEM]! - rows[b + C_RES_MEM]! < req.memoryBytes) return R_MEMORY;
    if (req.hostPorts > 0) {
      const sb = slot * SIDE;
      if (this.side[sb + S_PORTS_CAP]! - this.side[sb + S_PORTS_RES]! < req.hostPorts) return R_PORTS;
    }
    return -1;
  }

  /** Feasibility, then rank, then keep the best so far (ties broken by the PRNG, reservoir-style). */
  private consider(slot: number, req: PreparedRequest, strategy: Strategy, nowMs: number): void {
    const reason = this.rejectionAt(slot, req, nowMs);
    if (reason >= 0) {
      this.rejected[reason] = this.rejected[reason]! + 1;
      // The decision may turn by itself once this node's avoidance ends (kept for a failure).
      if (reason === R_AVOIDED) this.avoidEndsMs = Math.min(this.avoidEndsMs, this.rows[slot * ROW + C_AVOID_UNTIL]!);
      return;
    }
    const rows = this.rows;
    const b = slot * ROW;
    const w = this.options.reservedWeight;
    const cpu = usedFraction(rows[b + C_RES_CPU]!, rows[b + C_MEASURED_CPU]!, req.cpuMillis, rows[b + C_CAP_CPU]!, w);
    const mem = usedFraction(rows[b + C_RES_MEM]!, rows[b + C_MEASURED_MEM]!, req.memoryBytes, rows[b + C_CAP_MEM]!, w);
    const score = fitScore(cpu, mem, strategy);
    this.scored++;
    if (strategy === 'spread') {
      this.spreadSample.add(slot, score); // chosen once the sample is complete: pickSpread()
      return;
    }
    if (score > this.bestScore) {
      this.best = slot;
      this.bestScore = score;
      this.ties = 1;
    } else if (score === this.bestScore && this.rng.int(++this.ties) === 0) {
      this.best = slot;
    }
  }

  /**
   * Spread's choice among the scored sample (spread.ts): ties in declared load go by allocation
   * count. What that needs is read here, once per candidate, off rows consider() just loaded.
   */
  private pickSpread(req: PreparedRequest): void {
    const sample = this.spreadSample;
    const rows = this.rows;
    for (let i = 0; i < sample.length; i++) {
      const b = sample.slotAt(i) * ROW;
      sample.describe(
        i,
        rows[b + C_RES_CPU]! + req.cpuMillis,
        rows[b + C_CAP_CPU]!,
        rows[b + C_RES_MEM]! + req.memoryBytes,
        rows[b + C_CAP_MEM]!,
        rows[b + C_ALLOCS]!,
      );
    }
    const chosen = sample.pick(this.rng);
    this.best = sample.slotAt(chosen);
    this.bestScore = sample.scoreAt(chosen);
  }

  private indexName(node: PlacementNode): void {
    let ids = this.idsByName.get(node.name);
    if (!ids) {
      ids = new Set();
      this.idsByName.set(node.name, ids);
    }
    ids.add(node.id);
  }

  private unindexName(node: PlacementNode): void {
    const ids = this.idsByName.get(node.name);
    if (!ids) return;
    ids.delete(node.id);
    if (ids.size === 0) this.idsByName.delete(node.name);
  }
}
