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
 * With several schedulers the store is etcd (etcd/index.ts): `openEtcdCluster` gives an election,
 * a fenced Store for the leader and watches for followers; `parseStoreUrl` reads `--store`.
 *
 * Exports: `Store` and its op/record types; `SqliteStore`, `openSqliteStore`, their options,
 * stats and schema version; the errors (`StoreClosedError`, `StoreOpError`, `StoreLockedError`,
 * `StoreSchemaError`); and everything of etcd/index.ts.
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
export {
  ETCD_DEFAULTS,
  EtcdClosedError,
  EtcdCommitTooLargeError,
  EtcdStore,
  EtcdUnavailableError,
  FencedError,
  openEtcdCluster,
  parseStoreUrl,
  resolveEtcdOptions,
  type CompactionOptions,
  type Election,
  type EtcdCluster,
  type EtcdOptions,
  type EtcdStoreStats,
  type Leadership,
  type ResolvedEtcdOptions,
  type WatchKindHandlers,
} from './etcd/index.js';
