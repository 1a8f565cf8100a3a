// Wires one agent together: data dir lock, workload runner (+ recovery), gRPC NodeAgent server,
// /proc sampling, host facts, and the HTTP /metrics + /healthz endpoint.
// Over ~400 lines: the agent's wiring (drivers, store, server, reporter, metrics, fencing) in
// start-up order, kept whole so the order reads top to bottom; its options are in options.ts, the
// workload lifecycle in workloads/ (hooks/), host probing in host/.
import {
  after,
  clientTls,
  createMoServer,
  openAuditLog,
  openTls,
  reloadTls,
  StreamLimits,
  type AuditLog,
  type ClientOptions,
  type NodeFacts,
  type NodeMetrics,
  type Timer,
  createLogger,
  type Logger,
  parseAddress,
  startMetricsServer,
} from '@mo/api';
import { mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { setUpCgroups, type CgroupLayout } from './cgroups/index.js';
import { DockerDriver } from './drivers/docker/docker-driver.js';
import { ProcessDriver } from './drivers/process/process-driver.js';
import { identify, isSameLiveProcess } from './drivers/process/identity.js';
import { probeDocker } from './host/docker.js';
import { collectHostFacts, type HostFacts } from './host/facts.js';
import { CpuSampler, readLoadAvg, readMemInfo } from './host/proc.js';
import { createAgentMetrics, type ExitOutcome, type NodeMetrics as HostSample } from './metrics/registry.js';
import { NodeAgentService } from './server/node-agent-service.js';
import { defaultAdvertiseAddress, loadOrCreateNodeId } from './reporter/node-config.js';
import { SchedulerAddresses } from './reporter/leader.js';
import { SchedulerReporter } from './reporter/reporter.js';
import { LeaderEpochs } from './reporter/leader-epoch.js';
import { SelfFence } from './reporter/self-fence.js';
import { overwriteSync } from './state/in-place.js';
import { logBudgetBytes } from './state/log-budget.js';
import { LogRetention } from './state/log-retention.js';
import { MemoryWorkloadStore } from './state/memory-store.js';
import { WorkloadStore } from './state/workload-store.js';
import { WorkloadRunner } from './workloads/runner.js';
import { LoopBudget } from './loop-budget.js';
import { PortAllocator } from './ports/pool.js';
import { SchedulerArtifacts } from './workloads/artifacts.js';
import { TERMINAL_STATES } from './workloads/record.js';
import { AGENT_PACKAGE_VERSION } from './package-root.js';
import { resolveAgentOptions, type AgentOptions } from './options.js';
import { setUpUsers } from './users/index.js';

export const AGENT_VERSION = AGENT_PACKAGE_VERSION;

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
 * (the size of the port range, --port-range: a workload needs one per named port, and a docker
 * workload one per published port).
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
    // One pool of host ports for both drivers: named ports (the runner) and docker.ports (the driver).
    const { first, last } = options.docker.portRange;
    const portPool = new PortAllocator(first, last, options.docker.portHostIp);
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
        ports: portPool,
      }),
    ];
    // This node's certificate (agent.<node>.mo) serves NodeAgent and dials the scheduler.
    const tls = openTls(options, { kind: 'agent', node: options.nodeName }, logger);
    const credentials: Pick<ClientOptions, 'tls' | 'insecure'> = tls ? { tls: clientTls(tls) } : { insecure: true };
    // The schedulers this agent reports to (the leader among them, reporter/leader.ts); pipeline
    // artifacts go through the same leader.
    const schedulers = options.schedulerAddresses ? new SchedulerAddresses(options.schedulerAddresses) : undefined;
    const artifacts = schedulers ? new SchedulerArtifacts(schedulers, credentials) : undefined;
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
      ports: portPool,
      portHostIp: options.docker.portHostIp,
      // $MO_ADDR_<NAME>: where others reach a port, by the address the scheduler knows this node by
      // (--advertise, else the gRPC listen address; a wildcard is 127.0.0.1). Its port is not needed.
      addressHost: parseAddress(options.advertiseAddress ?? defaultAdvertiseAddress(options.grpcListen)).host,
      onCheckResult: (kind, ok) => metrics.recordCheckResult(kind, ok),
    });
    metrics.trackHealth(() => runner.healthCounts());

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
    let sampledAt = Date.now();
    metrics.setNodeMetrics(latest);
    // Sampled when asked (each heartbeat, GetNodeStatus, a scrape), at most once per half
    // --sample-interval: no timer of its own, so an idle agent wakes once a second for its
    // heartbeat and not again for /proc. CPU utilization is over the time since the last sample.
    const currentMetrics = (): NodeMetrics & HostSample => {
      if (Date.now() - sampledAt >= options.sampleIntervalMs / 2) {
        latest = sampleNode(cpu);
        sampledAt = Date.now();
        metrics.setNodeMetrics(latest);
      }
      return latest;
    };
    metrics.sampleNodeOnScrape(currentMetrics);
    // Docker may be installed or started after the agent: re-probe it now and then (and on SIGHUP),
    // every 30 s while it is not there, every 5 min once it is. A probe is a few ms of HTTP for an
    // idle agent: every 30 s, it was a fifth of its idle CPU (issue 19).
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
    let dockerProbe: Timer | undefined;
    const probeLater = () => {
      dockerProbe = after(facts.dockerAvailable ? 300_000 : 30_000, () => {
        void refreshFacts().finally(() => closing ?? probeLater());
      });
    };
    probeLater();

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
    // The leader epochs heard: orders from a deposed leader are refused (reporter/leader-epoch.ts).
    const epochs = new LeaderEpochs();
    new NodeAgentService({
      streams,
      epochs,
      runner,
      taskDirOf: (id) => store.dirOf(id),
      facts: () => toWireFacts(facts, runner.driverNames, processDriver?.containment),
      metrics: currentMetrics,
      onRequest: (method, code) => metrics.recordGrpcRequest(method, code),
      onStart: (result, seconds) => metrics.recordStart(result, result === 'ok' ? seconds : undefined),
    }).addToServer(grpcServer.server);
    const grpcPort = await grpcServer.listen(options.grpcListen);

    const grpcAddress = withPort(options.grpcListen, grpcPort);
    const reporter = schedulers
      ? new SchedulerReporter({
          schedulerAddress: schedulers,
          credentials,
          nodeId,
          nodeName: options.nodeName,
          advertiseAddress: options.advertiseAddress ?? defaultAdvertiseAddress(grpcAddress),
          labels: options.labels,
          capacity: capacityOf(options, facts),
          facts: () => toWireFacts(facts, runner.driverNames, processDriver?.containment),
          metrics: currentMetrics,
          workloads: runner,
          logger,
          onConnectedChange: (connected) => metrics.schedulerConnected.set(connected ? 1 : 0),
          contactFile: options.memoryState ? undefined : join(options.dataDir, 'scheduler-contact.json'),
          epochs,
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
          dockerProbe?.cancel();
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
