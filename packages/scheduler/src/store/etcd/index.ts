/**
 * The etcd store and leader election, for several schedulers on one etcd cluster (see README.md
 * for the key layout, the fencing and why the client is etcd3's raw RPCs).
 *
 * ```ts
 * import { openEtcdCluster, parseStoreUrl } from './store/index.js';
 * const cluster = await openEtcdCluster({ endpoints: ['http://10.0.0.1:2379'], leaseTtlMs: 5000 });
 * cluster.election.observe((leader) => console.log('leader:', leader)); // followers redirect there
 * const leadership = await cluster.election.campaign(JSON.stringify({ grpc, http })); // blocks while another leads
 * const store = cluster.openStore(leadership); // every commit fenced by leadership.epoch
 * const stopCompaction = cluster.startCompaction(leadership, { everyMs: 60_000, keepRevisions: 10_000 });
 * void leadership.lost.then((why) => stopScheduling(why)); // lease expired, key deleted, write refused
 * await store.commit([{ kind: 'workload', id, value }]); // FencedError once deposed; UNAVAILABLE without quorum
 * await leadership.resign(); await cluster.close();
 * ```
 *
 * Exports: `openEtcdCluster`, `EtcdCluster`, `Election`, `Leadership`, `WatchKindHandlers`,
 * `CompactionOptions`, `EtcdOptions` (+ `ETCD_DEFAULTS`, `resolveEtcdOptions`), `parseStoreUrl`
 * (the `--store` flag), `EtcdStore` (+ stats), and the errors `FencedError`,
 * `EtcdUnavailableError`, `EtcdCommitTooLargeError`, `EtcdClosedError`.
 */
export { openEtcdCluster, type CompactionOptions, type EtcdCluster, type WatchKindHandlers } from './cluster.js';
export type { Election, Leadership } from './election.js';
export { EtcdStore, type EtcdStoreStats } from './etcd-store.js';
export { EtcdClosedError, EtcdCommitTooLargeError, EtcdUnavailableError, FencedError } from './errors.js';
export {
  ETCD_DEFAULTS,
  parseStoreUrl,
  resolveEtcdOptions,
  type EtcdOptions,
  type ResolvedEtcdOptions,
} from './options.js';
