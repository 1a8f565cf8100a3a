// A follower's copy of what clients read (issue 18): the workload, node, pipeline and token records, kept
// from etcd by one watch per kind (a full list, then every put and delete; a relist when compaction
// cut the watch), indexed as the leader indexes them, so the same read rules (service/
// scheduler-reads.ts, pipeline-calls.ts) answer from it.
//
// How fresh: the leader acknowledges a write once etcd has committed it; the watch delivers it
// here a few ms later. What a follower cannot vouch for is a watch that went quiet because this
// process lost etcd, so it reads etcd's quorum (a linearizable read, `ping`) every second and
// serves only while the last one answered within `maxStaleMs` (Nomad's `stale` reads are bounded
// by the time since last contact the same way). `fresh()` says whether to answer or to send the
// caller to the leader.
import { NotFoundError, every, type Logger, type Timer, type TokenCheck } from '@mo/api';
import { checkToken, parseTokenRecord, type TokenRecord } from '../tokens/rules.js';
import type { ResourceAmounts } from '../placement/types.js';
import { SortedIds } from '../listing/sorted-ids.js';
import { matchesPipeline, type PipelineListFilter } from '../pipelines/book.js';
import type { PipelineRecord } from '../pipelines/record.js';
import type { NodeEntry, NodeRecord } from '../registry/nodes.js';
import type { StoreKind, StoreOp, StoredRecord } from '../store/store.js';
import type { WatchKindHandlers } from '../store/etcd/cluster.js';
import { demandOf } from '../workloads/demand.js';
import { GroupIndex } from '../workloads/groups.js';
import {
  countMatching,
  getWorkload,
  newestFirst,
  runningOn,
  type WorkloadIndex,
  type WorkloadReads,
} from '../workloads/reads.js';
import type { WorkloadFilter } from '../workloads/filter.js';
import type { NodeReads } from '../service/scheduler-reads.js';
import { PLACED_STATES, type WorkloadRecord, type WorkloadStateName } from '../workloads/record.js';

/** What the cache needs of etcd (EtcdCluster has it; unit tests feed it by hand). */
export interface CacheSource {
  watchKind(kind: StoreKind, handlers: WatchKindHandlers): () => void;
  ping(): Promise<void>;
}

export interface ReadCacheOptions {
  logger: Logger;
  /** Serve while etcd's quorum answered within this long (default 3 s). */
  maxStaleMs?: number;
  /** How often to read etcd's quorum (default 1 s). */
  pingEveryMs?: number;
  now?: () => number;
}

const KINDS = ['workload', 'node', 'pipeline', 'token'] as const;

export class ReadCache implements WorkloadIndex, WorkloadReads {
  readonly records = new Map<string, WorkloadRecord>();
  readonly order = new SortedIds();
  readonly groups = new GroupIndex();
  readonly counts = new Map<WorkloadStateName, number>();
  readonly onNode = new Map<string, Set<string>>();
  private readonly nodeById = new Map<string, NodeEntry>();
  private readonly pipelineById = new Map<string, PipelineRecord>();
  private readonly pipelineOrder = new SortedIds();
  private readonly tokenById = new Map<string, TokenRecord>();
  /** Kinds listed at least once: until all are, nothing is served. */
  private readonly listed = new Set<StoreKind>();
  private readonly cancels: Array<() => void> = [];
  private lastContactMs = -Infinity;
  private pinging = false;
  private timer: Timer | undefined;
  private readonly now: () => number;
  private readonly maxStaleMs: number;

  constructor(
    private readonly source: CacheSource,
    private readonly o: ReadCacheOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.maxStaleMs = o.maxStaleMs ?? 3000;
    const byId = this.nodeById;
    this.nodes = {
      list: () => [...byId.values()],
      get: (id) => byId.get(id),
      byNodeName: (name) => {
        for (const n of byId.values()) if (n.name === name) return n;
        return undefined;
      },
      get size() {
        return byId.size;
      },
    };
  }

  /** Starts the watches and the quorum reads. */
  start(): void {
    for (const kind of KINDS) {
      this.cancels.push(
        this.source.watchKind(kind, {
          onReset: (records) => this.reset(kind, records),
          onChange: (op) => this.change(op),
        }),
      );
    }
    const tick = () => void this.ping();
    tick();
    this.timer = every(this.o.pingEveryMs ?? 1000, tick);
  }

  close(): void {
    this.timer?.cancel();
    for (const cancel of this.cancels.splice(0)) cancel();
  }

  /** Whether to answer reads: every kind listed, and etcd's quorum heard within maxStaleMs. */
  fresh(): boolean {
    return this.listed.size === KINDS.length && this.now() - this.lastContactMs <= this.maxStaleMs;
  }

  /** Milliseconds since etcd's quorum last answered (Infinity: never). */
  lastContactAgeMs(): number {
    return this.now() - this.lastContactMs;
  }

  private async ping(): Promise<void> {
    if (this.pinging) return;
    this.pinging = true;
    const sentAt = this.now();
    try {
      await this.source.ping();
      // Counted from the send: the answer says etcd was current no later than that.
      this.lastContactMs = Math.max(this.lastContactMs, sentAt);
    } catch (err) {
      this.o.logger.debug('read cache: etcd did not answer', { err: err as Error });
    } finally {
      this.pinging = false;
    }
  }

  // ---- feeding ---------------------------------------------------------------------------------

  /** A full list of one kind (the first, or after compaction cut the watch). */
  reset(kind: StoreKind, records: readonly StoredRecord[]): void {
    if (kind === 'workload') {
      this.records.clear();
      this.order.clear();
      this.groups.clear();
      this.counts.clear();
      this.onNode.clear();
    } else if (kind === 'node') {
      this.nodeById.clear();
    } else if (kind === 'pipeline') {
      this.pipelineById.clear();
      this.pipelineOrder.clear();
    } else if (kind === 'token') {
      this.tokenById.clear();
    }
    for (const { id, value } of records) this.change({ kind, id, value });
    this.listed.add(kind);
  }

  /** One put (value) or delete (null). */
  change(op: StoreOp): void {
    if (op.kind === 'workload') {
      const old = this.records.get(op.id);
      if (old) this.dropWorkload(old, op.value === null);
      if (op.value !== null) this.addWorkload(op.value as WorkloadRecord);
    } else if (op.kind === 'node') {
      if (op.value === null) this.nodeById.delete(op.id);
      else this.nodeById.set(op.id, nodeEntryOf(op.value as NodeRecord));
    } else if (op.kind === 'pipeline') {
      if (op.value === null) {
        this.pipelineById.delete(op.id);
        this.pipelineOrder.delete(op.id);
      } else {
        this.pipelineById.set(op.id, op.value as PipelineRecord);
        this.pipelineOrder.add(op.id);
      }
    } else if (op.kind === 'token') {
      const t = op.value === null ? undefined : parseTokenRecord(op.id, op.value);
      if (t) this.tokenById.set(op.id, t);
      else this.tokenById.delete(op.id);
    }
  }

  /** A bearer token checked against the stored token records, by the leader's rules (tokens/rules.ts). */
  checkToken(text: string): TokenCheck {
    return checkToken((id) => this.tokenById.get(id), text, this.now());
  }

  private addWorkload(r: WorkloadRecord): void {
    // A record's id and group never change: only a new one enters the ordered indexes.
    if (!this.records.has(r.id)) {
      this.order.add(r.id);
      this.groups.add(r);
    }
    this.records.set(r.id, r);
    this.counts.set(r.state, (this.counts.get(r.state) ?? 0) + 1);
    if (PLACED_STATES.has(r.state) && r.nodeId) {
      let set = this.onNode.get(r.nodeId);
      if (!set) this.onNode.set(r.nodeId, (set = new Set()));
      set.add(r.id);
    }
  }

  /** Takes r out of the counts and the node index; `gone` (deleted) out of every index. */
  private dropWorkload(r: WorkloadRecord, gone: boolean): void {
    this.counts.set(r.state, (this.counts.get(r.state) ?? 1) - 1);
    const set = this.onNode.get(r.nodeId);
    if (set?.delete(r.id) && set.size === 0) this.onNode.delete(r.nodeId);
    if (!gone) return;
    this.records.delete(r.id);
    this.order.delete(r.id);
    this.groups.delete(r);
  }

  // ---- workloads (WorkloadReads) ---------------------------------------------------------------

  get(id: string): WorkloadRecord {
    return getWorkload(this, id);
  }

  newestFirst(filter: WorkloadFilter, beforeId?: string): Generator<WorkloadRecord> {
    return newestFirst(this, filter, beforeId);
  }

  countMatching(filter: WorkloadFilter): number {
    return countMatching(this, filter);
  }

  stateCounts(): ReadonlyMap<WorkloadStateName, number> {
    return this.counts;
  }

  /** Pending workloads (the leader's queue holds exactly those). */
  queueDepth(): number {
    return this.counts.get('pending') ?? 0;
  }

  runningOn(nodeId: string): number {
    return runningOn(this, nodeId);
  }

  // ---- nodes (NodeReads) and what placement holds on them -------------------------------------

  /** The node table's read side (NodeReads), from the stored records. */
  readonly nodes: NodeReads;

  /** What the workloads placed on a node hold there (the leader's engine keeps the same sums). */
  reservedOf(nodeId: string): Required<ResourceAmounts> {
    const sum = { cpuMillis: 0, memoryBytes: 0, hostPorts: 0 };
    for (const id of this.onNode.get(nodeId) ?? []) {
      const r = this.records.get(id);
      if (!r) continue;
      const d = demandOf(r.spec);
      sum.cpuMillis += d.cpuMillis;
      sum.memoryBytes += d.memoryBytes;
      sum.hostPorts += d.hostPorts ?? 0;
    }
    return sum;
  }

  // ---- pipelines (PipelineReadsSource) ---------------------------------------------------------

  readonly pipelines = {
    get: (id: string): PipelineRecord => {
      const p = this.pipelineById.get(id);
      if (!p) throw new NotFoundError('pipeline_id', 'pipeline', id);
      return p;
    },
    newestFirst: (filter: PipelineListFilter, beforeId?: string): Generator<PipelineRecord> =>
      this.pipelinesNewestFirst(filter, beforeId),
    countMatching: (filter: PipelineListFilter): number => {
      if (!filter.states && !filter.name) return this.pipelineById.size;
      let n = 0;
      for (const p of this.pipelineById.values()) if (matchesPipeline(p, filter)) n++;
      return n;
    },
  };

  private *pipelinesNewestFirst(filter: PipelineListFilter, beforeId?: string): Generator<PipelineRecord> {
    for (const id of this.pipelineOrder.descending(beforeId)) {
      const p = this.pipelineById.get(id);
      if (p && matchesPipeline(p, filter)) yield p;
    }
  }
}

/** A stored node as the read calls take it: what only the leader's memory holds is zero. */
function nodeEntryOf(r: NodeRecord): NodeEntry {
  return {
    ...r,
    metrics: null,
    lastHeartbeatMs: 0,
    deadlineMs: 0,
    startFailures: 0,
    avoidUntilMs: 0,
    streaming: false,
  };
}
