/**
 * @mo/scheduler — the mo control plane: node registry, placement, workloads, durable state.
 *
 * ```ts
 * import { startScheduler } from '@mo/scheduler';
 * const s = await startScheduler({
 *   grpcListen: '127.0.0.1:0', httpListen: '127.0.0.1:0', dataDir: '/tmp/s',
 *   tls: { ca: 'ca.pem', cert: 'scheduler.pem', key: 'scheduler-key.pem' }, // or insecure: true
 * });
 * // agents: mo-agent --scheduler <s.grpcAddress>; clients: SchedulerClient from @mo/api
 * await s.close();
 * ```
 *
 * Folders are the architecture: `placement/` (pure: feasibility -> rank -> limit -> select),
 * `registry/` (nodes, liveness, agent clients), `drain/` (node drain: pure decisions, a thin
 * manager), `workloads/` (records, submit, restart, queue),
 * `options.ts` (the options, defaults and checks), `store/` (the Store interface, SQLite), `service/` (the client API's calls, one implementation for
 * both transports), `server/` (gRPC services over them), `http-api/` (the HTTP/JSON API and
 * Server-Sent Events over them), `events/`, `metrics/`.
 */
export { SCHEDULER_VERSION, startScheduler, type Scheduler } from './scheduler.js';
export { DEFAULT_SCHEDULER_OPTIONS, resolveSchedulerOptions, type SchedulerOptions } from './options.js';
export { main, parseSchedulerArgs } from './main.js';
export type { Store, StoreKind, StoreOp, StoredRecord } from './store/store.js';
export * from './placement/index.js';
export * from './store/index.js';
