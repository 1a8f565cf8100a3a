// Persists workload records, one directory per workload under <dataDir>/workloads/<id>/. Each
// record is written atomically (temp file + rename), so a SIGKILLed agent always finds either the
// old or the new record, never a torn one. Writes are asynchronous and chained per workload, so
// they keep their order without blocking the event loop on a slow disk; the one exception is the
// first record (create), written synchronously on the start path. No fsync: the invariant is
// surviving an agent crash; after a host crash the boot id changes and every workload is gone.
// The record format, the per-workload write chain and the full-disk handling guard that one
// invariant (never a torn or lost record), so they stay in this file.
//
// A full disk: a create that cannot be written fails with UNAVAILABLE (this node cannot take
// workloads now: the scheduler counts it against the node and places elsewhere, unlike a workload's
// own RESOURCE_EXHAUSTED such as a full port range) and leaves nothing behind (the spare goes back
// to the pool). A later save that fails keeps the record in memory
// (the agent's truth) and is retried with backoff until it is written; what a crash meanwhile
// would lose, the shim's own records hold (its exit status is written into space reserved ahead).
//
// Spare directories (spare-dirs.ts): create() renames a directory made ahead into place, so the
// start path allocates no inode; with the pool empty it creates directly.
//
// Who owns what (workloads run as their own users, not as the agent): a workload's directory
// (mode 0711) and everything the agent and its shim write there (records, logs; records and logs
// 0600: a spec's env may hold secrets) stay the agent's, so a workload can neither forge its exit
// record nor point a log at another file. The workload gets exactly two things, handed over before
// it starts (handOver): `work/` (0700), its default working dir and home, and `output` (0600), its
// $MO_OUTPUT. Both come with the spares. `workloads/` itself is 0711: others may pass, not list.
import { chmodSync, lchownSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MoError, after, newStringMap, type Timer } from '@mo/api';
import { chownTree } from '../users/ownership.js';
import * as grpc from '@grpc/grpc-js';
import type { WorkloadRecord } from '../workloads/record.js';
import type { LoopBudget } from '../loop-budget.js';
import { DiskPace } from './disk-pace.js';
import { writeRecord, writeRecordSync } from './record-file.js';
import { DEFAULT_SPARE_DIRS, SpareDirs } from './spare-dirs.js';
import {
  OUTPUT_FILE,
  PRIVATE_FILE_MODE,
  RECORD,
  RECORD_TMP,
  TASK_DIR_MODE,
  WORK_DIR,
  WORK_DIR_MODE,
} from './task-layout.js';

/**
 * Background disk work (remaking spares, saveLater writes) waits until starts pause for this long:
 * each file operation is a thread-pool round trip, and on a small VM their wake-ups (a futex per
 * submission, an eventfd per completion) landing in the middle of the next start cost it more than
 * the work saves. Below a quarter of the pool, spares are remade at once so a long burst does not
 * run dry; past LATER_MAX pending records, they are written at once.
 */
const IDLE_MS = 20;
/** Records longer than this (characters of JSON) are created through the thread pool, not synchronously. */
const SYNC_RECORD_MAX_CHARS = 64 * 1024;
const LATER_MAX = 32;
/** Retries of records whose write failed (a full disk): first after this, doubling to the max. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/** Where workload records live. WorkloadStore (disk) for agents; MemoryWorkloadStore for simulations. */
export interface WorkloadRecords {
  /** The directory of one workload (records, logs, shim files; its `work` dir and `output`). */
  dirOf(id: string): string;
  /**
   * Gives the workload's own files to its user before it starts: its `work` dir (with whatever is
   * in it when `filled`: inputs fetched there), and its `output` file. Never follows a symlink.
   */
  handOver(id: string, owner: { uid: number; gid: number }, filled: boolean): void;
  /** The first record of a workload; resolves once it would survive an agent crash. */
  create(record: WorkloadRecord): Promise<void>;
  /** Queues a write of the record as it is now; writes of one workload keep their order. */
  save(record: WorkloadRecord): Promise<void>;
  /**
   * Writes the record once starts pause (or many are waiting), as it is then: for states a
   * restarted agent can rebuild from the driver's own files, so losing the write in a crash loses
   * nothing. A later save() or remove() of the same workload supersedes it; flush() writes it.
   */
  saveLater(record: WorkloadRecord): void;
  loadAll(onError: (id: string, err: unknown) => void): WorkloadRecord[];
  remove(id: string): Promise<void>;
  flush(): Promise<void>;
}

export class WorkloadStore implements WorkloadRecords {
  readonly root: string;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly spares: SpareDirs;
  private lastCreateMs = 0;
  private idleTimer: Timer | undefined;
  /** saveLater() records not written yet, by id. */
  private readonly later = new Map<string, WorkloadRecord>();
  /** Records whose last write failed, by id: written again, as they are then, by the retry timer. */
  private readonly unsaved = new Map<string, WorkloadRecord>();
  private retryTimer: Timer | undefined;
  private retryDelayMs = RETRY_MIN_MS;
  /** The saveLater() records being written out, one share of a loop turn at a time. */
  private draining: Promise<void> | undefined;
  private readonly turns: LoopBudget | undefined;
  /** Whether background writes may be done on the event loop (a fast disk). */
  private readonly pace = new DiskPace();

  /**
   * options.turns: the share of each event-loop turn the agent's starts take (loop-budget.ts);
   * deferred writes take it too, so 32 large records are not all turned into JSON in one turn.
   */
  constructor(
    dataDir: string,
    private readonly onError: (id: string, err: unknown) => void = () => undefined,
    options: { spareDirs?: number; turns?: LoopBudget } = {},
  ) {
    this.turns = options.turns;
    this.root = join(dataDir, 'workloads');
    mkdirSync(this.root, { recursive: true });
    // Workloads that run as other users pass through to their own dirs; they may not list them.
    // Best effort: a root made by another user (an agent that ran as root before) keeps its mode.
    try {
      chmodSync(this.root, TASK_DIR_MODE);
    } catch {
      // the mode matters only to workloads of other users, which such an agent cannot run
    }
    // Spares a previous run left are as good as new ones; anything else there is removed.
    const activity = { busy: () => this.busy, whenIdle: () => this.whenIdle() };
    this.spares = new SpareDirs(
      join(dataDir, 'spare'),
      options.spareDirs ?? DEFAULT_SPARE_DIRS,
      activity,
      this.onError,
      this.pace,
    );
  }

  /** Spare directories ready now (for tests and metrics). */
  get spareCount(): number {
    return this.spares.count;
  }

  /** Records whose last write failed and waits for a retry (for tests and metrics). */
  get unsavedCount(): number {
    return this.unsaved.size;
  }

  /** A create within IDLE_MS: background disk work waits. */
  private get busy(): boolean {
    return performance.now() - this.lastCreateMs < IDLE_MS;
  }

  /** (Re)arms the timer that does the background work once starts have paused for IDLE_MS. */
  private whenIdle(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = after(IDLE_MS, () => {
      this.idleTimer = undefined;
      if (this.busy) {
        this.whenIdle(); // a start came in as the timer fired
        return;
      }
      void this.writeLater();
      this.spares.refill();
    });
  }

  /**
   * Writes the saveLater() records, oldest first, each as it is then, within the turns' shares
   * (each write's JSON is made on the event loop). Resolves once each is queued.
   */
  private writeLater(): Promise<void> {
    this.draining ??= this.drainLater().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainLater(): Promise<void> {
    for (;;) {
      const turn = this.turns?.take();
      if (turn) await turn;
      // Read again after the wait: a save() or remove() meanwhile took its record out.
      const next = this.later.values().next();
      if (next.done) return;
      if (!this.saveInPlace(next.value)) void this.save(next.value).catch(() => undefined); // takes it out of `later`
    }
  }

  /**
   * A deferred record written on the event loop (~7 system calls, no thread-pool round trips) when
   * starts have paused, the disk is fast and no write of it is queued. False: save() it instead
   * (also after a failure here: save() reports it and retries).
   */
  private saveInPlace(record: WorkloadRecord): boolean {
    const id = record.spec.id;
    if (this.chains.has(id) || this.unsaved.has(id) || this.busy || !this.pace.inPlace()) return false;
    try {
      this.pace.run(() => writeRecordSync(this.dirOf(id), JSON.stringify(record)));
    } catch {
      return false;
    }
    this.later.delete(id);
    return true;
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  handOver(id: string, owner: { uid: number; gid: number }, filled: boolean): void {
    const dir = this.dirOf(id);
    lchownSync(join(dir, OUTPUT_FILE), owner.uid, owner.gid);
    // Two lchowns on the start path (~10 µs each); a walk only when inputs were fetched.
    if (filled) chownTree(join(dir, WORK_DIR), owner.uid, owner.gid);
    else lchownSync(join(dir, WORK_DIR), owner.uid, owner.gid);
  }

  /**
   * Creates the workload's directory and writes its first record. With a spare ready (the usual
   * case) it is synchronous: a rename, a write into an existing file and a rename take ~30-60 µs on
   * the event loop, where the thread pool's round trips would add ~300-400 µs to the start. Without
   * one (a burst emptied the pool) it goes through the thread pool, so a slow disk stalls neither
   * the event loop nor the other starts. Later saves are queued after it, so they stay in order.
   */
  create(record: WorkloadRecord): Promise<void> {
    const id = record.spec.id;
    const dir = this.dirOf(id);
    const text = JSON.stringify(record);
    // A large record (big argv/env) goes through the thread pool: written on the event loop, 16
    // concurrent 1 MiB starts held it for tens of ms each.
    const large = text.length > SYNC_RECORD_MAX_CHARS;
    const spare = this.chains.has(id) || large ? undefined : this.spares.take();
    this.lastCreateMs = performance.now();
    if (spare === undefined) {
      // No spare, a large record, or a removal of an earlier workload with this id is still
      // queued (go after it).
      const created = this.chain(id, async () => {
        try {
          await mkdir(dir, TASK_DIR_MODE);
        } catch (err) {
          throw this.diskFull(id, err);
        }
        try {
          await mkdir(join(dir, WORK_DIR), WORK_DIR_MODE);
          await (await open(join(dir, OUTPUT_FILE), 'w', PRIVATE_FILE_MODE)).close();
          await writeRecord(dir, text);
        } catch (err) {
          await rm(dir, { recursive: true, force: true }); // nothing half-made is left
          throw this.diskFull(id, err);
        }
      });
      this.spares.refill();
      return created;
    }
    let placed = false;
    try {
      // Fails like mkdir when a non-empty directory of that name exists (ENOTEMPTY).
      renameSync(spare, dir);
      placed = true;
      const tmp = join(dir, RECORD_TMP);
      writeFileSync(tmp, text);
      renameSync(tmp, join(dir, RECORD));
      return Promise.resolve();
    } catch (err) {
      // Put back, so nothing half-made is left in workloads/.
      this.spares.giveBack(spare, placed ? dir : undefined);
      const reported = this.diskFull(id, err);
      this.onError(id, reported);
      return Promise.reject(reported);
    } finally {
      this.spares.refill();
    }
  }

  /** A full disk (or quota) as UNAVAILABLE naming the directory (a node fault); anything else as it is. */
  private diskFull(id: string, err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
    const what = code === 'ENOSPC' ? 'no space left' : 'disk quota exceeded';
    return new MoError(
      grpc.status.UNAVAILABLE,
      `the agent's data dir ${this.root} is full (${code}: ${what}): cannot record workload ${id}`,
      { cause: err },
    );
  }

  /**
   * Queues an atomic write of the record as it is now. Resolves once it is on disk. A failure is
   * rejected, reported to onError (once, not at every retry) and retried with backoff until the
   * record is written, removed or superseded by a later save.
   */
  save(record: WorkloadRecord): Promise<void> {
    const id = record.spec.id;
    const dir = this.dirOf(id);
    const text = JSON.stringify(record);
    this.later.delete(id); // this write has everything that one would have had
    return this.chain(id, () => writeRecord(dir, text), !this.unsaved.has(id)).then(
      () => {
        this.unsaved.delete(id);
      },
      (err: unknown) => {
        // ENOENT: the workload's directory is gone (removed): nothing left to write into.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.unsaved.set(id, record);
          this.armRetry();
        }
        throw err;
      },
    );
  }

  private armRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = after(this.retryDelayMs, () => {
      this.retryTimer = undefined;
      void this.retryUnsaved().then((left) => {
        this.retryDelayMs = left > 0 ? Math.min(this.retryDelayMs * 2, RETRY_MAX_MS) : RETRY_MIN_MS;
        if (left > 0) this.armRetry();
      });
    });
  }

  /** Writes every record whose last write failed, as it is now; resolves with how many still fail. */
  private async retryUnsaved(): Promise<number> {
    const records = [...this.unsaved.values()];
    await Promise.allSettled(records.map((r) => this.save(r)));
    return this.unsaved.size;
  }

  saveLater(record: WorkloadRecord): void {
    this.later.set(record.spec.id, record);
    if (this.later.size >= LATER_MAX) void this.writeLater();
    else this.whenIdle();
  }

  /** Every readable record; unreadable directories are reported, not fatal. */
  loadAll(onError: (id: string, err: unknown) => void): WorkloadRecord[] {
    const out: WorkloadRecord[] = [];
    for (const id of readdirSync(this.root)) {
      try {
        out.push(withPlainMaps(JSON.parse(readFileSync(join(this.dirOf(id), RECORD), 'utf8')) as WorkloadRecord));
      } catch (err) {
        onError(id, err);
      }
    }
    return out;
  }

  /** Deletes the workload's directory after any queued write. */
  remove(id: string): Promise<void> {
    this.later.delete(id);
    this.unsaved.delete(id);
    return this.chain(id, () => rm(this.dirOf(id), { recursive: true, force: true }));
  }

  /** Writes what saveLater() holds, tries once more what failed, and waits for every queued write. */
  async flush(): Promise<void> {
    await this.writeLater();
    const retried = this.retryUnsaved();
    await Promise.allSettled([...this.chains.values(), retried]);
  }

  private chain(id: string, op: () => Promise<void>, report = true): Promise<void> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev.then(op).catch((err: unknown) => {
      if (report) this.onError(id, err);
      throw err;
    });
    // The chain itself never rejects, so one failed write does not poison the next.
    const settled = next.catch(() => undefined);
    this.chains.set(id, settled);
    void settled.then(() => {
      if (this.chains.get(id) === settled) this.chains.delete(id);
    });
    return next;
  }
}

/** A loaded record's maps as prototype-free objects, as validation made them (JSON.parse makes plain ones). */
function withPlainMaps(record: WorkloadRecord): WorkloadRecord {
  const spec = record.spec;
  if (spec?.env) spec.env = newStringMap(spec.env);
  if (spec?.labels) spec.labels = newStringMap(spec.labels);
  if (record.outputs) record.outputs = newStringMap(record.outputs);
  return record;
}
