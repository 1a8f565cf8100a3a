/**
 * ha/ — several schedulers, one leader (issue 18). While another scheduler leads, this one serves
 * the follower server: reads of workloads, nodes, cluster status and pipelines are answered from a
 * watch-fed cache of etcd's records while it is current; every other client and agent call is
 * refused with the leader's address (the clients in @mo/api follow it; leader-choice.ts there
 * decides where they go next), health says NOT_SERVING, the HTTP API answers 503 naming the leader
 * and the dashboard links to it.
 *
 * ```ts
 * import { startFollowerServer } from './ha/index.js';
 * const follower = await startFollowerServer({
 *   grpcListen: '0.0.0.0:7600', httpListen: '0.0.0.0:7601', tls, // openTls(options, { kind: 'scheduler' }, logger)
 *   leader: () => election.leader(), // { grpc, http } or undefined while none is elected
 *   logger,
 *   reads: followerReadSource(cache, version, startedAtMs), // cache = new ReadCache(cluster, { logger })
 * });
 * // ... elected: close it, then start the scheduler on the same addresses.
 * await follower.close();
 * ```
 *
 * Files: runner.ts (one scheduler of several: follower until elected, leader, follower again),
 * follower.ts (the follower server: gRPC refusals built from the service definitions, HTTP
 * refusals, NOT_SERVING health, `mo_scheduler_leader 0`), read-cache.ts (the records, indexed as
 * the leader indexes them; fresh while etcd's quorum answers), follower-reads.ts (which reads a
 * follower answers, and when it sends the caller to the leader instead), artifact-mirror.ts (a
 * follower's copy of every pipeline artifact; mirror-plan.ts decides, mirror-disk.ts reads its
 * disk), replica-acks.ts (the leader's side: live mirrors, and uploads waiting for them).
 */
export {
  FOLLOWER_SERVICES,
  refusingHandlers,
  startFollowerServer,
  type FollowerServer,
  type FollowerServerOptions,
} from './follower.js';
export { FOLLOWER_READ_METHODS, SERVED_BY_KEY, followerReadSource, type FollowerReadSource } from './follower-reads.js';
export { ReadCache, type CacheSource, type ReadCacheOptions } from './read-cache.js';
