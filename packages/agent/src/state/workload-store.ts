// Persists workload records, one directory per workload under <dataDir>/workloads/<id>/. Each
// record is written atomically (temp file + rename), so a SIGKILLed agent always finds either the
// old or the new record, never a torn one. Writes are asynchronous and chained per workload, so
// they keep their order without blocking the event loop on a slow disk; the one exception is the
// first record (create), written synchronously on the start path. No fsync: the invariant is
// surviving an agent crash; after a host crash the boot id changes and every workload is gone.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkloadRecord } from '../workloads/record.js';

const RECORD = 'workload.json';

/** Where workload records live. WorkloadStore (disk) for agents; MemoryWorkloadStore for simulations. */
export interface WorkloadRecords {
  /** The directory owned by one workload (logs, shim files, its default working dir). */
  dirOf(id: string): string;
  /** The first record of a workload; resolves once it would survive an agent crash. */
  create(record: WorkloadRecord): Promise<void>;
  /** Queues a write of the record as it is now; writes of one workload keep their order. */
  save(record: WorkloadRecord): Promise<void>;
  loadAll(onError: (id: string, err: unknown) => void): WorkloadRecord[];
  remove(id: string): Promise<void>;
  flush(): Promise<void>;
}

/**
 * Keeps records in memory only: for simulated agents in benchmarks (many agents in one process
 * standing in for many hosts' disks). A restart forgets every workload; never use it for real.
 */
export class MemoryWorkloadStore implements WorkloadRecords {
  private readonly records = new Map<string, string>();
  constructor(private readonly root: string) {}
  dirOf(id: string): string {
    return join(this.root, id);
  }
  create(record: WorkloadRecord): Promise<void> {
    return this.save(record);
  }
  save(record: WorkloadRecord): Promise<void> {
    // Serialised like the disk store, so the CPU cost of a record is still paid.
    this.records.set(record.spec.id, JSON.stringify(record));
    return Promise.resolve();
  }
  loadAll(): WorkloadRecord[] {
    return [...this.records.values()].map((t) => JSON.parse(t) as WorkloadRecord);
  }
  remove(id: string): Promise<void> {
    this.records.delete(id);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

export class WorkloadStore implements WorkloadRecords {
  readonly root: string;
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    dataDir: string,
    private readonly onError: (id: string, err: unknown) => void = () => undefined,
  ) {
    this.root = join(dataDir, 'workloads');
    mkdirSync(this.root, { recursive: true });
  }

  /** The directory owned by one workload (logs, shim files, its default working dir). */
  dirOf(id: string): string {
    return join(this.root, id);
  }

  /**
   * Creates the workload's directory and writes its first record. Synchronous when nothing is
   * queued for this id (the usual case): a mkdir, a small write and a rename take ~50-90 µs on the
   * event loop, where the thread pool's round trips cost ~300-400 µs of start latency. Later saves
   * are queued after it, so they stay in order.
   */
  create(record: WorkloadRecord): Promise<void> {
    const id = record.spec.id;
    const dir = this.dirOf(id);
    const text = JSON.stringify(record);
    if (this.chains.has(id)) {
      // A removal of an earlier workload with this id is still queued: go after it.
      return this.chain(id, async () => {
        await mkdir(dir);
        await this.write(dir, text);
      });
    }
    try {
      mkdirSync(dir);
      const tmp = join(dir, `${RECORD}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, join(dir, RECORD));
      return Promise.resolve();
    } catch (err) {
      this.onError(id, err);
      return Promise.reject(err as Error);
    }
  }

  /**
   * Queues an atomic write of the record as it is now. Resolves once it is on disk; failures are
   * reported to onError and rejected.
   */
  save(record: WorkloadRecord): Promise<void> {
    const id = record.spec.id;
    const dir = this.dirOf(id);
    const text = JSON.stringify(record);
    return this.chain(id, () => this.write(dir, text));
  }

  private async write(dir: string, text: string): Promise<void> {
    const tmp = join(dir, `${RECORD}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, join(dir, RECORD));
  }

  /** Every readable record; unreadable directories are reported, not fatal. */
  loadAll(onError: (id: string, err: unknown) => void): WorkloadRecord[] {
    const out: WorkloadRecord[] = [];
    for (const id of readdirSync(this.root)) {
      try {
        out.push(JSON.parse(readFileSync(join(this.dirOf(id), RECORD), 'utf8')) as WorkloadRecord);
      } catch (err) {
        onError(id, err);
      }
    }
    return out;
  }

  /** Deletes the workload's directory after any queued write. */
  remove(id: string): Promise<void> {
    return this.chain(id, () => rm(this.dirOf(id), { recursive: true, force: true }));
  }

  /** Waits for every queued write. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  private chain(id: string, op: () => Promise<void>): Promise<void> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev.then(op).catch((err: unknown) => {
      this.onError(id, err);
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
