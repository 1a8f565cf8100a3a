// The pipelines the scheduler holds: the records by id (and in id order for paged lists, and by
// idempotency key), the event sequence and its watchers, coalesced writes to the store, and the
// retention of ended pipelines. No decisions: the manager applies them here.
//
// Durability: a new pipeline is written before its submit is acknowledged (`add`); later changes
// are written coalesced per tick (`markDirty`), with the event sequence number, so sequence numbers
// keep increasing across restarts.
import { EndedRetention, MoError, NotFoundError, type Logger } from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { SortedIds } from '../listing/sorted-ids.js';
import { logPersistFailure, type Store, type StoreOp } from '../store/store.js';
import {
  MAX_PIPELINE_EVENTS,
  PIPELINE_TERMINAL,
  type PipelineEventRecord,
  type PipelineRecord,
  type PipelineStateName,
} from './record.js';

export interface PipelineEvent extends PipelineEventRecord {
  pipeline: PipelineRecord;
}

export interface PipelineWatcher {
  pipelineId?: string;
  push(event: PipelineEvent): void;
}

export interface PipelineListFilter {
  states?: ReadonlySet<PipelineStateName>;
  name?: string;
}

export interface PipelineBookOptions {
  store: Store;
  logger: Logger;
  now(): number;
  /** Ended pipelines kept (oldest dropped first). */
  maxRetainedEnded: number;
  /** An ended pipeline was dropped (its artifacts go too). */
  dropped(id: string): void;
}

const SEQ_META_ID = 'pipelines.seq';

export class PipelineBook {
  private readonly pipelines = new Map<string, PipelineRecord>();
  /** The pipelines' ids in order, for paged lists. */
  private readonly order = new SortedIds();
  private readonly byKey = new Map<string, string>();
  /** Ended pipelines, oldest end first, at most maxRetainedEnded kept. */
  private readonly ended: EndedRetention;
  private readonly watchers = new Set<PipelineWatcher>();
  private readonly dirty = new Set<string>();
  private flushQueued = false;
  private seq = 0;

  constructor(private readonly o: PipelineBookOptions) {
    this.ended = new EndedRetention(o.maxRetainedEnded);
  }

  /** Loads persisted pipelines and the event sequence; returns how many pipelines. */
  async load(): Promise<number> {
    const rows = await this.o.store.load('pipeline');
    for (const row of await this.o.store.load('meta')) {
      if (row.id === SEQ_META_ID) this.seq = Math.max(this.seq, Number(row.value) || 0);
    }
    for (const { value } of rows) {
      const p = value as PipelineRecord;
      this.index(p);
      for (const e of p.events) this.seq = Math.max(this.seq, e.seq);
    }
    const ended = [...this.pipelines.values()].filter((p) => PIPELINE_TERMINAL.has(p.state));
    ended.sort((a, b) => a.endedAtMs - b.endedAtMs);
    this.ended.seed(ended.map((p) => p.id));
    return rows.length;
  }

  /** Registers a new pipeline with its first event and writes it; on a failed write, forgets it. */
  async add(p: PipelineRecord): Promise<void> {
    this.index(p);
    this.event(p, '', 'pending', 'submitted');
    // Acknowledged once durable: written now, not with the next coalesced flush.
    this.dirty.delete(p.id);
    try {
      await this.o.store.commit([
        { kind: 'pipeline', id: p.id, value: p },
        { kind: 'meta', id: SEQ_META_ID, value: this.seq },
      ]);
    } catch (err) {
      this.pipelines.delete(p.id);
      this.order.delete(p.id);
      if (p.idempotencyKey) this.byKey.delete(p.idempotencyKey);
      throw new MoError(grpc.status.UNAVAILABLE, `could not persist the pipeline: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private index(p: PipelineRecord): void {
    this.pipelines.set(p.id, p);
    this.order.add(p.id);
    if (p.idempotencyKey) this.byKey.set(p.idempotencyKey, p.id);
  }

  // ---- queries ---------------------------------------------------------------------------------

  values(): IterableIterator<PipelineRecord> {
    return this.pipelines.values();
  }

  find(id: string): PipelineRecord | undefined {
    return this.pipelines.get(id);
  }

  get(id: string): PipelineRecord {
    const p = this.pipelines.get(id);
    if (!p) throw new NotFoundError('pipeline_id', 'pipeline', id);
    return p;
  }

  byIdempotencyKey(key: string): PipelineRecord | undefined {
    const id = key ? this.byKey.get(key) : undefined;
    return id ? this.get(id) : undefined;
  }

  pendingCount(): number {
    let n = 0;
    for (const p of this.pipelines.values()) if (p.state === 'pending') n++;
    return n;
  }

  /** Matching pipelines newest first (by id), strictly after the page cursor `beforeId`. Lazy. */
  *newestFirst(filter: PipelineListFilter, beforeId?: string): Generator<PipelineRecord> {
    for (const id of this.order.descending(beforeId)) {
      const p = this.pipelines.get(id);
      if (p && matchesPipeline(p, filter)) yield p;
    }
  }

  countMatching(filter: PipelineListFilter): number {
    if (!filter.states && !filter.name) return this.pipelines.size;
    let n = 0;
    for (const p of this.pipelines.values()) if (matchesPipeline(p, filter)) n++;
    return n;
  }

  counts(): Map<PipelineStateName, number> {
    const c = new Map<PipelineStateName, number>();
    for (const p of this.pipelines.values()) c.set(p.state, (c.get(p.state) ?? 0) + 1);
    return c;
  }

  /** Retained events after `afterSeq`, in sequence order (of one pipeline, or all). */
  eventsAfter(afterSeq: number, pipelineId?: string): PipelineEvent[] {
    const sources = pipelineId ? [this.get(pipelineId)] : [...this.pipelines.values()];
    const out: PipelineEvent[] = [];
    for (const p of sources) for (const e of p.events) if (e.seq > afterSeq) out.push({ ...e, pipeline: p });
    return out.sort((a, b) => a.seq - b.seq);
  }

  watch(w: PipelineWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  // ---- changes ---------------------------------------------------------------------------------

  /** Records an event (sequence number, timestamp), persists the pipeline and tells watchers. */
  event(p: PipelineRecord, stepId: string, state: string, reason: string): void {
    const e: PipelineEventRecord = { seq: ++this.seq, atMs: this.o.now(), stepId, state, reason };
    p.events.push(e);
    if (p.events.length > MAX_PIPELINE_EVENTS) p.events.splice(0, p.events.length - MAX_PIPELINE_EVENTS);
    this.markDirty(p);
    for (const w of this.watchers) if (!w.pipelineId || w.pipelineId === p.id) w.push({ ...e, pipeline: p });
  }

  /** Writes are coalesced per tick: a 100-step fan-out is one write of the pipeline, not 100. */
  markDirty(p: PipelineRecord): void {
    p.updatedAtMs = this.o.now();
    this.dirty.add(p.id);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.flushQueued = false;
    if (this.dirty.size === 0) return;
    const ops: StoreOp[] = [...this.dirty].map((id) => ({
      kind: 'pipeline',
      id,
      value: this.pipelines.get(id) ?? null,
    }));
    this.dirty.clear();
    ops.push({ kind: 'meta', id: SEQ_META_ID, value: this.seq });
    this.o.store.commit(ops).catch((err: unknown) => {
      logPersistFailure(this.o.logger, 'could not persist pipelines', {}, err);
    });
  }

  /** `p` ended: keep it, dropping the oldest ended pipelines past the retention bound. */
  retire(p: PipelineRecord): void {
    const stillEnded = (id: string) => {
      const old = this.pipelines.get(id);
      return old !== undefined && PIPELINE_TERMINAL.has(old.state);
    };
    for (const id of this.ended.ended(p.id, stillEnded)) {
      const old = this.pipelines.get(id)!;
      this.pipelines.delete(id);
      this.order.delete(id);
      this.o.dropped(id);
      if (old.idempotencyKey && this.byKey.get(old.idempotencyKey) === id) this.byKey.delete(old.idempotencyKey);
      this.dirty.add(id); // flushed as a delete
    }
  }
}

/** Whether a pipeline passes a list filter (shared with a follower's cache, ha/read-cache.ts). */
export function matchesPipeline(p: PipelineRecord, filter: PipelineListFilter): boolean {
  return (!filter.states || filter.states.has(p.state)) && (!filter.name || p.name === filter.name);
}
