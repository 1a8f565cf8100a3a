// Wires one agent together: data dir lock, workload runner (+ recovery), gRPC NodeAgent server,
// /proc sampling, host facts, and the HTTP /metrics + /healthz endpoint.
// Over ~400 lines on purpose for now: this is the agent's wiring (flags → drivers, store, server,
// reporter, metrics, fencing) in start-up order. Issue 15 (decide apart from doing) is to split it;
// the workload lifecycle went first (workloads/hooks/), this sequence is still whole here.
import {
  checkSecurity,
  clientTls,
  createMoServer,
  DEFAULT_AUDIT_SETTINGS,
  every,
  openAuditLog,
  openTls,
  reloadTls,
  StreamLimits,
  type AuditLog,
  type AuditSettings,
  type ClientOptions,
  type NodeFacts,
  type NodeMetrics,
  type SecurityOptions,
  createLogger,
  isLogLevel,
  type Logger,
  type LogLevel,
  parseAddress,
  startMetricsServer,
} from '@mo/api';
import { mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setUpCgroups, validateCgroupRoot, type CgroupLayout } from './cgroups/index.js';
import type { Driver } from './drivers/driver.js';
import { DockerDriver } from './drivers/docker/docker-driver.js';
import { DEFAULT_DOCKER_LIMITS, resolveMountRoots, type DockerLimits } from './drivers/docker/settings.js';
import { ProcessDriver } from './drivers/process/process-driver.js';
import { identify, isSameLiveProcess } from './drivers/process/identity.js';
import { DEFAULT_DOCKER_SOCKET, probeDocker } from './host/docker.js';
import { collectHostFacts, type HostFacts } from './host/facts.js';
import { CpuSampler, readLoadAvg, readMemInfo } from './host/proc.js';
import { createAgentMetrics, type ExitOutcome, type NodeMetrics as HostSample } from './metrics/registry.js';
import { NodeAgentService } from './server/node-agent-service.js';
import { defaultAdvertiseAddress, loadOrCreateNodeId, validateNodeLabels } from './reporter/node-config.js';
import { SchedulerReporter } from './reporter/reporter.js';
import { SelfFence } from './reporter/self-fence.js';
import { overwriteSync } from './state/in-place.js';
import { checkLogBudget, logBudgetBytes, type LogBudgetSetting } from './state/log-budget.js';
import { LogRetention } from './state/log-retention.js';
import { MemoryWorkloadStore } from './state/memory-store.js';
import { WorkloadStore } from './state/workload-store.js';
import { WorkloadRunner } from './workloads/runner.js';
import { LoopBudget } from './loop-budget.js';
import { SchedulerArtifacts } from './workloads/artifacts.js';
import { TERMINAL_STATES } from './workloads/record.js';
import { AGENT_PACKAGE_VERSION } from './package-root.js';
import { parseAllowedUsers, setUpUsers, type UserFiles } from './users/index.js';

export const AGENT_VERSION = AGENT_PACKAGE_VERSION;

export interface AgentOptions extends SecurityOptions {
  /** gRPC NodeAgent listen address (default 127.0.0.1:7610). */
  grpcListen: string;
  /** HTTP /metrics and /healthz listen address (default 127.0.0.1:7611). */
  httpListen: string;
  /** Where workload records and logs live (default /var/lib/mo/agent). */
  dataDir: string;
  nodeName: string;
  logLevel: LogLevel;
  /** Size cap of each workload log file (one rotated copy is kept). */
  logMaxBytes: number;
  /**
   * What all workloads' logs may take (--max-log-disk): bytes, or a share of the data dir's
   * filesystem; past it the longest-ended workloads' logs are removed. Default: 10% of the
   * filesystem, at most 4 GiB (see state/log-budget.ts).
   */
  maxLogDisk?: LogBudgetSetting;
  defaultGracePeriodMs: number;
  maxRetainedEnded: number;
  /** Caps on open streams by kind (--max-streams; the agent serves 'logs'); default DEFAULT_STREAM_CAPS. */
  maxStreams?: Record<string, number>;
  /** A log reader that takes nothing for this long is cut off with RESOURCE_EXHAUSTED (default 30 s). */
  streamStallTimeoutMs?: number;
  /** How often host metrics are sampled from /proc. */
  sampleIntervalMs: number;
  dockerSocket: string;
  /** The docker driver: host port range, defaults, and which relaxations workloads may ask for. */
  docker: DockerLimits;
  /** host:port of the scheduler's NodeRegistry; unset = a standalone agent that registers nowhere. */
  schedulerAddress?: string;
  /**
   * host:port the scheduler should dial this agent on. Default: the bound gRPC address, with a
   * wildcard host (0.0.0.0, ::) replaced by 127.0.0.1 (right on one host; set it on a real cluster).
   */
  advertiseAddress?: string;
  /** Node labels for placement constraints (keys like Kubernetes label keys). */
  labels: Record<string, string>;
  /** CPU placement may reserve here, in millicores (default: cores × 1000). */
  capacityCpuMillis?: number;
  /** Memory placement may reserve here, in bytes (default: MemTotal). */
  capacityMemoryBytes?: number;
  shimPath?: string;
  /**
   * Who a workload without spec.user runs as (--default-user): a name or uid[:gid]. Default:
   * nobody when the agent runs as root, else the agent's own user (it can run no other).
   */
  defaultUser?: string;
  /**
   * Whom else a spec may ask for (--allowed-users): names, uids, `*` (any user but root). Root
   * only when listed by name or uid. Default: nobody else.
   */
  allowedUsers?: string[];
  /** The node's user database (default /etc/passwd and /etc/group): tests bring their own. */
  userFiles?: UserFiles;
  /**
   * The agent's cgroup under each cgroup mount, one per process workload below it (default
   * `/mo/<node-id>`); "off" runs process workloads without cgroups. Must be this agent's alone.
   */
  cgroupRoot?: string;
  /**
   * The drivers this agent runs workloads with (default: one ProcessDriver). A benchmark passes a
   * MockDriver to run many simulated agents in one process.
   */
  drivers?: Driver[];
  /**
   * Host facts to report instead of collecting them (simulated agents in benchmarks share one
   * collection; the node name is still this agent's).
   */
  hostFacts?: HostFacts;
  /**
   * Keep workload records in memory only (benchmarks: simulated agents with a MockDriver, many per
   * process). The agent then forgets its workloads when it stops. Never for real agents.
   */
  memoryState?: boolean;
  /** The audit log (--audit-log and friends): on by default, in <dataDir>/audit.jsonl (off with memoryState). */
  audit: AuditSettings;
  logger?: Logger;
}

export const DEFAULT_AGENT_OPTIONS: Omit<AgentOptions, 'nodeName'> = {
  grpcListen: '127.0.0.1:7610',
  httpListen: '127.0.0.1:7611',
  dataDir: '/var/lib/mo/agent',
  logLevel: 'info',
  logMaxBytes: 10 * 1024 * 1024,
  defaultGracePeriodMs: 10_000,
  maxRetainedEnded: 1000,
  sampleIntervalMs: 1000,
  dockerSocket: DEFAULT_DOCKER_SOCKET,
  // No mounts unless the operator names roots (--docker-mount-root); read-only unless allowed.
  docker: DEFAULT_DOCKER_LIMITS,
  labels: {},
  audit: DEFAULT_AUDIT_SETTINGS,
};

/** The one place defaults are filled and options validated (each error names the option). */
export function resolveAgentOptions(partial: Partial<AgentOptions> = {}): AgentOptions {
  const o: AgentOptions = { ...DEFAULT_AGENT_OPTIONS, nodeName: hostname(), ...stripUndefined(partial) };
  parseAddress(o.grpcListen);
  parseAddress(o.httpListen);
  if (!isLogLevel(o.logLevel)) throw new Error(`log level: expected debug|info|warn|error, got "${o.logLevel}"`);
  const positive: Array<keyof AgentOptions> = [
    'logMaxBytes',
    'defaultGracePeriodMs',
    'maxRetainedEnded',
    'sampleIntervalMs',
  ];
  for (const k of positive) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new Error(`${k}: expected a positive integer, got ${String(v)}`);
    }
  }
  for (const k of ['capacityCpuMillis', 'capacityMemoryBytes', 'streamStallTimeoutMs'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) {
      throw new Error(`${k}: expected a positive integer, got ${String(v)}`);
    }
  }
  if (o.maxLogDisk !== undefined) {
    try {
      checkLogBudget(o.maxLogDisk);
    } catch (err) {
      throw new Error(`maxLogDisk: ${(err as Error).message}`, { cause: err });
    }
  }
  if (o.schedulerAddress !== undefined) parseAddress(o.schedulerAddress);
  if (o.advertiseAddress !== undefined) parseAddress(o.advertiseAddress);
  if (o.cgroupRoot !== undefined && o.cgroupRoot !== 'off') validateCgroupRoot(o.cgroupRoot, 'cgroupRoot');
  parseAllowedUsers(o.allowedUsers ?? [], '--allowed-users');
  o.labels = validateNodeLabels(o.labels, 'labels');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(o.nodeName)) throw new Error(`node name: invalid "${o.nodeName}"`);
  checkSecurity(o, 'mo-agent');
  o.dataDir = resolve(o.dataDir);
  o.docker = { ...o.docker, mountRoots: resolveMountRoots(o.docker.mountRoots) };
  return o;
}

export interface Agent {
  readonly options: AgentOptions;
  /** Bound gRPC address (with the real port when 0 was asked). */
  readonly grpcAddress: string;
  readonly httpAddress: string;
  /** Stable id of this node, kept in `<dataDir>/node-id`. */
  readonly nodeId: string;
  readonly runner: WorkloadRunner;
  /** Re-probes host facts that can change at run time (the Docker engine). */
  refreshFacts(): Promise<void>;
  /** Reads the TLS files again (SIGHUP): new connections use them; a failure keeps the old ones. */
  reloadTls(): void;
  /** Stops serving; running workloads are left running (they are re-attached on next start). */
  close(): Promise<void>;
}

/**
 * What placement may book on this node: CPU and memory (the flags, else the host's), and host ports
 * (the size of the docker port range: a docker workload needs one per published port).
 */
export function capacityOf(
  options: AgentOptions,
  facts: Pick<HostFacts, 'cpuCores' | 'memoryTotalBytes'>,
): { cpuMillis: number; memoryBytes: number; hostPorts: number } {
  const { first, last } = options.docker.portRange;
  return {
    cpuMillis: options.capacityCpuMillis ?? facts.cpuCores * 1000,
    memoryBytes: options.capacityMemoryBytes ?? facts.memoryTotalBytes,
    hostPorts: last - first + 1,
  };
}

export async function startAgent(partial: Partial<AgentOptions> = {}): Promise<Agent> {
  const options = resolveAgentOptions(partial);
  const logger = options.logger ?? createLogger(options.logLevel, { component: 'agent', node: options.nodeName });
  mkdirSync(options.dataDir, { recursive: true });
  const releaseLock = lockDataDir(options.dataDir);
  let auditLog: AuditLog | undefined;

  try {
    const nodeId = loadOrCreateNodeId(options.dataDir);
    const users = setUpUsers(options, logger);
    const metrics = createAgentMetrics({ version: AGENT_VERSION, node: options.nodeName });
    // One share of each loop turn for starts and the record writes they leave for later.
    const turns = new LoopBudget();
    const store = options.memoryState
      ? new MemoryWorkloadStore(join(options.dataDir, 'workloads'))
      : new WorkloadStore(options.dataDir, (id, err) => logger.error('cannot persist workload record', { id, err }), {
          turns,
        });
    const cgroups = options.drivers ? undefined : setUpAgentCgroups(options.cgroupRoot ?? `/mo/${nodeId}`, logger);
    const processDriver = options.drivers
      ? undefined
      : new ProcessDriver({
          shimPath: options.shimPath,
          onLauncherDeath: (reason) => logger.error('mo-shim launcher died', { reason }),
          cgroups,
        });
    const drivers = options.drivers ?? [
      processDriver!,
      // Always present; it is offered to the scheduler only while an engine answers (toWireFacts).
      new DockerDriver({
        socketPath: options.dockerSocket,
        nodeId,
        limits: options.docker,
        logMaxBytes: options.logMaxBytes,
      }),
    ];
    // This node's certificate (agent.<node>.mo) serves NodeAgent and dials the scheduler.
    const tls = openTls(options, { kind: 'agent', node: options.nodeName }, logger);
    const credentials: Pick<ClientOptions, 'tls' | 'insecure'> = tls ? { tls: clientTls(tls) } : { insecure: true };
    // Pipeline artifacts go through the scheduler this agent reports to.
    const artifacts = options.schedulerAddress
      ? new SchedulerArtifacts(options.schedulerAddress, credentials)
      : undefined;
    const runner = new WorkloadRunner({
      store,
      drivers,
      logger,
      nodeName: options.nodeName,
      logMaxBytes: options.logMaxBytes,
      defaultGracePeriodMs: options.defaultGracePeriodMs,
      maxRetainedEnded: options.maxRetainedEnded,
      ...(artifacts && { artifacts }),
      users,
      turns,
    });

    const [recovered, hostFacts] = await Promise.all([
      runner.recover(),
      options.hostFacts
        ? Promise.resolve({ ...options.hostFacts, nodeName: options.nodeName })
        : collectHostFacts({
            nodeName: options.nodeName,
            agentVersion: AGENT_VERSION,
            dockerSocket: options.dockerSocket,
          }),
    ]);
    logger.info('recovered workloads', recovered);
    const logRetention = options.memoryState
      ? undefined
      : new LogRetention({
          maxBytes: logBudgetBytes(options.maxLogDisk, filesystemBytes(options.dataDir)),
          list: () => runner.list(),
          dirOf: (id) => store.dirOf(id),
          onRemoved: (id, atMs) => runner.noteLogsRemoved(id, atMs),
          logger,
        });
    if (logRetention) {
      logger.info('workload logs bounded', { maxLogDiskBytes: logRetention.maxBytes });
      runner.onTransition(({ record, from }) => {
        if (TERMINAL_STATES.has(record.state) && (!from || !TERMINAL_STATES.has(from))) logRetention.soon();
      });
      logRetention.soon(0, true); // what the previous run left, and what runs
    }
    let facts: HostFacts = hostFacts;

    metrics.setWorkloadCounts(runner.counts());
    runner.onTransition(({ record, from }) => {
      if (from) metrics.workloads.dec({ state: from });
      metrics.workloads.inc({ state: record.state });
      if (TERMINAL_STATES.has(record.state) && (!from || !TERMINAL_STATES.has(from))) {
        metrics.recordExit(record.state as ExitOutcome);
      }
    });

    const cpu = new CpuSampler();
    let latest = sampleNode(cpu);
    metrics.setNodeMetrics(latest);
    const sampler = every(options.sampleIntervalMs, () => {
      latest = sampleNode(cpu);
      metrics.setNodeMetrics(latest);
    });
    // Docker may be installed or started after the agent: re-probe it now and then (and on SIGHUP).
    const refreshFacts = async () => {
      const d = await probeDocker(options.dockerSocket);
      facts = {
        ...facts,
        dockerAvailable: d.available,
        dockerVersion: d.version,
        drivers: d.available ? ['process', 'docker'] : ['process'],
      };
      logger.debug('host facts refreshed', { dockerAvailable: d.available });
    };
    const dockerProbe = every(30_000, () => void refreshFacts());

    // Simulated agents (memoryState, many per benchmark process) keep no audit log.
    const audit = options.memoryState
      ? undefined
      : openAuditLog(options.audit, options.dataDir, (err) =>
          err
            ? logger.warn('audit log: lines cannot be written', { error: err.message, strict: options.audit.strict })
            : logger.info('audit log: lines are written again'),
        );
    auditLog = audit?.log;
    // Only the scheduler may call NodeAgent: a peer without a certificate of the CA is refused at
    // the handshake, any other role per call (auth/access.ts).
    const grpcServer = createMoServer({
      services: ['mo.v1.NodeAgent'],
      ...(tls ? { tls } : { insecure: true }),
      ...(audit ? { audit } : {}),
    });
    const streams = new StreamLimits(options.maxStreams, { stallTimeoutMs: options.streamStallTimeoutMs });
    metrics.trackStreams(streams);
    new NodeAgentService({
      streams,
      runner,
      taskDirOf: (id) => store.dirOf(id),
      facts: () => toWireFacts(facts, runner.driverNames, processDriver?.containment),
      metrics: () => latest,
      onRequest: (method, code) => metrics.recordGrpcRequest(method, code),
      onStart: (result, seconds) => metrics.recordStart(result, result === 'ok' ? seconds : undefined),
    }).addToServer(grpcServer.server);
    const grpcPort = await grpcServer.listen(options.grpcListen);

    const grpcAddress = withPort(options.grpcListen, grpcPort);
    const reporter = options.schedulerAddress
      ? new SchedulerReporter({
          schedulerAddress: options.schedulerAddress,
          credentials,
          nodeId,
          nodeName: options.nodeName,
          advertiseAddress: options.advertiseAddress ?? defaultAdvertiseAddress(grpcAddress),
          labels: options.labels,
          capacity: capacityOf(options, facts),
          facts: () => toWireFacts(facts, runner.driverNames, processDriver?.containment),
          metrics: () => latest,
          workloads: runner,
          logger,
          onConnectedChange: (connected) => metrics.schedulerConnected.set(connected ? 1 : 0),
          contactFile: options.memoryState ? undefined : join(options.dataDir, 'scheduler-contact.json'),
        })
      : undefined;
    // Workloads this agent must not keep running on its own once cut off from the scheduler past
    // their lost_after; checked before the first Register too (the agent may have been down long).
    const fence = reporter
      ? new SelfFence({ workloads: runner, contact: () => reporter.contact(), logger })
      : undefined;
    const fenced = fence?.check() ?? 0;
    if (fenced > 0)
      logger.warn('stopping workloads: this agent was cut off from the scheduler past their lost_after', { fenced });
    fence?.start();

    const http = await startMetricsServer({
      address: options.httpListen,
      registry: metrics.registry,
      ...(tls ? { tls, metricsOpen: options.metricsOpen === true } : {}),
      // Healthy whether or not the scheduler is reachable: the agent serves and supervises either way.
      health: () => ({
        ok: true,
        detail: {
          node: options.nodeName,
          nodeId,
          workloads: runner.counts(),
          ...(reporter && { scheduler: reporter.status() }),
        },
      }),
    });

    const httpAddress = withPort(options.httpListen, http.port);
    logger.info('agent ready', {
      grpc: grpcAddress,
      http: httpAddress,
      dataDir: options.dataDir,
      auditLog: audit ? audit.log.path : 'off',
      nodeId,
      version: AGENT_VERSION,
      cgroupRoot: cgroups?.root ?? 'none',
      tls: tls ? 'on' : 'off',
    });
    // After recovery and once serving: the first Register carries the recovered inventory.
    reporter?.start();

    let closing: Promise<void> | undefined;
    return {
      options,
      grpcAddress,
      httpAddress,
      nodeId,
      runner,
      refreshFacts,
      reloadTls: () => reloadTls(tls, logger),
      close() {
        closing ??= (async () => {
          sampler.cancel();
          dockerProbe.cancel();
          fence?.close();
          // First, so the scheduler sees the stream end before anything else goes; workloads stay.
          await reporter?.close();
          await Promise.all([grpcServer.close(2000), http.close()]);
          audit?.log.close();
          await logRetention?.close();
          await runner.close();
          artifacts?.close();
          releaseLock();
          logger.info('agent stopped; workloads keep running');
        })();
        return closing;
      },
    };
  } catch (err) {
    auditLog?.close();
    releaseLock();
    throw err;
  }
}

function sampleNode(cpu: CpuSampler): NodeMetrics & HostSample {
  const mem = readMemInfo();
  const load = readLoadAvg();
  return {
    cpuUtilization: cpu.sample(),
    memoryTotalBytes: mem.totalBytes,
    memoryAvailableBytes: mem.availableBytes,
    load1: load.load1,
    load5: load.load5,
    load15: load.load15,
    sampledAtMs: Date.now(),
  };
}

/** Detects and makes the agent's cgroups, and says at start how process workloads are contained. */
function setUpAgentCgroups(root: string, logger: Logger): CgroupLayout | undefined {
  const setup = setUpCgroups({ root });
  for (const note of setup.notes) logger.warn('cgroups: partly unavailable', { note });
  if (!setup.ok) {
    logger.warn('no writable cgroup: process workloads are found by session from /proc, limits are not enforced', {
      reason: setup.reason,
    });
    return undefined;
  }
  const { mode, hierarchies, enforced } = setup.layout;
  logger.info('cgroups: a cgroup per process workload', {
    mode,
    root,
    enforced,
    hierarchies: hierarchies.map((h) => `${h.mountPoint} (v${h.version}: ${h.roles.join(', ')})`),
  });
  return setup.layout;
}

function toWireFacts(
  f: HostFacts,
  driverNames: string[],
  containment: { mode: string; enforced: string[] } | undefined,
): NodeFacts {
  return {
    nodeName: f.nodeName,
    hostname: f.hostname,
    cpuModel: f.cpuModel,
    cpuCores: f.cpuCores,
    memoryTotalBytes: f.memoryTotalBytes,
    os: f.os,
    kernel: f.kernel,
    arch: f.arch,
    // The drivers this agent actually has (docker arrives with its driver, and only counts while
    // an engine answers); a mock driver shows under its own name.
    drivers: driverNames.filter((d) => d !== 'docker' || f.dockerAvailable),
    dockerAvailable: f.dockerAvailable,
    dockerVersion: f.dockerVersion,
    bootId: f.bootId,
    agentVersion: f.agentVersion,
    cgroupMode: containment?.mode ?? '',
    enforcedLimits: containment?.enforced ?? [],
  };
}

/**
 * One agent per data dir: two would both adopt the same workloads. The lock file names the
 * holder by pid + start time, so a stale lock left by a SIGKILLed agent is taken over safely.
 * It is rewritten in place, and on close marked released rather than removed, so that an agent
 * restarted on a full disk can still take it.
 */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'agent.lock');
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; startTime: number; bootId: string };
    if (holder.pid !== process.pid && isSameLiveProcess(holder)) {
      throw new Error(`data dir ${dataDir} is in use by another agent (pid ${holder.pid})`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
  }
  overwriteSync(path, JSON.stringify(identify(process.pid)));
  return () => {
    try {
      overwriteSync(path, JSON.stringify({ pid: 0, released: true }));
    } catch {
      // the data dir is gone: nothing to release
    }
  };
}

/** Size of the filesystem holding dir, in bytes; 0 when it cannot be told. */
function filesystemBytes(dir: string): number {
  try {
    const fs = statfsSync(dir);
    return fs.blocks * fs.bsize;
  } catch {
    return 0;
  }
}

function withPort(address: string, port: number): string {
  const { host } = parseAddress(address);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
