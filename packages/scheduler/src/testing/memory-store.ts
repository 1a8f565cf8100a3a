// A Store in memory, for the harness: the same contract as SQLite (it passes the shared
// conformance suite, memory-store.test.ts) with no file and no fsync, so a
// test of the manager's rules runs in milliseconds. Values are kept as JSON text, as a real store
// would: what a caller changes after commit is not seen by load. "Durable" means in the
// MemoryDisk, which outlives a store: open another store on the same disk to play a restart.
import type { Store, StoredRecord, StoreKind, StoreOp } from '../store/store.js';
import { StoreClosedError, serialise } from '../store/sqlite-store.js';

/** What survives a store's close: kind -> id -> JSON text. */
export type MemoryDisk = Map<StoreKind, Map<string, string>>;

export class MemoryStore implements Store {
  private closed = false;
  private commits = 0;
  private failures: Error[] = [];

  constructor(
    readonly disk: MemoryDisk = new Map(),
    readonly name = 'memory',
  ) {}

  /** Commits so far (accepted ones). */
  get commitCount(): number {
    return this.commits;
  }

  /** The next commit rejects with `message` and changes nothing (a disk full, an I/O error). */
  failNextCommit(message: string): void {
    this.failures.push(new Error(message));
  }

  load(kind: StoreKind): Promise<StoredRecord[]> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.name));
    const rows = [...(this.disk.get(kind) ?? new Map<string, string>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, json]) => ({ id, value: JSON.parse(json) as unknown }));
    return Promise.resolve(rows);
  }

  commit(ops: readonly StoreOp[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.name));
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    let rows: Array<{ kind: StoreKind; id: string; json: string | null }>;
    try {
      rows = ops.map(serialise);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    // All checked before any lands: a commit is all or nothing.
    for (const { kind, id, json } of rows) {
      let table = this.disk.get(kind);
      if (!table) this.disk.set(kind, (table = new Map()));
      if (json === null) table.delete(id);
      else table.set(id, json);
    }
    this.commits++;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
