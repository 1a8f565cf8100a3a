// One scheduler of several on etcd (`--store etcd://…`): a follower until elected, then the whole
// scheduler (scheduler.ts) on a store whose every write is fenced by its leadership's epoch, and a
// follower again the moment leadership is lost. Kubernetes' schedulers exit instead; staying up
// keeps the process, its listeners and its etcd connection, and a follower costs nothing.
//
// The listeners keep their addresses across roles: the follower binds first (port 0 becomes a
// port), and the leader's scheduler listens on exactly those. Between the two, for a few ms,
// nothing listens: callers see a refused connection and retry, as they do on any failover.
import { clientTls, createLogger, openTls, reloadTls, sleep, type LeaderAddress, type Logger } from '@mo/api';
import { join } from 'node:path';
import { SCHEDULER_VERSION, startScheduler, type Scheduler } from '../scheduler.js';
import { resolveSchedulerOptions, type SchedulerOptions } from '../options.js';
import { openEtcdCluster, type EtcdCluster, type Leadership } from '../store/index.js';
import { startFollowerServer } from './follower.js';
import { ArtifactMirror } from './artifact-mirror.js';
import { followerReadSource } from './follower-reads.js';
import { ReadCache } from './read-cache.js';

/** The leader compacts etcd's history; a follower's watch that falls further behind relists. */
const COMPACTION = { everyMs: 60_000, keepRevisions: 10_000 };

/** After a failed start as leader, before campaigning again. */
const RETRY_AFTER_FAILED_START_MS = 1000;

export type Role = 'follower' | 'leader' | 'stopped';

export interface HaScheduler {
  readonly options: SchedulerOptions;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  /** What this process is now. */
  role(): Role;
  /** The scheduler while leading. */
  current(): Scheduler | undefined;
  /** The leader as etcd says (this process too, while it leads); undefined while none. */
  leader(): LeaderAddress | undefined;
  reloadTls(): void;
  /** Stops scheduling, resigns (a standby takes over at once), closes the listeners and etcd. */
  close(): Promise<void>;
}

function parseLeader(value: string | undefined): LeaderAddress | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<LeaderAddress>;
    return typeof v.grpc === 'string' && typeof v.http === 'string' ? { grpc: v.grpc, http: v.http } : undefined;
  } catch {
    return undefined;
  }
}

export async function startHaScheduler(partial: Partial<SchedulerOptions>): Promise<HaScheduler> {
  const options = resolveSchedulerOptions(partial);
  const etcd = options.etcd;
  if (!etcd) throw new Error('store: etcd endpoints are needed for several schedulers (--store etcd://host:port,...)');
  const logger: Logger = options.logger ?? createLogger(options.logLevel, { component: 'scheduler' });
  const tls = openTls(options, { kind: 'scheduler' }, logger);
  const cluster: EtcdCluster = await openEtcdCluster({
    endpoints: etcd.endpoints,
    prefix: etcd.prefix,
    leaseTtlMs: options.leaseTtlMs,
    ...(etcd.tls ? { tls: etcd.tls } : {}),
    logger,
  });

  let leader: LeaderAddress | undefined;
  const unobserve = cluster.election.observe((value) => {
    const next = parseLeader(value);
    if (next?.grpc !== leader?.grpc)
      logger.info('leader', next ? { grpc: next.grpc, http: next.http } : { none: true });
    leader = next;
  });
  // This process's advertised gRPC address, known once the follower has bound its port.
  const me: { grpc?: string } = {};
  // A key naming this very process (a restart within the old lease, or a loss etcd has not told
  // us about yet) is no leader to send callers to.
  const leaderElse = () => (leader && leader.grpc !== me.grpc ? leader : undefined);
  // A follower answers reads from a cache of etcd's records, kept while it follows (read-cache.ts).
  const startFollower = async (grpcListen: string, httpListen: string) => {
    const cache = new ReadCache(cluster, { logger });
    cache.start();
    try {
      const server = await startFollowerServer({
        grpcListen,
        httpListen,
        ...(tls ? { tls } : { insecure: true }),
        metricsOpen: options.metricsOpen === true,
        leader: leaderElse,
        logger,
        reads: followerReadSource(cache, SCHEDULER_VERSION, Date.now()),
      });
      return {
        ...server,
        close: async () => {
          cache.close();
          await server.close();
        },
      };
    } catch (err) {
      cache.close();
      throw err;
    }
  };

  let follower: Awaited<ReturnType<typeof startFollower>> | undefined;
  try {
    follower = await startFollower(options.grpcListen, options.httpListen);
  } catch (err) {
    unobserve();
    await cluster.close().catch(() => undefined);
    throw err;
  }
  const grpcAddress = follower.grpcAddress;
  const httpAddress = follower.httpAddress;
  const self: LeaderAddress = { grpc: options.advertise ?? grpcAddress, http: options.advertiseHttp ?? httpAddress };
  me.grpc = self.grpc;
  // While following: a copy of every pipeline artifact, so the next leader has them (artifact-mirror.ts).
  const mirror = new ArtifactMirror({
    cluster,
    dir: join(options.dataDir, 'artifacts'),
    self: self.grpc,
    leader: () => leaderElse()?.grpc,
    credentials: tls ? { tls: clientTls(tls) } : { insecure: true },
    logger,
  });
  mirror.start();
  logger.info('scheduler ready', {
    grpcAddress,
    httpAddress,
    role: 'follower',
    advertise: self.grpc,
    pid: process.pid,
  });

  let role: Role = 'follower';
  let scheduler: Scheduler | undefined;
  let closing = false;
  let wake: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (wake = resolve));

  // What the leader runs: this one scheduler, on the fenced store instead of etcd's endpoints.
  const { etcd: _endpoints, ...single } = options;
  const lead = async (leadership: Leadership): Promise<void> => {
    const electedAt = performance.now();
    await follower?.close();
    follower = undefined;
    // The leader's ArtifactStore owns the directory from here (its load removes temp files).
    await mirror.stop();
    try {
      scheduler = await startScheduler({
        ...single,
        logger,
        grpcListen: grpcAddress,
        httpListen: httpAddress,
        store: cluster.openStore(leadership),
        restoreGraceMs: options.failoverGraceMs,
        leaderEpoch: Number(leadership.epoch),
        openedTls: { source: tls },
      });
    } catch (err) {
      logger.error('could not start as leader; resigning', { error: (err as Error).message });
      await leadership.resign().catch(() => undefined);
      follower = await startFollower(grpcAddress, httpAddress);
      mirror.start();
      await sleep(RETRY_AFTER_FAILED_START_MS);
      return;
    }
    role = 'leader';
    const stopCompaction = cluster.startCompaction(leadership, COMPACTION);
    const startMs = Math.round(performance.now() - electedAt);
    logger.info('leading', { epoch: leadership.epoch, grpcAddress: self.grpc, startMs });
    const why = await Promise.race([leadership.lost, closed.then(() => undefined)]);
    stopCompaction();
    const s = scheduler;
    scheduler = undefined;
    if (why === undefined) {
      // Our own shutdown: flush what is in flight, then hand over at once.
      await s.close();
      await leadership.resign().catch((err: unknown) => logger.warn('could not resign', { err }));
      role = 'stopped';
      return;
    }
    // Another may lead already: stop at once (writes are fenced anyway), then stand by.
    logger.warn('lost leadership: stopped scheduling', { why, epoch: leadership.epoch });
    role = 'follower';
    await s.close().catch((err: unknown) => logger.warn('closing after losing leadership', { err }));
    if (!closing) {
      follower = await startFollower(grpcAddress, httpAddress);
      mirror.start();
    }
  };

  const loop = (async () => {
    while (!closing) {
      let leadership: Leadership;
      try {
        leadership = await Promise.race([
          cluster.election.campaign(JSON.stringify(self)),
          closed.then(() => Promise.reject(new Error('closing'))),
        ]);
      } catch (err) {
        if (closing) return;
        logger.warn('campaign failed; retrying', { error: (err as Error).message });
        await sleep(RETRY_AFTER_FAILED_START_MS);
        continue;
      }
      if (closing) {
        await leadership.resign().catch(() => undefined);
        return;
      }
      await lead(leadership);
    }
  })();

  return {
    options,
    grpcAddress,
    httpAddress,
    role: () => role,
    current: () => scheduler,
    leader: () => (role === 'leader' ? self : leaderElse()),
    // One TLS source for both roles (the follower's listeners and the leader's): one reload.
    reloadTls: () => reloadTls(tls, logger),
    async close() {
      if (closing) return loop;
      closing = true;
      wake();
      await loop.catch((err: unknown) => logger.error('scheduler loop failed', { err }));
      role = 'stopped';
      await follower?.close();
      await mirror.stop();
      unobserve();
      await cluster.close();
      logger.info('scheduler stopped');
    },
  };
}
