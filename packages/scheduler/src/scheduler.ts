// Wires one scheduler together: durable store, node table + placement engine, workload manager,
// bearer tokens, the gRPC services (Scheduler, Pipelines and Tokens for clients, NodeRegistry for
// agents; every call through the token guard) and the HTTP endpoint with the HTTP API (the same
// calls, guard and audit log as gRPC).
// Over ~400 lines: wiring in start-up order (and its shutdown in reverse), no decisions; each part
// it wires lives in its own folder.
import {
  CallRateLimiter,
  checkSecurity,
  clientTls,
  createLogger,
  createMoServer,
  identityOf,
  DEFAULT_AUDIT_SETTINGS,
  DEFAULT_CALL_RATE_LIMITS,
  openAuditLog,
  openTls,
  reloadTls,
  type AuditSettings,
  IDEMPOTENCY_WINDOW_MS,
  isLogLevel,
  parseAddress,
  startMetricsServer,
  StreamLimits,
  type CallRateLimits,
  type Logger,
  type LogLevel,
  type SecurityOptions,
} from '@mo/api';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClusterEvents } from './events/cluster-events.js';
import { DEFAULT_RETENTION } from './events/ring.js';
import { createSchedulerMetrics } from './metrics/registry.js';
import { PlacementEngine } from './placement/index.js';
import type { Strategy } from './placement/types.js';
import { AgentPool } from './registry/agent-pool.js';
import { NodeTable, toNodeRecord, type NodeRecord } from './registry/nodes.js';
import { RegistryService } from './server/registry-service.js';
import { SchedulerService } from './server/scheduler-service.js';
import { openSqliteStore } from './store/index.js';
import type { Store } from './store/store.js';
import { PipelineManager } from './pipelines/manager.js';
import { ArtifactStore } from './pipelines/artifacts.js';
import { artifactHandlers } from './server/artifact-handlers.js';
import type { ServerCall } from './server/server-call.js';
import type { NodeCaller } from './registry/binding.js';
import type { ArtifactCaller } from './pipelines/artifact-access.js';
import { PipelineService } from './server/pipeline-service.js';
import { TokenService } from './server/token-service.js';
import { createHttpApi } from './http-api/index.js';
import { dashboardHandler } from '@mo/dashboard';
import { PipelineCalls } from './service/pipeline-calls.js';
import { SchedulerCalls } from './service/scheduler-calls.js';
import { openTokens, schedulerGuard, type TokenTable } from './tokens/index.js';
import { toNode, toScheduledWorkload } from './server/convert.js';
import type { ReconnectKeep } from './workloads/disconnect.js';
import { DEFAULT_MAX_PENDING, WorkloadManager } from './workloads/manager.js';

export const SCHEDULER_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const MAX_LOST_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

export interface SchedulerOptions extends SecurityOptions {
  /** gRPC listen address (default 127.0.0.1:7600). */
  grpcListen: string;
  /** HTTP /metrics, /healthz and the HTTP API /api/v1 (default 127.0.0.1:7601). */
  httpListen: string;
  /** SQLite database and lock live here (default /var/lib/mo/scheduler). */
  dataDir: string;
  logLevel: LogLevel;
  /** Heartbeat interval for small clusters; it stretches to stay under maxHeartbeatsPerSecond. */
  heartbeatIntervalMs: number;
  /** A node is down after this long without a heartbeat (scaled like the interval). */
  downAfterMs: number;
  /**
   * How long a workload whose node went down stays `unknown` before it is declared lost and
   * replaced, for workloads that do not set their own lost_after (0 = at once).
   */
  lostAfterMs: number;
  /** When a given-up allocation's node returns with it still running: which copy is kept. */
  reconnectKeep: ReconnectKeep;
  maxHeartbeatsPerSecond: number;
  defaultStrategy: Strategy;
  /**
   * How much ranking trusts declared reservations over measured use, 0..1 (default 0.7). 1 ranks
   * on reservations alone: deterministic placement, e.g. for tests on one busy host.
   */
  reservedWeight: number;
  /** Placement PRNG seed (replayable decisions); random when unset. */
  seed?: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  maxRetainedEnded: number;
  /** A node down this long is forgotten (its ended workloads stay readable); 0 = never. */
  forgetDownAfterMs: number;
  /** Registrations per second per source address (burst: twice as many); 0 = unlimited. */
  registerRatePerSecond: number;
  /** Rates per identity and class of call (@mo/api call-rates.ts); default DEFAULT_CALL_RATE_LIMITS. */
  callRates?: CallRateLimits;
  /** How long a submit's idempotency key is remembered, whatever becomes of its workload (24 h). */
  idempotencyWindowMs: number;
  /**
   * Workloads waiting for placement at most: past it, a SubmitWorkload that cannot be placed at
   * once gets RESOURCE_EXHAUSTED (one that can is still accepted; pipeline steps are bounded by the
   * pipeline queue instead).
   */
  maxPending: number;
  /** Pipelines running at once, and waiting for a slot (past it: RESOURCE_EXHAUSTED). */
  maxRunningPipelines: number;
  maxQueuedPipelines: number;
  /** Most bytes one pipeline step's artifacts may total (stored under <dataDir>/artifacts). */
  maxArtifactBytes: number;
  /** Cluster events kept for Watch resumes (also at most 64 MiB and 1 h of them). */
  eventsRetained: number;
  /** Caps on open streams by kind (--max-streams); default DEFAULT_STREAM_CAPS (@mo/api). */
  maxStreams?: Record<string, number>;
  /**
   * A reader that takes nothing (logs, downloads), or an upload that sends nothing, for this long is
   * cut off with RESOURCE_EXHAUSTED (default 30 s).
   */
  streamStallTimeoutMs?: number;
  /** Between two heartbeat comments of an idle event stream (GET /api/v1/events; default 15 s). */
  sseHeartbeatMs?: number;
  /** The audit log (--audit-log and friends): on by default, in <dataDir>/audit.jsonl. */
  audit: AuditSettings;
  logger?: Logger;
  /** A store to use instead of SQLite in the data dir (benchmarks, other backends). */
  store?: Store;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  grpcListen: '127.0.0.1:7600',
  httpListen: '127.0.0.1:7601',
  dataDir: '/var/lib/mo/scheduler',
  logLevel: 'info',
  heartbeatIntervalMs: 1000,
  downAfterMs: 5000,
  lostAfterMs: 30_000,
  reconnectKeep: 'original',
  maxHeartbeatsPerSecond: 50,
  defaultStrategy: 'spread',
  reservedWeight: 0.7,
  breakerThreshold: 3,
  breakerCooldownMs: 30_000,
  maxRetainedEnded: 10_000,
  forgetDownAfterMs: 24 * 60 * 60 * 1000,
  registerRatePerSecond: 10,
  idempotencyWindowMs: IDEMPOTENCY_WINDOW_MS,
  maxPending: DEFAULT_MAX_PENDING,
  maxRunningPipelines: 32,
  maxQueuedPipelines: 1000,
  maxArtifactBytes: 256 * 1024 * 1024,
  eventsRetained: DEFAULT_RETENTION.maxEvents,
  audit: DEFAULT_AUDIT_SETTINGS,
};

/** Fills defaults and validates; each error names the option. */
export function resolveSchedulerOptions(partial: Partial<SchedulerOptions> = {}): SchedulerOptions {
  const o: SchedulerOptions = { ...DEFAULT_SCHEDULER_OPTIONS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  parseAddress(o.grpcListen);
  parseAddress(o.httpListen);
  if (!isLogLevel(o.logLevel)) throw new Error(`log level: expected debug|info|warn|error, got "${o.logLevel}"`);
  for (const k of [
    'heartbeatIntervalMs',
    'downAfterMs',
    'maxHeartbeatsPerSecond',
    'breakerThreshold',
    'breakerCooldownMs',
    'maxRetainedEnded',
    'idempotencyWindowMs',
    'maxPending',
    'maxRunningPipelines',
    'maxQueuedPipelines',
    'maxArtifactBytes',
    'eventsRetained',
  ] as const) {
    const v = o[k];
    if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${k}: expected a positive integer, got ${String(v)}`);
  }
  if (
    o.streamStallTimeoutMs !== undefined &&
    !(Number.isSafeInteger(o.streamStallTimeoutMs) && o.streamStallTimeoutMs > 0)
  ) {
    throw new Error(`streamStallTimeoutMs: expected a positive integer, got ${String(o.streamStallTimeoutMs)}`);
  }
  if (o.sseHeartbeatMs !== undefined && !(Number.isSafeInteger(o.sseHeartbeatMs) && o.sseHeartbeatMs > 0)) {
    throw new Error(`sseHeartbeatMs: expected a positive integer, got ${String(o.sseHeartbeatMs)}`);
  }
  if (o.downAfterMs <= o.heartbeatIntervalMs) {
    throw new Error(
      `downAfterMs (${o.downAfterMs}) must be longer than heartbeatIntervalMs (${o.heartbeatIntervalMs})`,
    );
  }
  if (!(o.reservedWeight >= 0 && o.reservedWeight <= 1)) {
    throw new Error(`reservedWeight: expected a number from 0 to 1, got ${String(o.reservedWeight)}`);
  }
  if (!Number.isSafeInteger(o.lostAfterMs) || o.lostAfterMs < 0 || o.lostAfterMs > MAX_LOST_AFTER_MS) {
    throw new Error(`lostAfterMs: expected 0 to ${MAX_LOST_AFTER_MS} ms (30 days), got ${String(o.lostAfterMs)}`);
  }
  for (const k of ['forgetDownAfterMs', 'registerRatePerSecond'] as const) {
    const v = o[k];
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${k}: expected 0 or a positive integer, got ${String(v)}`);
  }
  if (o.reconnectKeep !== 'original' && o.reconnectKeep !== 'replacement') {
    throw new Error(`reconnect keep: expected original|replacement, got "${String(o.reconnectKeep)}"`);
  }
  if (o.defaultStrategy !== 'spread' && o.defaultStrategy !== 'binpack') {
    throw new Error(`default strategy: expected spread|binpack, got "${String(o.defaultStrategy)}"`);
  }
  checkSecurity(o, 'mo-scheduler');
  o.dataDir = resolve(o.dataDir);
  return o;
}

export interface Scheduler {
  readonly options: SchedulerOptions;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly manager: WorkloadManager;
  readonly pipelines: PipelineManager;
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
  return { kind: 'anyone' };
}

export async function startScheduler(partial: Partial<SchedulerOptions> = {}): Promise<Scheduler> {
  const options = resolveSchedulerOptions(partial);
  const logger = options.logger ?? createLogger(options.logLevel, { component: 'scheduler' });
  const startedAtMs = Date.now();
  // Its certificate (scheduler.mo) serves clients and agents, and dials agents.
  const tls = openTls(options, { kind: 'scheduler' }, logger);
  const store = options.store ?? openSqliteStore(join(options.dataDir, 'scheduler.db'));

  const engine = new PlacementEngine({
    defaultStrategy: options.defaultStrategy,
    reservedWeight: options.reservedWeight,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const agents = new AgentPool({ credentials: tls ? { tls: clientTls(tls) } : { insecure: true } });
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
      logger.error('could not persist a node', { id, err });
    });
  };
  const nodes = new NodeTable(
    {
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      downAfterMs: options.downAfterMs,
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

  let tokens: TokenTable;
  try {
    nodes.restore(
      (await store.load('node')).map((r) => r.value as NodeRecord),
      Date.now(),
    );
    const loaded = await manager.load();
    const { staleTempFiles } = await artifacts.load();
    if (staleTempFiles > 0) logger.info('removed unfinished artifact uploads', { files: staleTempFiles });
    const loadedPipelines = await pipelines.load();
    tokens = await openTokens({ store, dataDir: options.dataDir, logger });
    if (loaded > 0 || nodes.size > 0 || loadedPipelines > 0) {
      logger.info('state restored', { workloads: loaded, nodes: nodes.size, pipelines: loadedPipelines });
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
    services: ['mo.v1.Scheduler', 'mo.v1.NodeRegistry', 'mo.v1.Pipelines', 'mo.v1.Tokens'],
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
    artifacts: artifactHandlers(artifacts, streams, artifactCallerOf),
    callerOf: nodeCallerOf,
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
  const httpApi = createHttpApi({
    scheduler: schedulerCalls,
    pipelines: pipelineCalls,
    logs: { nodes, agents, streams },
    events,
    streams,
    insecure: !tls,
    guard: schedulerGuard(tokens, { logger, rates, onRateLimited }),
    audit,
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
    nodes,
    tokens,
    reloadTls: () => reloadTls(tls, logger),
    close() {
      closing ??= (async () => {
        nodes.close();
        // Uploads under way end (UNAVAILABLE) and their temp files are removed before the server goes.
        await artifacts.close();
        await server.close();
        audit?.log.close();
        events.close();
        await pipelines.close();
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
