// The placement engine: a node table plus the pipeline feasibility → rank → limit → select (see
// README.md). Pure and synchronous: the registry feeds it nodes, the scheduler core asks it for
// decisions and books reservations; no I/O, and all randomness comes from one seeded PRNG.
import { explainFailure, zeroCounts } from './explain.js';
import { firstRejection, prepareRequest, type PreparedRequest } from './feasibility.js';
import { Prng, coprimeStride, randomSeed } from './random.js';
import { fitScore } from './rank.js';
import type {
  PlacementEngineOptions,
  PlacementNode,
  PlacementRequest,
  PlacementResult,
  RejectionReason,
  ResourceAmounts,
  Strategy,
} from './types.js';

/** One node and its booked reservations (the same object as in `reservations`). */
interface Slot {
  node: PlacementNode;
  reserved: ResourceAmounts;
}

/** The options with defaults filled in. */
export type ResolvedPlacementEngineOptions = Required<PlacementEngineOptions>;

/** Fills defaults and rejects nonsense with a RangeError naming the option. */
export function resolvePlacementEngineOptions(options: PlacementEngineOptions = {}): ResolvedPlacementEngineOptions {
  const resolved = {
    seed: options.seed ?? randomSeed(),
    defaultStrategy: options.defaultStrategy ?? 'binpack',
    reservedWeight: options.reservedWeight ?? 0.7,
    minSample: options.minSample ?? 3,
  } satisfies ResolvedPlacementEngineOptions;
  if (!Number.isInteger(resolved.seed)) throw new RangeError(`seed must be an integer, got ${resolved.seed}`);
  if (resolved.defaultStrategy !== 'binpack' && resolved.defaultStrategy !== 'spread') {
    throw new RangeError(`defaultStrategy must be "binpack" or "spread", got ${String(resolved.defaultStrategy)}`);
  }
  if (!(resolved.reservedWeight >= 0 && resolved.reservedWeight <= 1)) {
    throw new RangeError(`reservedWeight must be within 0..1, got ${resolved.reservedWeight}`);
  }
  if (!Number.isInteger(resolved.minSample) || resolved.minSample < 1) {
    throw new RangeError(`minSample must be a positive integer, got ${resolved.minSample}`);
  }
  return resolved;
}

interface Choice {
  slot: Slot | undefined;
  score: number;
  scored: number;
  ties: number;
}

/**
 * Decides where a workload runs. Cost per decision does not grow with the number of nodes: the
 * limit stage stops after about log2(N) feasible candidates (2 for batch work), found by walking the
 * node array as a shuffled ring. Only a failed decision walks every node, to explain itself.
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
  /** Dense array of nodes, walked as a ring; removal swaps the last slot into the hole. */
  private readonly slots: Slot[] = [];
  private readonly slotIndex = new Map<string, number>();
  /** Node id → reservations. May hold ids not (yet) registered: a restarted scheduler re-books its
   * running workloads before their agents re-register. */
  private readonly reservations = new Map<string, ResourceAmounts>();
  /** Node name → ids, for pinned requests (names should be unique, but nothing enforces it). */
  private readonly idsByName = new Map<string, Set<string>>();
  private readonly counts = zeroCounts();

  constructor(options?: PlacementEngineOptions) {
    this.options = resolvePlacementEngineOptions(options);
    this.seed = this.options.seed;
    this.rng = new Prng(this.seed);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Adds a node or replaces what is known about it; its reservations are kept. */
  upsertNode(node: PlacementNode): void {
    const index = this.slotIndex.get(node.id);
    if (index !== undefined) {
      const slot = this.slots[index]!;
      if (slot.node.name !== node.name) {
        this.unindexName(slot.node);
        this.indexName(node);
      }
      slot.node = node;
      return;
    }
    let reserved = this.reservations.get(node.id);
    if (!reserved) {
      reserved = { cpuMillis: 0, memoryBytes: 0 };
      this.reservations.set(node.id, reserved);
    }
    this.slotIndex.set(node.id, this.slots.length);
    this.slots.push({ node, reserved });
    this.indexName(node);
  }

  /** Forgets a node and its reservations (the caller re-places its workloads). No-op if unknown. */
  removeNode(id: string): void {
    const index = this.slotIndex.get(id);
    if (index === undefined) return;
    const slot = this.slots[index]!;
    const last = this.slots.pop()!;
    if (last !== slot) {
      this.slots[index] = last;
      this.slotIndex.set(last.node.id, index);
    }
    this.slotIndex.delete(id);
    this.reservations.delete(id);
    this.unindexName(slot.node);
  }

  getNode(id: string): PlacementNode | undefined {
    const index = this.slotIndex.get(id);
    return index === undefined ? undefined : this.slots[index]!.node;
  }

  /** Books resources on a node (registered or not yet: see `reservations`). */
  reserve(nodeId: string, r: ResourceAmounts): void {
    let reserved = this.reservations.get(nodeId);
    if (!reserved) {
      reserved = { cpuMillis: 0, memoryBytes: 0 };
      this.reservations.set(nodeId, reserved);
    }
    reserved.cpuMillis += r.cpuMillis;
    reserved.memoryBytes += r.memoryBytes;
  }

  /** Returns booked resources; never goes below zero (a double release is harmless). */
  release(nodeId: string, r: ResourceAmounts): void {
    const reserved = this.reservations.get(nodeId);
    if (!reserved) return;
    reserved.cpuMillis = Math.max(0, reserved.cpuMillis - r.cpuMillis);
    reserved.memoryBytes = Math.max(0, reserved.memoryBytes - r.memoryBytes);
    const unregistered = !this.slotIndex.has(nodeId);
    if (unregistered && reserved.cpuMillis === 0 && reserved.memoryBytes === 0) this.reservations.delete(nodeId);
  }

  reservedOf(nodeId: string): ResourceAmounts {
    const reserved = this.reservations.get(nodeId);
    return reserved ? { ...reserved } : { cpuMillis: 0, memoryBytes: 0 };
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
    const n = this.slots.length;
    if (n === 0) return { ok: false, reason: 'no nodes registered', rejections: {}, examined: 0 };
    const prepared = prepareRequest(req);
    const strategy = req.strategy ?? this.options.defaultStrategy;
    const rejections = zeroCounts();
    const choice: Choice = { slot: undefined, score: -Infinity, scored: 0, ties: 0 };
    let examined = 0;

    if (prepared.nodeName !== undefined) {
      // Pinned: go straight to the node(s) of that name; every other node is "not the requested node".
      const ids = this.idsByName.get(prepared.nodeName);
      if (!ids) {
        rejections.node_name = n;
        this.count(rejections);
        return {
          ok: false,
          reason: `node "${prepared.nodeName}" is not registered`,
          rejections: { node_name: n },
          examined: 0,
        };
      }
      for (const id of ids) {
        this.consider(this.slots[this.slotIndex.get(id)!]!, prepared, strategy, nowMs, rejections, choice);
        examined++;
      }
      if (!choice.slot) rejections.node_name += n - ids.size;
    } else {
      // Limit stage: stop at `limit` feasible candidates, walking a ring shuffled by start and stride.
      const limit = req.batch ? 2 : Math.max(this.options.minSample, Math.ceil(Math.log2(n)));
      const stride = coprimeStride(n, this.rng);
      let index = this.rng.int(n);
      while (examined < n) {
        this.consider(this.slots[index]!, prepared, strategy, nowMs, rejections, choice);
        examined++;
        if (choice.scored >= limit) break;
        index += stride;
        if (index >= n) index -= n;
      }
    }

    this.count(rejections);
    if (choice.slot) {
      const { node } = choice.slot;
      return { ok: true, nodeId: node.id, nodeName: node.name, score: choice.score, scored: choice.scored, examined };
    }
    const noNodeHasDriver = rejections.driver > 0 && !this.slots.some((s) => s.node.drivers.includes(req.driver));
    const counted: Partial<Record<RejectionReason, number>> = {};
    for (const [reason, c] of Object.entries(rejections) as [RejectionReason, number][]) if (c > 0) counted[reason] = c;
    return {
      ok: false,
      reason: explainFailure(n, counted, req.driver, noNodeHasDriver),
      rejections: counted,
      examined,
    };
  }

  /** Feasibility, then rank, then keep the best so far (ties broken by the PRNG, reservoir-style). */
  private consider(
    slot: Slot,
    req: PreparedRequest,
    strategy: Strategy,
    nowMs: number,
    rejections: Record<RejectionReason, number>,
    choice: Choice,
  ): void {
    const reason = firstRejection(slot.node, slot.reserved, req, nowMs);
    if (reason !== undefined) {
      rejections[reason]++;
      return;
    }
    const score = fitScore(slot.node, slot.reserved, req.resources, strategy, this.options.reservedWeight);
    choice.scored++;
    if (score > choice.score) {
      choice.slot = slot;
      choice.score = score;
      choice.ties = 1;
    } else if (score === choice.score) {
      choice.ties++;
      if (this.rng.int(choice.ties) === 0) choice.slot = slot;
    }
  }

  private count(rejections: Record<RejectionReason, number>): void {
    for (const reason of Object.keys(rejections) as RejectionReason[]) this.counts[reason] += rejections[reason];
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
