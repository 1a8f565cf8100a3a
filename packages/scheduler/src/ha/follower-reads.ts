// The reads a follower answers itself (issue 18), from its watch-fed cache (read-cache.ts) by the
// leader's own rules (service/scheduler-reads.ts, PipelineReads): get and list workloads, nodes,
// cluster status, get and list pipelines. Everything else still goes to the leader, and so does a
// read the follower cannot vouch for:
// - its cache is not fresh (not listed yet, or etcd's quorum not heard within its bound);
// - the caller's bearer token is not one it can verify (made moments ago, or revoked: the leader
//   decides, and answers the same);
// - NOT_FOUND (a workload acknowledged by the leader a moment ago may not have reached the watch:
//   the leader has it, so read-your-writes holds for a client that submits, then gets).
// An answer carries `mo-served-by: follower` and the leader's address in its header metadata.
// Watches and logs stay the leader's: its event journal and its agent connections are its own.
import * as grpc from '@grpc/grpc-js';
import { LEADER_KEY, identityOf, serviceDefinition, toServiceError, type Identity, type TokenCheck } from '@mo/api';
import { PipelineReads } from '../service/pipeline-calls.js';
import { SchedulerReads } from '../service/scheduler-reads.js';
import type { ReadCache } from './read-cache.js';

/** The metadata key naming who answered a read. */
export const SERVED_BY_KEY = 'mo-served-by';

/** What a follower answers from its cache, by service. */
export const FOLLOWER_READ_METHODS = {
  Scheduler: ['GetScheduledWorkload', 'ListWorkloads', 'ListNodes', 'GetClusterStatus'],
  Pipelines: ['GetPipeline', 'ListPipelines'],
} as const;

export interface FollowerReadSource {
  /** Whether the cache may answer now. */
  fresh(): boolean;
  /** Milliseconds since etcd's quorum last answered (Infinity: never). */
  lastContactAgeMs(): number;
  checkToken(text: string): TokenCheck;
  scheduler: SchedulerReads;
  pipelines: PipelineReads;
}

/** The read rules over a follower's cache. */
export function followerReadSource(cache: ReadCache, version: string, startedAtMs: number): FollowerReadSource {
  return {
    fresh: () => cache.fresh(),
    lastContactAgeMs: () => cache.lastContactAgeMs(),
    checkToken: (text) => cache.checkToken(text),
    scheduler: new SchedulerReads({ manager: cache, nodes: cache.nodes, engine: cache, version, startedAtMs }),
    pipelines: new PipelineReads({ pipelines: cache.pipelines }),
  };
}

type ReadFn = (req: never) => unknown;

function readsOf(service: string, source: FollowerReadSource): Record<string, ReadFn> {
  const s = source.scheduler;
  const p = source.pipelines;
  if (service === 'Scheduler') {
    return {
      GetScheduledWorkload: (req) => s.getWorkload(req),
      ListWorkloads: (req) => s.listWorkloads(req),
      ListNodes: (req) => s.listNodes(req),
      GetClusterStatus: (req) => s.getClusterStatus(req),
    };
  }
  if (service === 'Pipelines') {
    return { GetPipeline: (req) => p.getPipeline(req), ListPipelines: (req) => p.listPipelines(req) };
  }
  return {};
}

export interface FollowerReadOptions {
  /** The refusal naming the leader. */
  refuse: () => Partial<grpc.ServiceError>;
  leaderAddress: () => string | undefined;
  /** The identity the follower's guard gives a token it could not check. */
  unverified: Identity;
  /** Told of each read: answered here, or sent to the leader. */
  onRead?: (method: string, outcome: 'served' | 'leader') => void;
}

/** Handlers for the follower's read methods of `service` (on top of the refusing ones). */
export function followerReadHandlers(
  service: string,
  source: FollowerReadSource,
  o: FollowerReadOptions,
): grpc.UntypedServiceImplementation {
  const definition = serviceDefinition(service);
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [method, read] of Object.entries(readsOf(service, source))) {
    if (!definition[method] || definition[method].responseStream)
      throw new Error(`${service}.${method} is no unary read`);
    const toLeader = (callback: grpc.sendUnaryData<unknown>) => {
      o.onRead?.(method, 'leader');
      callback(o.refuse());
    };
    handlers[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (!source.fresh() || identityOf(call) === o.unverified) return toLeader(callback);
      let res: unknown;
      try {
        res = read(call.request as never);
      } catch (err) {
        const e = toServiceError(err);
        if (e.code === grpc.status.NOT_FOUND) return toLeader(callback);
        return callback(e);
      }
      const md = new grpc.Metadata();
      md.set(SERVED_BY_KEY, 'follower');
      const leader = o.leaderAddress();
      if (leader) md.set(LEADER_KEY, leader);
      call.sendMetadata(md);
      o.onRead?.(method, 'served');
      callback(null, res);
    };
  }
  return handlers;
}
