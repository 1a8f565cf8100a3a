/**
 * @mo/api — mo's wire contract for TypeScript.
 *
 * ```ts
 * import { AgentClient, WorkloadState } from '@mo/api';
 * const agent = new AgentClient('127.0.0.1:7610');
 * const w = await agent.startWorkload({ argv: ['sleep', '10'] });
 * if (w.state === WorkloadState.WORKLOAD_STATE_RUNNING) await agent.stopWorkload(w.spec!.id);
 * ```
 *
 * Exports: the typed service tree (`moProto`, built by mo's own codec) and its loader options, generated message types,
 * promise clients (`AgentClient` for agents, `SchedulerClient` and `PipelineClient` for the scheduler, `RegistryClient`
 * for agents reporting to it), server plumbing (`createMoServer`, `unaryHandler`: health and
 * reflection on every server; keepalive on every connection, `KEEPALIVE_TIME_MS` and friends), the
 * domain errors with their gRPC status mapping, the daemon helpers both daemons share (JSON
 * logger, ULID ids, the /metrics + /healthz HTTP server), and the one way to arm a timer (`after`,
 * `every`, `sleep`: clamped to what Node honours, long delays re-armed).
 */
export { LOADER_OPTIONS, PROTO_ROOT, moPackageDefinition, moProto, serviceDefinition, type MoProto } from './proto.js';
export { HEALTH_SERVICE, HealthService, type ServingStatus } from './health.js';
export { AgentClient, PipelineClient, RegistryClient, SchedulerClient, type ClientOptions } from './client.js';
export { CONNECT_TIMEOUT_MS, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS } from './keepalive.js';
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
  ResourceExhaustedError,
  UnavailableError,
  fromServiceError,
  statusName,
  toServiceError,
} from './errors.js';
export * from './types.js';
// Daemon helpers shared by the agent and the scheduler.
export { createLogger, isLogLevel, type Logger, type LogLevel } from './daemon/log.js';
export { newId } from './daemon/ids.js';
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
  NAME_RE,
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
export { cpuMillis, durationMs, formatDuration, sizeBytes } from './units.js'; // also alone: @mo/api/units
export { after, clampDelay, every, MAX_TIMER_MS, sleep, type Timer, type TimerOptions } from './timers.js';
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
