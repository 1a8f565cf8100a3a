/**
 * The scheduler's durable state: the `Store` interface and its SQLite implementation.
 *
 * ```ts
 * import { openSqliteStore } from './store/index.js';
 * const store = openSqliteStore('/var/lib/mo/scheduler/scheduler.db');
 * await store.commit([{ kind: 'workload', id, value: workload }]); // durable once resolved
 * const workloads = await store.load('workload');
 * await store.close();
 * ```
 *
 * Exports: `Store` and its op/record types; `SqliteStore`, `openSqliteStore`, their options,
 * stats and schema version; the errors (`StoreClosedError`, `StoreOpError`, `StoreLockedError`,
 * `StoreSchemaError`).
 */
export type { Store, StoreKind, StoreOp, StoredRecord } from './store.js';
export {
  SQLITE_SCHEMA_VERSION,
  SqliteStore,
  StoreClosedError,
  StoreLockedError,
  StoreOpError,
  StoreSchemaError,
  openSqliteStore,
  type SqliteStoreOptions,
  type SqliteStoreStats,
} from './sqlite-store.js';
