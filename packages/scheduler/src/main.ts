// `mo-scheduler` / `mo scheduler`: flags and MO_* environment -> startScheduler. SIGTERM/SIGINT
// close it cleanly (in-flight writes are flushed); workloads keep running on their agents. SIGHUP
// reloads the TLS files.
import {
  AUDIT_FLAG_OPTIONS,
  AUDIT_HELP,
  SECURITY_FLAG_OPTIONS,
  SECURITY_HELP,
  flagReader,
  parseAuditFlags,
  parseCallRateLimits,
  parseStreamCaps,
  readSecurityFlags,
  runDaemon,
} from '@mo/api';
import { parseArgs } from 'node:util';
import { SCHEDULER_VERSION, startScheduler } from './scheduler.js';
import type { EtcdTarget, SchedulerOptions } from './options.js';
import { parseStoreUrl } from './store/etcd/options.js';

const HELP = `Usage: mo-scheduler [options]

Runs the mo scheduler: keeps the cluster's state, places workloads on agents, serves the mo CLI.

Options (each also settable by environment):
  --grpc-listen ADDR        client API + node registry   MO_SCHEDULER_GRPC_LISTEN  (127.0.0.1:7600)
  --http-listen ADDR        /metrics, /healthz, /api/v1  MO_SCHEDULER_HTTP_LISTEN  (127.0.0.1:7601)
  --data-dir DIR            SQLite state (WAL) + lock    MO_DATA_DIR               (/var/lib/mo/scheduler)
  --log-level LEVEL         debug|info|warn|error        MO_LOG_LEVEL              (info)
  --heartbeat-interval DUR  agents' heartbeat, small     MO_HEARTBEAT_INTERVAL     (1s)
                            clusters (stretches so the
                            cluster stays under the rate)
  --down-after DUR          node down after silence      MO_DOWN_AFTER             (5s)
  --idle-heartbeat-interval DUR                          MO_IDLE_HEARTBEAT_INTERVAL
                            a node with no workloads     (10 × --heartbeat-interval)
                            beats this often; down-after
                            scales with it (0 = as busy)
  --lost-after DUR          a down node's workloads are  MO_LOST_AFTER             (30s)
                            unknown this long, then lost
                            and replaced (0 = at once;
                            a workload may set its own)
  --reconnect-keep K        original|replacement: the    MO_RECONNECT_KEEP         (original)
                            copy kept when a node returns
                            with a replaced one running
  --max-heartbeat-rate N    cluster heartbeats/s budget  MO_MAX_HEARTBEAT_RATE     (50)
  --default-strategy S      spread|binpack               MO_DEFAULT_STRATEGY       (spread)
  --seed N                  placement PRNG seed (replay) MO_PLACEMENT_SEED         (random)
  --reserved-weight W       ranking: declared vs measured MO_RESERVED_WEIGHT       (0.7)
                            use, 0..1 (1 = declared only)
  --breaker-threshold N     failed starts before a node  MO_BREAKER_THRESHOLD      (3)
                            is avoided
  --breaker-cooldown DUR    how long it is avoided       MO_BREAKER_COOLDOWN       (30s)
  --max-ended N             ended workloads kept         MO_MAX_ENDED              (10000)
  --forget-down-after DUR   a node down this long is     MO_FORGET_DOWN_AFTER      (24h)
                            forgotten (0 = never; mo
                            node rm forgets one at once)
  --register-rate N         registrations/s per source   MO_REGISTER_RATE          (10)
                            address, burst 2N (0 = off)
  --rate-limit CLASS=R[/B],... calls/s per identity      MO_RATE_LIMIT             (mutating=100/500,
                            (burst B, default 5R; off =    register=1/10,heartbeat=200/400)
                            none) by class: mutating,
                            register, heartbeat
  --idempotency-window DUR  submit keys remembered, even MO_IDEMPOTENCY_WINDOW      (24h)
                            once their workload is gone
  --max-pending N           workloads waiting to be      MO_MAX_PENDING            (100000)
                            placed; past it, a submit
                            that must wait gets
                            RESOURCE_EXHAUSTED
  --max-running-pipelines N pipelines run at once        MO_MAX_RUNNING_PIPELINES  (32)
  --max-queued-pipelines N  pipelines waiting; past it   MO_MAX_QUEUED_PIPELINES   (1000)
                            submits get RESOURCE_EXHAUSTED
  --max-artifact-bytes N    a pipeline step's artifacts, MO_MAX_ARTIFACT_BYTES     (256 MiB)
                            in all (stored in the data dir)
  --events-retained N       cluster events kept for Watch MO_EVENTS_RETAINED        (10000)
                            resumes (also ≤ 64 MiB, 1 h)
  --max-streams KIND=N,...  streams open at once, by     MO_MAX_STREAMS            (logs=256,
                            kind: logs, upload, download,  upload=64,download=64,heartbeat=10000,
                            heartbeat, watch,              watch=256,watch_pipelines=256)
                            watch_pipelines; past it RESOURCE_EXHAUSTED
  --stream-stall-timeout DUR a reader that takes nothing MO_STREAM_STALL_TIMEOUT   (30s)
                            or an upload that sends nothing this long is cut off
  --sse-heartbeat DUR       comment line on idle event   MO_SSE_HEARTBEAT          (15s)
                            streams (GET /api/v1/events)

Several schedulers (one leads, the others stand by and redirect callers to it):
  --store URL               sqlite (the data dir) or     MO_STORE                  (sqlite)
                            etcd://h1:2379,h2:2379[/prefix]
  --etcd-ca FILE            TLS to etcd: its CA, and     MO_ETCD_CA
  --etcd-cert FILE          this scheduler's client      MO_ETCD_CERT
  --etcd-key FILE           certificate and key          MO_ETCD_KEY
  --lease-ttl DUR           leader lease (whole seconds, MO_LEASE_TTL              (4s)
                            ≥ 2s): failover within it
  --failover-grace DUR      after a failover, nodes have MO_FAILOVER_GRACE         (30s)
                            this long to re-register
  --artifact-replication-timeout DUR
                            an artifact upload's answer  MO_ARTIFACT_REPLICATION_TIMEOUT (10s)
                            waits this long for every
                            follower to copy it
  --advertise ADDR          gRPC address others reach    MO_ADVERTISE              (the bound one)
                            this scheduler at
  --advertise-http ADDR     HTTP address the same way    MO_ADVERTISE_HTTP         (the bound one)
  -h, --help                show this help
  -V, --version             print the version

${AUDIT_HELP}

${SECURITY_HELP}

NodeRegistry is served to agent certificates, the client API (Scheduler, Pipelines, Tokens) to
client certificates and bearer tokens with the access each method needs (read, operate, admin).
SIGHUP reloads the TLS files (a failed reload keeps the old ones). Durations: 500ms, 5s, 2m, or
plain milliseconds. Logs are JSON lines on stderr.`;

export function parseSchedulerArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Partial<SchedulerOptions> | 'help' | 'version' {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'grpc-listen': { type: 'string' },
      'http-listen': { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      'down-after': { type: 'string' },
      'idle-heartbeat-interval': { type: 'string' },
      'lost-after': { type: 'string' },
      'reconnect-keep': { type: 'string' },
      'max-heartbeat-rate': { type: 'string' },
      'default-strategy': { type: 'string' },
      seed: { type: 'string' },
      'reserved-weight': { type: 'string' },
      'breaker-threshold': { type: 'string' },
      'breaker-cooldown': { type: 'string' },
      'max-ended': { type: 'string' },
      'forget-down-after': { type: 'string' },
      'register-rate': { type: 'string' },
      'rate-limit': { type: 'string' },
      'idempotency-window': { type: 'string' },
      'max-pending': { type: 'string' },
      'max-running-pipelines': { type: 'string' },
      'max-queued-pipelines': { type: 'string' },
      'max-artifact-bytes': { type: 'string' },
      'events-retained': { type: 'string' },
      'max-streams': { type: 'string' },
      'stream-stall-timeout': { type: 'string' },
      'sse-heartbeat': { type: 'string' },
      store: { type: 'string' },
      'etcd-ca': { type: 'string' },
      'etcd-cert': { type: 'string' },
      'etcd-key': { type: 'string' },
      'lease-ttl': { type: 'string' },
      'failover-grace': { type: 'string' },
      'artifact-replication-timeout': { type: 'string' },
      advertise: { type: 'string' },
      'advertise-http': { type: 'string' },
      ...AUDIT_FLAG_OPTIONS,
      ...SECURITY_FLAG_OPTIONS,
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  const { str: pick, label, int, duration, address, fraction, logLevel: readLogLevel } = flagReader(values, env);
  const logLevel = readLogLevel();
  const maxStreams = pick('max-streams', 'MO_MAX_STREAMS');
  const rateLimit = pick('rate-limit', 'MO_RATE_LIMIT');
  const strategy = pick('default-strategy', 'MO_DEFAULT_STRATEGY');
  if (strategy !== undefined && strategy !== 'spread' && strategy !== 'binpack') {
    throw new Error(`${label('default-strategy', 'MO_DEFAULT_STRATEGY')}: expected spread|binpack, got "${strategy}"`);
  }
  const keep = pick('reconnect-keep', 'MO_RECONNECT_KEEP');
  if (keep !== undefined && keep !== 'original' && keep !== 'replacement') {
    throw new Error(`${label('reconnect-keep', 'MO_RECONNECT_KEEP')}: expected original|replacement, got "${keep}"`);
  }
  const options: Partial<SchedulerOptions> = {
    ...readSecurityFlags(values, env),
    etcd: etcdTarget(pick, label),
    leaseTtlMs: duration('lease-ttl', 'MO_LEASE_TTL'),
    failoverGraceMs: duration('failover-grace', 'MO_FAILOVER_GRACE'),
    artifactReplicationTimeoutMs: duration('artifact-replication-timeout', 'MO_ARTIFACT_REPLICATION_TIMEOUT'),
    advertise: address('advertise', 'MO_ADVERTISE'),
    advertiseHttp: address('advertise-http', 'MO_ADVERTISE_HTTP'),
    grpcListen: address('grpc-listen', 'MO_SCHEDULER_GRPC_LISTEN'),
    httpListen: address('http-listen', 'MO_SCHEDULER_HTTP_LISTEN'),
    dataDir: pick('data-dir', 'MO_DATA_DIR'),
    logLevel,
    heartbeatIntervalMs: duration('heartbeat-interval', 'MO_HEARTBEAT_INTERVAL'),
    downAfterMs: duration('down-after', 'MO_DOWN_AFTER'),
    idleHeartbeatIntervalMs: duration('idle-heartbeat-interval', 'MO_IDLE_HEARTBEAT_INTERVAL', true),
    lostAfterMs: duration('lost-after', 'MO_LOST_AFTER', true),
    reconnectKeep: keep,
    maxHeartbeatsPerSecond: int('max-heartbeat-rate', 'MO_MAX_HEARTBEAT_RATE'),
    defaultStrategy: strategy,
    seed: int('seed', 'MO_PLACEMENT_SEED', true),
    reservedWeight: fraction('reserved-weight', 'MO_RESERVED_WEIGHT'),
    breakerThreshold: int('breaker-threshold', 'MO_BREAKER_THRESHOLD'),
    breakerCooldownMs: duration('breaker-cooldown', 'MO_BREAKER_COOLDOWN'),
    maxRetainedEnded: int('max-ended', 'MO_MAX_ENDED'),
    forgetDownAfterMs: duration('forget-down-after', 'MO_FORGET_DOWN_AFTER', true),
    registerRatePerSecond: int('register-rate', 'MO_REGISTER_RATE', true),
    idempotencyWindowMs: duration('idempotency-window', 'MO_IDEMPOTENCY_WINDOW'),
    maxPending: int('max-pending', 'MO_MAX_PENDING'),
    maxRunningPipelines: int('max-running-pipelines', 'MO_MAX_RUNNING_PIPELINES'),
    maxQueuedPipelines: int('max-queued-pipelines', 'MO_MAX_QUEUED_PIPELINES'),
    maxArtifactBytes: int('max-artifact-bytes', 'MO_MAX_ARTIFACT_BYTES'),
    eventsRetained: int('events-retained', 'MO_EVENTS_RETAINED'),
    maxStreams:
      maxStreams === undefined ? undefined : parseStreamCaps(maxStreams, label('max-streams', 'MO_MAX_STREAMS')),
    streamStallTimeoutMs: duration('stream-stall-timeout', 'MO_STREAM_STALL_TIMEOUT'),
    sseHeartbeatMs: duration('sse-heartbeat', 'MO_SSE_HEARTBEAT'),
    callRates:
      rateLimit === undefined ? undefined : parseCallRateLimits(rateLimit, label('rate-limit', 'MO_RATE_LIMIT')),
    audit: parseAuditFlags(values, env),
  } as Partial<SchedulerOptions>;
  return options;
}

/** --store and --etcd-*: the etcd cluster several schedulers share, or undefined for SQLite. */
function etcdTarget(
  pick: (flag: string, envName: string) => string | undefined,
  label: (flag: string, envName: string) => string,
): EtcdTarget | undefined {
  const url = pick('store', 'MO_STORE');
  const files = {
    caFile: pick('etcd-ca', 'MO_ETCD_CA'),
    certFile: pick('etcd-cert', 'MO_ETCD_CERT'),
    keyFile: pick('etcd-key', 'MO_ETCD_KEY'),
  };
  const given = Object.values(files).filter((f) => f !== undefined).length;
  let parsed: ReturnType<typeof parseStoreUrl> | undefined;
  try {
    parsed = url === undefined ? undefined : parseStoreUrl(url);
  } catch (err) {
    throw new Error((err as Error).message.replace(/^--store/, label('store', 'MO_STORE')), { cause: err });
  }
  if (!parsed || parsed.kind === 'sqlite') {
    if (given > 0) throw new Error(`${label('etcd-ca', 'MO_ETCD_CA')}: only with --store etcd://…`);
    return undefined;
  }
  if (given !== 0 && given !== 3) {
    throw new Error(`${label('etcd-ca', 'MO_ETCD_CA')}: give --etcd-ca, --etcd-cert and --etcd-key together`);
  }
  return {
    // TLS to etcd means https members.
    endpoints: given === 3 ? parsed.endpoints.map((e) => e.replace(/^http:/, 'https:')) : parsed.endpoints,
    prefix: parsed.prefix,
    ...(given === 3 ? { tls: files as EtcdTarget['tls'] & object } : {}),
  };
}

/** Runs the scheduler until SIGTERM/SIGINT. Exit code 2 for bad flags, 1 if it cannot start. */
export function main(argv: string[]): Promise<void> {
  return runDaemon(
    {
      name: 'mo-scheduler',
      help: HELP,
      version: SCHEDULER_VERSION,
      parse: (args) => parseSchedulerArgs(args),
      // Several schedulers on etcd: a follower until elected (ha/runner.ts). Loaded only then: the
      // etcd client and its protobuf runtime are ~17 MiB of RSS a SQLite scheduler never uses.
      start: async (options): Promise<{ close(): Promise<void>; reloadTls(): void }> =>
        options.etcd ? (await import('./ha/runner.js')).startHaScheduler(options) : startScheduler(options),
      onStarted: (scheduler) => process.on('SIGHUP', () => scheduler.reloadTls()),
    },
    argv,
  );
}
