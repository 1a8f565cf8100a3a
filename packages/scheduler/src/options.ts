// The scheduler's options: what each is, the defaults, and their checks (each error names the
// option). main.ts reads them from flags and the environment; startScheduler takes them.
import {
  checkSecurity,
  DEFAULT_AUDIT_SETTINGS,
  IDEMPOTENCY_WINDOW_MS,
  isLogLevel,
  parseAddress,
  type AuditSettings,
  type CallRateLimits,
  type Logger,
  type LogLevel,
  type SecurityOptions,
  type TlsSource,
} from '@mo/api';
import { resolve } from 'node:path';
import { DEFAULT_RETENTION } from './events/ring.js';
import type { Strategy } from './placement/types.js';
import type { Store } from './store/store.js';
import type { ReconnectKeep } from './workloads/disconnect.js';
import { DEFAULT_MAX_PENDING } from './workloads/manager.js';

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
   * Heartbeat interval of a node with nothing on it (default 10 × heartbeatIntervalMs; 0 = as a
   * busy node); its down-after stretches by the same ratio (registry/nodes.ts heartbeatTiming).
   */
  idleHeartbeatIntervalMs?: number;
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
  /**
   * Several schedulers on etcd (--store etcd://…): one leads, the others stand by (ha/runner.ts).
   * Unset: one scheduler on SQLite in the data dir.
   */
  etcd?: EtcdTarget;
  /** The election lease (--lease-ttl): a dead leader is replaced within about this long (4 s). */
  leaseTtlMs: number;
  /**
   * After a failover, how long the nodes the new leader restores have to re-register before they
   * can be marked down (Nomad's failover_heartbeat_ttl; default 30 s).
   */
  failoverGraceMs: number;
  /**
   * Several schedulers: how long an artifact upload's answer waits for every live follower mirror
   * to have copied it (--artifact-replication-timeout, 10 s); past it, it is answered anyway.
   */
  artifactReplicationTimeoutMs: number;
  /** Where others reach this scheduler's gRPC / HTTP (--advertise, --advertise-http); default: the bound addresses. */
  advertise?: string;
  advertiseHttp?: string;
  /** Restored nodes' deadline to re-register (default twice downAfterMs); the HA runner sets failoverGraceMs. */
  restoreGraceMs?: number;
  /**
   * This leadership's epoch (the HA runner sets it; 0 for a single scheduler): on every answer to
   * an agent and every order to one, so agents can refuse a deposed leader's (issue 18).
   */
  leaderEpoch?: number;
  /**
   * TLS already opened from these options (the HA runner's, shared by its follower and leader
   * roles so one SIGHUP reloads both); `source` undefined: insecure. Absent: opened at start.
   */
  openedTls?: { source: TlsSource | undefined };
}

/** The etcd cluster several schedulers share (--store etcd://h1:p1,h2:p2[/prefix], --etcd-*). */
export interface EtcdTarget {
  endpoints: string[];
  prefix: string;
  tls?: { caFile: string; certFile: string; keyFile: string };
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
  leaseTtlMs: 4000,
  failoverGraceMs: 30_000,
  artifactReplicationTimeoutMs: 10_000,
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
    'failoverGraceMs',
    'artifactReplicationTimeoutMs',
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
  const idle = o.idleHeartbeatIntervalMs;
  if (idle !== undefined && !(Number.isSafeInteger(idle) && (idle === 0 || idle >= o.heartbeatIntervalMs))) {
    throw new Error(
      `idleHeartbeatIntervalMs: expected 0 or at least heartbeatIntervalMs (${o.heartbeatIntervalMs}), got ${String(idle)}`,
    );
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
  // etcd's lease TTL is whole seconds, at least 2 (a shorter one expires between two keepalives).
  if (!Number.isSafeInteger(o.leaseTtlMs) || o.leaseTtlMs < 2000 || o.leaseTtlMs % 1000 !== 0) {
    throw new Error(`leaseTtlMs: expected whole seconds, at least 2 s, got ${String(o.leaseTtlMs)} ms`);
  }
  if (o.advertise !== undefined) parseAddress(o.advertise);
  if (o.advertiseHttp !== undefined) parseAddress(o.advertiseHttp);
  if (o.etcd && o.store) throw new Error('store: give etcd endpoints or a store, not both');
  checkSecurity(o, 'mo-scheduler');
  o.dataDir = resolve(o.dataDir);
  return o;
}
