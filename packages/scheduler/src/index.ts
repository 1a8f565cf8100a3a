/**
 * @mo/scheduler — the mo control plane: node registry, placement, workloads, durable state.
 * (Being built; see the folders: placement/, store/, registry/, workloads/, server/.)
 */
export type { Store, StoreKind, StoreOp, StoredRecord } from './store/store.js';
export type * from './placement/types.js';
