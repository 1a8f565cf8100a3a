/**
 * @mo/api — mo's wire contract for TypeScript.
 *
 * ```ts
 * import { AgentClient, WorkloadState, loadClientTls } from '@mo/api';
 * // Agents serve the scheduler's certificate alone; the client checks it reaches node n1.
 * const tls = loadClientTls({ ca: 'ca.pem', cert: 'scheduler.pem', key: 'scheduler-key.pem' });
 * const agent = new AgentClient('127.0.0.1:7610', { tls, peer: { kind: 'agent', node: 'n1' } });
 * const w = await agent.startWorkload({ argv: ['sleep', '10'] });
 * if (w.state === WorkloadState.WORKLOAD_STATE_RUNNING) await agent.stopWorkload(w.spec!.id);
 * ```
 *
 * Exports: the typed service tree (`moProto`, built by mo's own codec) and its loader options, generated message types,
 * promise clients (`AgentClient` for agents, `SchedulerClient`, `PipelineClient`, `JobClient` and `TokenClient` for the scheduler, `RegistryClient`
 * for agents reporting to it), server plumbing (`createMoServer`, `unaryHandler`: health and
 * reflection on every server; keepalive on every connection, `KEEPALIVE_TIME_MS` and friends), the
 * domain errors with their gRPC status mapping, the daemon helpers both daemons share (JSON
 * logger, ULID ids, the /metrics + /healthz HTTP server), and the one way to arm a timer (`after`,
 * `every`, `sleep`: clamped to what Node honours, long delays re-armed), the one normalised workload spec (`NormalizedWorkloadSpec`, `specToWire`, state names), paging (`fillPage`,
 * page tokens, `followPages`; the clients' `listAll*` / `getFull*` follow every page), token-bucket
 * rate limits (`TokenBucket`, `KeyedRateLimiter`), the NodeRegistry's page and rate limits
 * (`REGISTRY_PAGE`…). Identity and access (issue 13): `Identity` and `describeIdentity`, roles read
 * from certificates (`identityFromCertificate`), who may call what (`authorize` and its
 * `METHOD_RULES`), bearer tokens' text and hash, `callGuard` for servers (rates per identity:
 * `CallRateLimiter`), `identityOf(call)` for handlers; TLS material (`TlsSource`: loaded from
 * files, reloaded on SIGHUP; `loadClientTls` / `clientTls` for clients; `checkPeerRole`: the
 * server's role, not its host name) and the daemons' security flags (`readSecurityFlags`,
 * `openTls`, `reloadTls`); the audit log (`AuditLog`, `auditInterceptor` for `createMoServer`'s
 * `audit` option, the daemons' `--audit-*` flags: `parseAuditFlags`, `openAuditLog`).
 */
export { LOADER_OPTIONS, PROTO_ROOT, moProto, serviceDefinition, type MoProto } from './proto.js';
export { HEALTH_SERVICE, HealthService, type ServingStatus } from './health.js';
export {
  AgentClient,
  PipelineClient,
  RegistryClient,
  SchedulerClient,
  followWatch,
  quietGrpcLogs,
  type ClientOptions,
  type FollowOptions,
} from './client.js';
export { TokenClient } from './token-client.js';
export { JobClient } from './job-client.js';
export { CONNECT_TIMEOUT_MS, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, SERVER_KEEPALIVE_TIME_MS } from './keepalive.js';
// The audit log: JSONL writer, the per-method table, the server interceptor, daemon flags.
export { AuditLog, type AuditLogOptions } from './audit/writer.js';
export { formatAuditLine, LINE_MAX_BYTES, type AuditRecord, type AuditTargets } from './audit/record.js';
export { AUDIT_METHODS, auditMethod, isRecorded, type AuditKind, type AuditMethod } from './audit/methods.js';
export {
  AUDIT_UNAVAILABLE_MESSAGE,
  auditInterceptor,
  type AuditCallInfo,
  type AuditOptions,
  type Identify,
} from './audit/interceptor.js';
export { guardIdentify, UNAUTHENTICATED_IDENTITY } from './audit/identify.js';
export { auditCall, type AuditedCall } from './audit/call.js';
export {
  AUDIT_FILE_NAME,
  AUDIT_FLAG_OPTIONS,
  AUDIT_HELP,
  DEFAULT_AUDIT_SETTINGS,
  openAuditLog,
  parseAuditFlags,
  type AuditSettings,
} from './audit/settings.js';
export {
  MAX_MESSAGE_BYTES,
  countedUnary,
  createMoServer,
  unaryHandler,
  type MoServer,
  type MoServerOptions,
} from './server.js';
export {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  MoError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  NodeUnreachableError,
  parseNodeUnreachable,
  tidyConnectError,
  fromServiceError,
  statusName,
  toServiceError,
  truncateForError,
  ERROR_ECHO_CHARS,
} from './errors.js';
export * from './types.js';
// Several schedulers: a follower's redirect to the leader, and address lists (issue 18).
export {
  LEADER_HTTP_KEY,
  LEADER_KEY,
  NOT_LEADER,
  NotLeaderError,
  notLeaderStatus,
  redirectOf,
  splitAddresses,
  type LeaderAddress,
} from './leader.js';
// Where a client given several scheduler addresses calls next (the clients apply it).
export {
  FIRST_ROUND,
  MAX_LEARNED_ADDRESSES,
  addressList,
  chooseAfterFailure,
  failureOf,
  following,
  learnAddress,
  retrySafe,
  type Choice,
  type FailedCall,
  type Failure,
  type Round,
} from './leader-choice.js';
// Identity and access: the access table (who may call what), bearer tokens, the per-call guard.
export {
  ACCESS_LEVELS,
  METHOD_RULES,
  accessIncludes,
  authorize,
  callClassOf,
  isAccess,
  type MethodRule,
  type PeerRole,
  type Verdict,
} from './auth/access.js';
export {
  AUTHORIZATION_KEY,
  BOOTSTRAP_TOKEN_FILE,
  TOKEN_PREFIX,
  TOKEN_SECRET_BYTES,
  bearerToken,
  formatToken,
  hashSecret,
  newTokenSecret,
  parseToken,
  secretMatches,
  type ParsedToken,
  type TokenCheck,
  type TokenResolver,
} from './auth/tokens.js';
export {
  admitCall,
  admitRequest,
  type Admission,
  authenticate,
  callGuard,
  identityOf,
  rateKeyOf,
  RETRY_AFTER_KEY,
  type CallGuardOptions,
  type CallRefusal,
  type TokenChecker,
} from './auth/guard.js';
// Paging: limits, page tokens and page filling (servers), following pages (clients).
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_BYTES } from './paging/limits.js';
export { decodePageToken, encodePageToken, type PageList, type PagePosition } from './paging/token.js';
export { fillPage, parsePageSize, repeatedEntrySize, type Page, type PageLimits } from './paging/page.js';
export { followPages, PagingError, type Followed } from './paging/follow.js';
// Daemon helpers shared by the agent and the scheduler.
export { backoffDelay, type Backoff } from './backoff.js';
export { EndedRetention } from './retention.js';
export { createLogger, isLogLevel, type Logger, type LogLevel } from './daemon/log.js';
export { newId } from './daemon/ids.js';
export {
  EventLoopDelay,
  LOOP_DELAY_METRIC,
  noteActivity,
  PROM_DEFAULTS,
  type LoopDelayOptions,
  type LoopDelaySnapshot,
} from './daemon/loop-delay.js';
export { runDaemon, type DaemonSpec } from './daemon/run.js';
export { flagReader, type FlagReader } from './daemon/flags.js';
export {
  parseAddress,
  startMetricsServer,
  type HealthStatus,
  type MetricsServer,
  type MetricsServerOptions,
} from './daemon/http.js';
export {
  ARTIFACT_CHUNK_BYTES,
  ID_RE,
  LABEL_KEY_RE,
  LIMITS,
  MAX_SPEC_BYTES,
  NAME_RE,
  newStringMap,
  quote,
  validateArgvShape,
  validateArtifactPath,
  validateArtifactSpec,
  validateDockerPorts,
  validateEnv,
  validateGrace,
  validateTimeout,
  MAX_TIMEOUT_MS,
  type ArtifactRefSettings,
  type ArtifactSettings,
  validateLabels,
  validateName,
  validatePidsLimit,
  validateResources,
  validateWorkloadId,
  MAX_PIDS_LIMIT,
} from './validation.js';
// The one normalised workload spec both daemons keep, its state names, and their wire converters.
export {
  checkToWire,
  hostPortsOf,
  specToWire,
  stateFromWire,
  START_REFUSED_PREFIX,
  stateToWire,
  TERMINAL_STATES,
  validateSpecFields,
  type SpecFields,
  type AgentWorkloadStateName,
  type DockerSpecFields,
  type NamedPortSpec,
  type NormalizedWorkloadSpec,
  type SpecToWireOptions,
  type WorkloadStateName,
} from './workload.js';
export type { CheckKind, CheckSpec } from './checks.js';
export {
  PORT_ENV_RE,
  PORT_NAME_RE,
  PORTS_CHECKS_LIMITS,
  validatePortsAndChecks,
  type PortsAndChecks,
} from './ports-checks.js';
export { MAX_ID, USER_NAME_RE, parseUserSpec, validateUser, type UserSpec } from './user-spec.js';
export { IDEMPOTENCY_WINDOW_MS, limitRows, limitsMarkdown, type LimitRow } from './limits.js';
export { guardRequest } from './wire-guard.js';
export { RefusedRequest, requestDecoder } from './malformed.js';
export { jsonFromQuery, messageToJson, requestFromJson, responseJson, snakeName } from './wire/json.js';
export { cpuMillis, durationMs, formatDuration, sizeBytes } from './units.js'; // also alone: @mo/api/units
export { KeyedRateLimiter, TokenBucket, checkRateLimit, type RateLimit } from './rate-limit.js';
export {
  CallRateLimiter,
  DEFAULT_CALL_RATE_LIMITS,
  RateLimitedError,
  parseCallRateLimits,
  type CallClass,
  type CallRateLimits,
} from './call-rates.js';
export {
  HEARTBEAT_AGENT_PACE,
  HEARTBEAT_STREAM_LIMITS,
  MAX_INVENTORY_ENTRIES,
  REGISTRY_PAGE,
} from './registry-limits.js';
export {
  after,
  clampDelay,
  every,
  MAX_TIMER_MS,
  sleep,
  stallTimer,
  STALL_TIMER_LATE_MS,
  type Timer,
  type TimerOptions,
} from './timers.js';
export {
  BoundedWriter,
  DEFAULT_OTHER_CAP,
  DEFAULT_STREAM_CAPS,
  IDLE_TIMEOUT_MS,
  MAX_BUFFERED_BYTES,
  MAX_CONCURRENT_STREAMS_PER_CONNECTION,
  STALL_TIMEOUT_MS,
  StreamClosedError,
  StreamLimits,
  parseStreamCaps,
  readWithIdleTimeout,
  type BoundedWriterOptions,
  type IdleTimeoutOptions,
  type StreamKind,
  type StreamKindStats,
  type StreamLimitsOptions,
  type StreamSlot,
} from './stream-limits.js'; // bounds on streams: caps per kind, slow readers, idle client streams
// Identity and access (issue 13).
export {
  ANY_AGENT_SAN,
  CLIENT_SAN,
  SCHEDULER_SAN,
  describeIdentity,
  dnsNamesOf,
  identityFromCertificate,
  identityFromSans,
  roleSans,
  type Access,
  type CertRole,
  type Identity,
} from './auth/identity.js';
export {
  DAEMON_TLS_LABELS,
  TlsFileError,
  checkKeyMode,
  loadCa,
  loadTlsMaterial,
  type TlsFiles,
  type TlsLabels,
  type TlsMaterial,
} from './tls/material.js';
export { TlsSource, type ReloadableTls } from './tls/source.js';
export {
  CLI_TLS_LABELS,
  clientTls,
  readClientTls,
  type ClientFiles,
  type ClientMaterial,
  type ClientTls,
} from './tls/client.js';
export { loadClientTls } from './tls/load-client.js';
export { checkPeerRole, describeExpected, peerServerName, type ExpectedPeer } from './tls/peer.js';
export { channelCredentials, serverCredentials, tlsChannelOptions } from './tls/grpc.js';
export {
  SECURITY_FLAG_OPTIONS,
  SECURITY_HELP,
  checkSecurity,
  openTls,
  readSecurityFlags,
  reloadTls,
  type SecurityOptions,
} from './daemon/security.js';
