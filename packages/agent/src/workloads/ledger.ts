// The WorkloadLedger: every workload this agent knows, in memory, and each change of its state. A
// transition is appended to the record's events, saved (or left for later: see transition), and
// told to listeners (metrics, log retention, the scheduler's heartbeat stream); ended workloads are
// kept up to a limit for status and logs. It knows nothing of drivers or hooks: the WorkloadRunner
// decides the transitions, and this keeps them.
import * as grpc from '@grpc/grpc-js';
import { EndedRetention, MoError, NotFoundError, type Logger } from '@mo/api';
import type { WorkloadRecords } from '../state/workload-store.js';
import { MAX_EVENTS, TERMINAL_STATES, type WorkloadRecord, type WorkloadStateName } from './record.js';
import { validateWorkloadId } from './validate.js';

export interface TransitionEvent {
  record: WorkloadRecord;
  from: WorkloadStateName | undefined;
  /**
   * Made while the StartWorkload call that brought it is still to be answered (`arrive`), so the
   * answer tells the scheduler this state (`starting`, then `running` once launched) anyway. Only
   * for a start that names its id, as the scheduler's do.
   */
  inStartAnswer?: boolean;
}

/**
 * How a transition is saved: `now` queues the write at once; `later` once starts pause (the
 * default for an end: a restarted agent rebuilds it from the driver's exit record, and what the
 * agent alone knows, a stop request or a timeout, was saved when it happened); `no` for a state
 * rebuilt from the driver's own records.
 */
export type Persist = 'now' | 'later' | 'no';

export interface WorkloadLedgerOptions {
  store: Pick<WorkloadRecords, 'save' | 'saveLater' | 'remove'>;
  logger: Pick<Logger, 'info'>;
  /** Ended workloads kept for status and logs; the oldest beyond this are deleted. */
  maxRetainedEnded: number;
}

export class WorkloadLedger {
  private readonly records = new Map<string, WorkloadRecord>();
  private readonly ended = new Map<string, Promise<void>>();
  private readonly endedResolvers = new Map<string, () => void>();
  private readonly listeners: Array<(e: TransitionEvent) => void> = [];
  /** Ended workloads, oldest first, at most maxRetainedEnded kept. */
  private readonly retention: EndedRetention;
  /** Ended ones loaded at start-up, until collectGarbage orders them into `retention`. */
  private loadedEnded: WorkloadRecord[] = [];
  /**
   * Ids of starts received and not yet answered. Not yet recorded (waiting for their turn,
   * validating), one asked about is "ask again", never NOT_FOUND, which the scheduler would take for
   * a start that never landed and place elsewhere while this one goes on. Recorded, their changes
   * are `inStartAnswer`.
   */
  private readonly arriving = new Set<string>();

  constructor(private readonly options: WorkloadLedgerOptions) {
    this.retention = new EndedRetention(options.maxRetainedEnded);
  }

  onTransition(listener: (e: TransitionEvent) => void): void {
    this.listeners.push(listener);
  }

  /** A new workload (`starting`), told to listeners; its first record is the runner's to save. */
  add(record: WorkloadRecord): void {
    this.records.set(record.spec.id, record);
    this.trackEnd(record);
    this.emit(record, undefined);
  }

  /** A record found on disk when the agent starts, as it was saved. */
  load(record: WorkloadRecord): void {
    this.records.set(record.spec.id, record);
    this.trackEnd(record);
    if (TERMINAL_STATES.has(record.state)) {
      this.loadedEnded.push(record);
      this.resolveEnded(record.spec.id);
    }
  }

  has(workloadId: string): boolean {
    return this.records.has(workloadId);
  }

  /** The record of a (valid) workload id, or undefined. */
  find(workloadId: string): WorkloadRecord | undefined {
    return this.records.get(workloadId);
  }

  /** The record of a workload id from a caller: the id is validated, and an unknown one is NOT_FOUND. */
  get(workloadId: string): WorkloadRecord {
    validateWorkloadId('workload_id', workloadId);
    const record = this.records.get(workloadId);
    if (record) return record;
    if (this.arriving.has(workloadId)) {
      throw new MoError(
        grpc.status.UNAVAILABLE,
        `workload_id: the start of "${workloadId}" is on its way in; ask again`,
      );
    }
    throw new NotFoundError('workload_id', 'workload', workloadId);
  }

  /** Runs `start` with `id` noted as arriving until it settles (see `arriving`). */
  async arrive<T>(id: string | undefined, start: () => Promise<T>): Promise<T> {
    if (!id || this.arriving.has(id) || this.records.has(id)) return start();
    this.arriving.add(id);
    try {
      return await start();
    } finally {
      this.arriving.delete(id);
    }
  }

  list(): WorkloadRecord[] {
    return [...this.records.values()];
  }

  counts(): Record<WorkloadStateName, number> {
    const counts: Record<WorkloadStateName, number> = {
      starting: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      stopped: 0,
      lost: 0,
    };
    for (const r of this.records.values()) counts[r.state]++;
    return counts;
  }

  /** Resolves once the workload is in a terminal state. */
  whenEnded(workloadId: string): Promise<void> {
    return this.ended.get(workloadId) ?? Promise.resolve();
  }

  /** Notes that an ended workload's logs were removed (log retention): `mo logs` says so. */
  noteLogsRemoved(workloadId: string, atMs: number): void {
    const record = this.records.get(workloadId);
    if (!record || !TERMINAL_STATES.has(record.state)) return;
    record.logsRemovedAtMs = atMs;
    this.options.store.saveLater(record);
  }

  transition(
    record: WorkloadRecord,
    state: WorkloadStateName,
    reason: string,
    persist: Persist = TERMINAL_STATES.has(state) ? 'later' : 'now',
  ): void {
    const from = record.state;
    record.state = state;
    record.reason = reason;
    record.events.push({ state, reason, atMs: Date.now() });
    if (record.events.length > MAX_EVENTS) record.events.splice(0, record.events.length - MAX_EVENTS);
    // Not awaited: ordered per workload by the store; the shim's files are the source of truth
    // for anything a crash could lose here (started pid, exit status).
    if (persist === 'now') void this.options.store.save(record).catch(() => undefined);
    else if (persist === 'later') this.options.store.saveLater(record);
    if (TERMINAL_STATES.has(state) && !TERMINAL_STATES.has(from)) {
      this.resolveEnded(record.spec.id);
      this.options.logger.info('workload ended', { id: record.spec.id, state, reason });
      this.drop(this.retention.ended(record.spec.id, this.stillEnded));
    }
    this.emit(record, from);
  }

  /**
   * After loading: deletes the oldest ended workloads (record, logs, dir) beyond the retention
   * limit, oldest created first (their end times are not all known after a restart). From then on
   * each workload that ends makes room by itself (transition).
   */
  collectGarbage(): void {
    const loaded = this.loadedEnded.sort((a, b) => a.createdAtMs - b.createdAtMs).map((r) => r.spec.id);
    this.loadedEnded = [];
    this.retention.seed(loaded);
    this.drop(this.retention.trim(this.stillEnded));
  }

  private readonly stillEnded = (id: string): boolean => {
    const r = this.records.get(id);
    return r !== undefined && TERMINAL_STATES.has(r.state);
  };

  private drop(ids: readonly string[]): void {
    for (const id of ids) {
      this.records.delete(id);
      this.ended.delete(id);
      void this.options.store.remove(id).catch(() => undefined);
    }
  }

  private emit(record: WorkloadRecord, from: WorkloadStateName | undefined): void {
    const e = this.arriving.has(record.spec.id) ? { record, from, inStartAnswer: true } : { record, from };
    for (const l of this.listeners) l(e);
  }

  private trackEnd(record: WorkloadRecord): void {
    this.ended.set(record.spec.id, new Promise<void>((resolve) => this.endedResolvers.set(record.spec.id, resolve)));
  }

  private resolveEnded(id: string): void {
    this.endedResolvers.get(id)?.();
    this.endedResolvers.delete(id);
  }
}
