// Wires one scheduler together: durable store, node table + placement engine, workload manager,
// bearer tokens, the gRPC services (Scheduler, Pipelines, Jobs and Tokens for clients, NodeRegistry for
// agents; every call through the token guard) and the HTTP endpoint with the HTTP API (the same
// calls, guard and audit log as gRPC).
// Wiring in start-up order (and its shutdown in reverse), no decisions: each part it wires lives in
// its own folder, its options in options.ts.
import {
  CallRateLimiter,
  clientTls,
  createLogger,
  createMoServer,
  identityOf,
  DEFAULT_CALL_RATE_LIMITS,
  openAuditLog,
  openTls,
  reloadTls,
  parseAddress,
  startMetricsServer,
  StreamLimits,
} from '@mo/api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterEvents } from './events/cluster-events.js';
import { DEFAULT_RETENTION } from './events/ring.js';
import { createSchedulerMetrics } from './metrics/registry.js';
import { PlacementEngine } from './placement/index.js';
import { AgentPool } from './registry/agent-pool.js';
import { NodeTable, toNodeRecord, type NodeRecord } from './registry/nodes.js';
import { RegistryService } from './server/registry-service.js';
import { SchedulerService } from './server/scheduler-service.js';
import { openSqliteStore } from './store/sqlite-store.js';
import { logPersistFailure } from './store/store.js';
import { PipelineManager } from './pipelines/manager.js';
import { ArtifactStore } from './pipelines/artifacts.js';
import { artifactHandlers } from './server/artifact-handlers.js';
import { ReplicaAcks } from './ha/replica-acks.js';
import type { ServerCall } from './server/server-call.js';
import type { NodeCaller } from './registry/binding.js';
import type { ArtifactCaller } from './pipelines/artifact-access.js';
import { PipelineService } from './server/pipeline-service.js';
import { JobManager } from './jobs/manager.js';
import { JobService } from './server/job-service.js';
import { NodeDrains } from './drain/manager.js';
import { JobCalls } from './service/job-calls.js';
import { TokenService } from './server/token-service.js';
import { createHttpApi } from './http-api/index.js';
import { dashboardHandler } from '@mo/dashboard';
import { PipelineCalls } from './service/pipeline-calls.js';
import { SchedulerCalls } from './service/scheduler-calls.js';
import { openTokens, schedulerGuard, type TokenTable } from './tokens/index.js';
import { toNode, toScheduledWorkload } from './server/convert.js';
import { WorkloadManager } from './workloads/manager.js';
import { resolveSchedulerOptions, type SchedulerOptions } from './options.js';

export const SCHEDULER_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Scheduler {
  readonly options: SchedulerOptions;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly manager: WorkloadManager;
  readonly pipelines: PipelineManager;
  readonly jobs: JobManager;
  readonly nodes: NodeTable;
  readonly tokens: TokenTable;
  /** Reads the TLS files again (SIGHUP): new connections use them; a failure keeps the old ones. */
  reloadTls(): void;
  close(): Promise<void>;
}

/** The caller of a NodeRegistry call as the node binding sees it (registry/binding.ts). */
function nodeCallerOf(call: ServerCall): NodeCaller {
  const id = identityOf(call);
  return id?.kind === 'agent' ? { kind: 'agent', node: id.node } : { kind: 'insecure' };
}

/** The caller of an artifact transfer as the artifact rules see it (pipelines/artifact-access.ts). */
function artifactCallerOf(call: ServerCall): ArtifactCaller {
  const id = identityOf(call);
  if (id?.kind === 'agent') return { kind: 'agent', node: id.node };
  if (id?.kind === 'client' || id?.kind === 'token') return { kind: 'client', name: id.name };
  if (id?.kind === 'scheduler') return { kind: 'scheduler' }; // another scheduler's artifact mirror
  return { kind: 'anyone' };
}

export async function startScheduler(partial: Partial<SchedulerOptions> = {}): Promise<Scheduler> {
  const options = resolveSchedulerOptions(partial);
  const logger = options.logger ?? createLogger(options.logLevel, { component: 'scheduler' });
  const startedAtMs = Date.now();
  // Its certificate (scheduler.mo) serves clients and agents, and dials agents.
  const tls = options.openedTls ? options.openedTls.source : openTls(options, { kind: 'scheduler' }, logger);
  const store = options.store ?? openSqliteStore(join(options.dataDir, 'scheduler.db'));

  const engine = new PlacementEngine({
    defaultStrategy: options.defaultStrategy,
    reservedWeight: options.reservedWeight,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const agents = new AgentPool({
    credentials: tls ? { tls: clientTls(tls) } : { insecure: true },
    leaderEpoch: options.leaderEpoch ?? 0,
  });
  const streams = new StreamLimits(options.maxStreams, { stallTimeoutMs: options.streamStallTimeoutMs });
  let events: ClusterEvents;
  try {
    // Converters run at publish time, once everything below exists.
    events = await ClusterEvents.open({
      store,
      retention: { ...DEFAULT_RETENTION, maxEvents: options.eventsRetained },
      logger,
      toWorkload: (r) => toScheduledWorkload(r),
      toNode: (n) => toNode(n, engine.reservedOf(n.id), manager.runningOn(n.id)),
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const saveNode = (id: string) => {
    const n = nodes.get(id);
    if (!n) return;
    store.commit([{ kind: 'node', id, value: toNodeRecord(n) }]).catch((err: unknown) => {
      logPersistFailure(logger, 'could not persist a node', { id }, err);
    });
  };
  const nodes = new NodeTable(
    {
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      downAfterMs: options.downAfterMs,
      ...(options.idleHeartbeatIntervalMs !== undefined
        ? { idleHeartbeatIntervalMs: options.idleHeartbeatIntervalMs }
        : {}),
      maxHeartbeatsPerSecond: options.maxHeartbeatsPerSecond,
      breakerThreshold: options.breakerThreshold,
      breakerCooldownMs: options.breakerCooldownMs,
      forgetDownAfterMs: options.forgetDownAfterMs,
    },
    engine,
    {
      onDown: (node, gone) => {
        logger.warn('node down', { node: node.name, reason: node.reason });
        saveNode(node.id);
        manager.nodeDown(node, gone); // hooks fire only once everything below exists
      },
      onChange: (node) => {
        events.nodeChanged(node);
        // Registered, back, or its facts changed: what waits may fit there now.
        if (node.state === 'up') manager.nodeChanged(node.id);
      },
      onForget: (node, reason) => {
        logger.info('node forgotten', { node: node.name, id: node.id, reason });
        store.commit([{ kind: 'node', id: node.id, value: null }]).catch((err: unknown) => {
          logger.error('could not delete a node record', { id: node.id, err });
        });
        agents.drop(node.id);
        // Its workloads still waiting for it are given up now (restart policies apply).
        manager.nodeDown(node, true);
      },
    },
  );
  const metrics = createSchedulerMetrics(SCHEDULER_VERSION, {
    streams: () => streams.stats(),
    nodeCounts: () => {
      const c = { up: 0, down: 0 };
      for (const n of nodes.list()) c[n.state]++;
      return c;
    },
    workloadCounts: () => manager.stateCounts(),
    queueDepth: () => manager.queueDepth(),
    rejections: () => engine.rejectionCounts(),
  });
  const manager = new WorkloadManager({
    store,
    engine,
    nodes,
    agents,
    logger,
    observer: metrics,
    onChange: (record) => {
      events.workloadChanged(record);
      pipelines.workloadChanged(record);
      jobs.workloadChanged(record);
      drains.workloadChanged(record);
    },
    maxRetainedEnded: options.maxRetainedEnded,
    idempotencyWindowMs: options.idempotencyWindowMs,
    maxPending: options.maxPending,
    defaultLostAfterMs: options.lostAfterMs,
    reconnectKeep: options.reconnectKeep,
  });
  const artifacts = new ArtifactStore({
    dir: join(options.dataDir, 'artifacts'),
    store,
    maxBytesPerStep: options.maxArtifactBytes,
    authorize: (pipelineId, stepId, path, caller): string =>
      pipelines.authorizeUpload(pipelineId, stepId, path, caller),
    authorizeDownload: (pipelineId, stepId, caller): void => pipelines.authorizeDownload(pipelineId, stepId, caller),
  });
  const pipelines = new PipelineManager({
    store,
    workloads: manager,
    artifacts,
    logger,
    maxRunning: options.maxRunningPipelines,
    maxQueued: options.maxQueuedPipelines,
  });
  // Pipeline events on the cluster's sequence too (Watch with include_pipelines, /api/v1/events).
  pipelines.watch({ push: (e) => events.pipelineChanged(e) });
  const jobs = new JobManager({ store, workloads: manager, logger, migrating: (r): boolean => drains.isMigrating(r) });
  const drains = new NodeDrains({ store, nodes, workloads: manager, jobs, logger });
  const jobCalls = new JobCalls({ jobs, nodes, engine });
  // Job events too (Watch with include_jobs or job, /api/v1/events topic job).
  jobs.watch({ push: (e) => events.jobChanged(jobCalls.jobEvent(e)) });

  let tokens: TokenTable;
  try {
    nodes.restore(
      (await store.load('node')).map((r) => r.value as NodeRecord),
      Date.now(),
      options.restoreGraceMs,
    );
    const loaded = await manager.load();
    const { staleTempFiles } = await artifacts.load();
    if (staleTempFiles > 0) logger.info('removed unfinished artifact uploads', { files: staleTempFiles });
    const loadedPipelines = await pipelines.load();
    const loadedJobs = await jobs.load();
    tokens = await openTokens({ store, dataDir: options.dataDir, logger });
    if (loaded > 0 || nodes.size > 0 || loadedPipelines > 0 || loadedJobs > 0) {
      logger.info('state restored', {
        workloads: loaded,
        nodes: nodes.size,
        pipelines: loadedPipelines,
        jobs: loadedJobs,
      });
    }
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }

  const onRequest = (method: string, code: string) => metrics.recordGrpcRequest(method, code);
  let audit;
  try {
    audit = openAuditLog(options.audit, options.dataDir, (err) =>
      err
        ? logger.warn('audit log: lines cannot be written', { error: err.message, strict: options.audit.strict })
        : logger.info('audit log: lines are written again'),
    );
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  // One token table and one limiter for gRPC and the HTTP API: a caller's budget is one. (HTTP
  // refusals are not counted as gRPC requests: no onRequest there.)
  const rates = new CallRateLimiter(options.callRates ?? DEFAULT_CALL_RATE_LIMITS);
  const onRateLimited = (cls: string) => metrics.recordRateLimited(cls);
  const guard = schedulerGuard(tokens, { logger, onRequest, rates, onRateLimited });
  // A client certificate is asked for and verified, not required at the handshake: a caller with
  // a bearer token alone may connect; every call is authenticated and authorized (the guard).
  const server = createMoServer({
    services: ['mo.v1.Scheduler', 'mo.v1.NodeRegistry', 'mo.v1.Pipelines', 'mo.v1.Jobs', 'mo.v1.Tokens'],
    ...(tls ? { tls, requireClientCertificate: false } : { insecure: true }),
    guard,
    ...(audit ? { audit } : {}),
  });
  // The rules of the client API, served by gRPC and by the HTTP API alike.
  const schedulerCalls = new SchedulerCalls({
    manager,
    nodes,
    engine,
    events,
    version: SCHEDULER_VERSION,
    startedAtMs,
    removeNode: (nameOrId) => nodes.removeDown(nameOrId, Date.now()),
    drains,
  });
  const pipelineCalls = new PipelineCalls({ pipelines, workloads: manager });
  new SchedulerService({
    manager,
    nodes,
    engine,
    agents,
    events,
    streams,
    version: SCHEDULER_VERSION,
    startedAtMs,
    removeNode: (nameOrId) => nodes.removeDown(nameOrId, Date.now()),
    drains,
    calls: schedulerCalls,
    onRequest,
  }).addToServer(server.server);
  new RegistryService({
    nodes,
    manager,
    logger,
    saveNode,
    onRequest,
    ...(options.registerRatePerSecond > 0
      ? { registerRate: { ratePerSecond: options.registerRatePerSecond, burst: 2 * options.registerRatePerSecond } }
      : {}),
    streams,
    // Several schedulers: an upload is answered once the followers' mirrors have it (bounded).
    artifacts: artifactHandlers(artifacts, streams, artifactCallerOf, {
      acks: new ReplicaAcks(),
      timeoutMs: options.artifactReplicationTimeoutMs,
      onTimeout: (r, lagging) => {
        metrics.recordReplicationTimeout();
        logger.warn('artifact not replicated within the wait; answered anyway', {
          artifact: `${r.pipelineId}/${r.stepId}/${r.path}`,
          waitedMs: options.artifactReplicationTimeoutMs,
          lagging,
        });
      },
    }),
    callerOf: nodeCallerOf,
    leaderEpoch: options.leaderEpoch ?? 0,
  }).addToServer(server.server);
  new PipelineService({
    pipelines,
    workloads: manager,
    nodes,
    agents,
    streams,
    calls: pipelineCalls,
    onRequest,
  }).addToServer(server.server);
  new JobService({ calls: jobCalls, onRequest }).addToServer(server.server);
  const httpApi = createHttpApi({
    scheduler: schedulerCalls,
    pipelines: pipelineCalls,
    jobs: jobCalls,
    logs: { nodes, agents, streams },
    streams,
    insecure: !tls,
    guard: schedulerGuard(tokens, { logger, rates, onRateLimited }),
    audit,
    onRequest: (method, code) => metrics.recordHttpRequest(method, code),
    ...(options.sseHeartbeatMs ? { heartbeatMs: options.sseHeartbeatMs } : {}),
  });
  new TokenService({ tokens, onRequest }).addToServer(server.server);
  let grpcAddress: string;
  try {
    const { host } = parseAddress(options.grpcListen);
    const port = await server.listen(options.grpcListen);
    grpcAddress = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  } catch (err) {
    audit?.log.close();
    await store.close().catch(() => undefined);
    throw new Error(`cannot listen on ${options.grpcListen} (gRPC): ${(err as Error).message}`, { cause: err });
  }
  let http;
  try {
    http = await startMetricsServer({
      address: options.httpListen,
      registry: metrics.registry,
      ...(tls ? { tls, metricsOpen: options.metricsOpen === true } : {}),
      routes: httpApi,
      pages: dashboardHandler,
      health: () => ({
        ok: true,
        detail: { nodes: nodes.size, queueDepth: manager.queueDepth(), version: SCHEDULER_VERSION },
      }),
    });
  } catch (err) {
    await server.close();
    audit?.log.close();
    await store.close().catch(() => undefined);
    throw err;
  }
  const httpAddress = `${parseAddress(options.httpListen).host}:${http.port}`;
  nodes.start();
  manager.start();
  pipelines.start();
  jobs.start();
  drains.start();
  logger.info('scheduler ready', {
    grpcAddress,
    httpAddress,
    dataDir: options.dataDir,
    auditLog: audit ? audit.log.path : 'off',
    version: SCHEDULER_VERSION,
    pid: process.pid,
    tls: tls ? 'on' : 'off',
  });

  let closing: Promise<void> | undefined;
  return {
    options,
    grpcAddress,
    httpAddress,
    manager,
    pipelines,
    jobs,
    nodes,
    tokens,
    reloadTls: () => reloadTls(tls, logger),
    close() {
      closing ??= (async () => {
        nodes.close();
        drains.close();
        // Uploads under way end (UNAVAILABLE) and their temp files are removed before the server goes.
        await artifacts.close();
        await server.close();
        audit?.log.close();
        events.close();
        await pipelines.close();
        await jobs.close();
        await manager.close();
        await http.close();
        agents.close();
        await store.close();
        logger.info('scheduler stopped');
      })();
      return closing;
    },
  };
}
