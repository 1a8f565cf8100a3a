// The embedded default Store: one SQLite file in the scheduler's data dir (better-sqlite3, WAL).
// Commits arriving in the same tick are grouped into one transaction (group commit); each caller
// still gets its own all-or-nothing result, through one SAVEPOINT per caller inside the group.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Store, StoredRecord, StoreKind, StoreOp } from './store.js';

/** The on-disk schema this code writes. Bump it with a migration in `migrate` below. */
export const SQLITE_SCHEMA_VERSION = 1;

const KINDS: ReadonlySet<string> = new Set<StoreKind>([
  'workload',
  'node',
  'meta',
  'pipeline',
  'artifact',
  'idempotency',
  'token',
  'job',
  'job-version',
  'deployment',
]);

export interface SqliteStoreOptions {
  /**
   * When a commit's promise resolves, what has the data survived?
   *
   * - `'normal'` (default): SQLite's `synchronous=NORMAL` in WAL mode. A commit is written to the
   *   WAL with write(2) and fsynced only at checkpoints. Once write(2) returns, the data is in the
   *   kernel, so a crash of the scheduler process (SIGKILL, OOM kill, a bug) loses nothing: that
   *   is the DESIGN.md invariant. A host power loss or kernel panic may lose the commits since the
   *   last checkpoint (the database stays consistent: it comes back as of an earlier commit).
   * - `'full'`: `synchronous=FULL`, the WAL is fsynced on every transaction, so acknowledged
   *   commits also survive a power loss. Group commit shares one fsync among concurrent callers.
   */
  synchronous?: 'normal' | 'full';
  /**
   * How long opening waits for another process (or store) that holds the database, and SQLite's
   * busy timeout afterwards, in ms. Default 2000: rides out a predecessor that is still exiting.
   */
  busyTimeoutMs?: number;
}

const DEFAULTS: Required<SqliteStoreOptions> = { synchronous: 'normal', busyTimeoutMs: 2000 };

function withDefaults(options: SqliteStoreOptions): Required<SqliteStoreOptions> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (o.synchronous !== 'normal' && o.synchronous !== 'full') {
    throw new TypeError(`SqliteStoreOptions.synchronous must be 'normal' or 'full', got ${String(o.synchronous)}`);
  }
  if (!Number.isInteger(o.busyTimeoutMs) || o.busyTimeoutMs < 0) {
    throw new TypeError(`SqliteStoreOptions.busyTimeoutMs must be a non-negative integer, got ${o.busyTimeoutMs}`);
  }
  return o;
}

/** Thrown when a store is used after `close()`. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor(readonly path: string) {
    super(`the store at ${path} is closed`);
  }
}

/** Thrown by `commit` for an op that cannot be stored (unknown kind, empty id, value not JSON). */
export class StoreOpError extends Error {
  override readonly name = 'StoreOpError';
  constructor(
    readonly kind: unknown,
    readonly id: unknown,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot store ${String(kind)}/${String(id)}: ${reason}`, options);
  }
}

/** Thrown at open when another process (or another open store) already holds the database. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly path: string,
    readonly holder: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `the scheduler store ${path} is in use by another scheduler${holder ? ` (${holder})` : ''}: ` +
        'only one scheduler may use a data dir; stop the other one or choose another --data-dir',
      options,
    );
  }
}

/** Thrown at open when the file was written by a newer mo-scheduler (or is not a store at all). */
export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`the scheduler store ${path} ${message}`, options);
  }
}

/** One op, validated and serialised at `commit` time (so a bad value never joins a group). */
export interface Row {
  kind: StoreKind;
  id: string;
  /** JSON text, or null for a delete. */
  json: string | null;
}

interface PendingCommit {
  rows: Row[];
  resolve: () => void;
  reject: (err: unknown) => void;
  error?: unknown;
}

/** Counters for benchmarks and metrics: how well group commit is grouping. */
export interface SqliteStoreStats {
  /** `commit` calls that reached the database. */
  commits: number;
  /** SQLite transactions that carried them. */
  transactions: number;
}

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly ownerPath: string;
  private readonly put: Database.Statement<[string, string, string]>;
  private readonly del: Database.Statement<[string, string]>;
  private readonly select: Database.Statement<[string], { id: string; value: string }>;
  private readonly applyGroup: (group: PendingCommit[]) => void;
  private pending: PendingCommit[] = [];
  private flushScheduled = false;
  private closing: Promise<void> | undefined;
  private readonly counters: SqliteStoreStats = { commits: 0, transactions: 0 };

  /** Prefer `openSqliteStore`, which also creates the parent directory. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    const o = withDefaults(options);
    this.path = resolve(path);
    this.ownerPath = `${this.path}.owner`;
    this.db = new Database(this.path, { timeout: o.busyTimeoutMs });
    try {
      lockAndMigrate(this.db, this.path, this.ownerPath);
      this.db.pragma(`synchronous = ${o.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    } catch (err) {
      this.db.close();
      throw err;
    }
    // Informational only (the lock is SQLite's): lets a second scheduler name the holder.
    writeFileSync(this.ownerPath, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date() }));

    this.put = this.db.prepare<[string, string, string]>(
      'INSERT OR REPLACE INTO records (kind, id, value) VALUES (?, ?, ?)',
    );
    this.del = this.db.prepare<[string, string]>('DELETE FROM records WHERE kind = ? AND id = ?');
    this.select = this.db.prepare<[string], { id: string; value: string }>(
      'SELECT id, value FROM records WHERE kind = ? ORDER BY id',
    );

    // Nested better-sqlite3 transactions are SAVEPOINTs: a failing caller rolls back to its own
    // savepoint and the rest of the group still commits.
    const applyRows = (rows: Row[]): void => {
      for (const r of rows) {
        if (r.json === null) this.del.run(r.kind, r.id);
        else this.put.run(r.kind, r.id, r.json);
      }
    };
    const applyOne = this.db.transaction(applyRows);
    this.applyGroup = this.db.transaction((group: PendingCommit[]) => {
      // A lone caller needs no savepoint: the transaction is already its all-or-nothing unit.
      if (group.length === 1) return applyRows(group[0]!.rows);
      for (const c of group) {
        try {
          applyOne(c.rows);
        } catch (err) {
          c.error = err;
        }
      }
    });
  }

  load(kind: StoreKind): Promise<StoredRecord[]> {
    if (this.closing) return Promise.reject(new StoreClosedError(this.path));
    if (!KINDS.has(kind)) return Promise.reject(new StoreOpError(kind, '*', 'unknown kind'));
    // Read your writes: a load sees every commit called before it, even one still queued.
    this.flush();
    try {
      return Promise.resolve(this.select.all(kind).map((r) => ({ id: r.id, value: JSON.parse(r.value) as unknown })));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  commit(ops: readonly StoreOp[]): Promise<void> {
    if (this.closing) return Promise.reject(new StoreClosedError(this.path));
    let rows: Row[];
    try {
      rows = ops.map(serialise);
    } catch (err) {
      return Promise.reject(err);
    }
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate, not a microtask: it runs after every caller of this tick (and the
        // promise continuations they trigger) has queued its commit, so they share a transaction.
        setImmediate(() => this.flush());
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      try {
        this.flush();
        this.db.close(); // checkpoints the WAL into the main file and releases the lock
        rmSync(this.ownerPath, { force: true });
        resolve();
      } catch (err) {
        reject(err);
      }
    });
    return this.closing;
  }

  /** Commit and transaction counts since open. */
  stats(): SqliteStoreStats {
    return { ...this.counters };
  }

  /** Runs every queued commit in one transaction, then settles each caller's promise. */
  private flush(): void {
    this.flushScheduled = false;
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    try {
      this.applyGroup(group);
      this.counters.transactions++;
      this.counters.commits += group.length;
    } catch (err) {
      // BEGIN or COMMIT failed (disk full, I/O error): nothing of the group landed.
      for (const c of group) c.error ??= err;
    }
    for (const c of group) {
      if (c.error === undefined) c.resolve();
      else c.reject(c.error);
    }
  }
}

/** Opens (creating if needed) the store at `path`, e.g. `<data-dir>/scheduler.db`. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  return new SqliteStore(path, options);
}

/**
 * One scheduler per store. The lock is SQLite's own: `locking_mode=EXCLUSIVE`, set before the
 * database is first read so WAL mode keeps its index in process memory (no -shm file), then an
 * immediate `BEGIN EXCLUSIVE` takes the write lock, which is held until close. It is a POSIX
 * record lock owned by the kernel, so a SIGKILLed scheduler releases it by dying: no stale lock
 * file to take over, no pid-reuse race (the agent needs its pid + start time lock file because
 * Node has no flock(2); here SQLite gives us the real thing). It also keeps the sqlite3 CLI out
 * while a scheduler runs; stop the scheduler (or copy the file) to inspect it.
 */
function lockAndMigrate(db: Database.Database, path: string, ownerPath: string): void {
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    throw openError(err, path, ownerPath);
  }
  try {
    migrate(db, path);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw openError(err, path, ownerPath);
  }
}

/**
 * Brings the schema to SQLITE_SCHEMA_VERSION, inside the opening transaction. The version lives
 * in its own `meta` table, apart from `records`, whose 'meta' kind belongs to the scheduler.
 */
function migrate(db: Database.Database, path: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const version = row ? Number(row.value) : 0;
  if (!Number.isInteger(version) || version < 0) {
    throw new StoreSchemaError(path, `has an unreadable schema version ${JSON.stringify(row?.value)}`);
  }
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreSchemaError(
      path,
      `has schema version ${version}, newer than this mo-scheduler understands (${SQLITE_SCHEMA_VERSION}): ` +
        'run a newer mo-scheduler, or restore a backup taken before the upgrade',
    );
  }
  if (version < 1) {
    // WITHOUT ROWID: the primary key is the table's only b-tree, and every query is by (kind, id).
    // `value` is JSON text written by JSON.stringify here, so no json_valid() CHECK per write.
    db.exec(`CREATE TABLE records (
      kind  TEXT NOT NULL,
      id    TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (kind, id)
    ) WITHOUT ROWID`);
  }
  if (version !== SQLITE_SCHEMA_VERSION) {
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(SQLITE_SCHEMA_VERSION),
    );
  }
}

function openError(err: unknown, path: string, ownerPath: string): Error {
  if (err instanceof StoreSchemaError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StoreLockedError(path, describeOwner(ownerPath), { cause: err });
  }
  if (code === 'SQLITE_NOTADB') return new StoreSchemaError(path, 'is not an SQLite database', { cause: err });
  return new Error(`cannot open the scheduler store ${path}: ${(err as Error).message}`, { cause: err });
}

function describeOwner(ownerPath: string): string | undefined {
  try {
    const o = JSON.parse(readFileSync(ownerPath, 'utf8')) as { pid?: unknown; host?: unknown; since?: unknown };
    return `pid ${String(o.pid)} on ${String(o.host)}, since ${String(o.since)}`;
  } catch {
    return undefined;
  }
}

/** Checks one op and turns its value into JSON text (null: a delete); every store writes through it. */
export function serialise(op: StoreOp): Row {
  const { kind, id, value } = op;
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new StoreOpError(kind, id, 'unknown kind');
  if (typeof id !== 'string' || id === '') throw new StoreOpError(kind, id, 'the id must be a non-empty string');
  if (value === null) return { kind, id, json: null };
  if (value === undefined) throw new StoreOpError(kind, id, 'the value is undefined (use null to delete)');
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new StoreOpError(kind, id, `the value is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) throw new StoreOpError(kind, id, `the value is not JSON-serialisable (${typeof value})`);
  return { kind, id, json };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
