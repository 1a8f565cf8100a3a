// The agent's Prometheus metrics, in a registry of its own: two agents (or an agent and a scheduler) in
// one test process must not share prom-client's global registry. Names follow Prometheus conventions:
// `mo_` prefix, base units (seconds, bytes, ratio) in the name, `_total` on counters, `_info` for build info.
import type { StreamKindStats } from '@mo/api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EventLoopDelay, LOOP_DELAY_METRIC, PROM_DEFAULTS } from '@mo/api';

/** Workload states an agent can hold (it never sees `pending`: that is the scheduler's). */
export const AGENT_WORKLOAD_STATES = ['starting', 'running', 'succeeded', 'failed', 'stopped', 'lost'] as const;
export type AgentWorkloadState = (typeof AGENT_WORKLOAD_STATES)[number];

/** How a StartWorkload request ended: started, rejected as invalid, or failed while starting. */
export const START_RESULTS = ['ok', 'invalid', 'error'] as const;
export type StartResult = (typeof START_RESULTS)[number];

export const EXIT_OUTCOMES = ['succeeded', 'failed', 'stopped', 'lost'] as const;
export type ExitOutcome = (typeof EXIT_OUTCOMES)[number];

/** From a fork/exec (~0.5 ms) to a docker container start (hundreds of ms). */
export const START_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface NodeMetrics {
  /** 0..1 */
  cpuUtilization: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  load1: number;
  load5: number;
  load15: number;
}

export interface AgentMetricsOptions {
  /** The agent's version, exported on mo_agent_info. */
  version: string;
  /** The node's name, exported on mo_agent_info. */
  node: string;
  /** Register prom-client's process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
}

export interface AgentMetrics {
  readonly registry: Registry;
  readonly info: Gauge<'version' | 'node'>;
  readonly workloads: Gauge<'state'>;
  readonly workloadStarts: Counter<'result'>;
  readonly workloadExits: Counter<'outcome'>;
  readonly workloadStartDuration: Histogram;
  readonly nodeCpuUtilization: Gauge;
  readonly nodeMemoryTotal: Gauge;
  readonly nodeMemoryAvailable: Gauge;
  readonly nodeLoad1: Gauge;
  readonly nodeLoad5: Gauge;
  readonly nodeLoad15: Gauge;
  readonly grpcRequests: Counter<'method' | 'code'>;
  /** 1 while registered with the scheduler and the heartbeat stream is open; 0 otherwise or without one. */
  readonly schedulerConnected: Gauge;
  /** Sets the gauge for every agent state: missing states become 0, unknown keys are ignored. */
  setWorkloadCounts(counts: Partial<Record<string, number>>): void;
  setNodeMetrics(m: NodeMetrics): void;
  /** Called at each scrape before the node gauges are read (the agent samples /proc when asked). */
  sampleNodeOnScrape(refresh: () => void): void;
  /** Counts a StartWorkload outcome; the duration is observed for successful starts only. */
  recordStart(result: StartResult, durationSeconds?: number): void;
  recordExit(outcome: ExitOutcome): void;
  /** `code` is the grpc status name, e.g. "OK", "INVALID_ARGUMENT". */
  recordGrpcRequest(method: string, code: string): void;
  /** Exports the streams a StreamLimits counts (open, refused, cut off; by kind), read at each scrape. */
  trackStreams(limits: { stats(): StreamKindStats[] }): void;
  /** Counts one health check probe's result (mo_agent_check_results_total{kind,result}). */
  recordCheckResult(kind: string, ok: boolean): void;
  /** Exports the running workloads with checks by health (mo_agent_workloads_by_health), read at each scrape. */
  trackHealth(counts: () => Record<string, number>): void;
}

export const CHECK_KINDS = ['http', 'tcp', 'exec'] as const;
export const HEALTH_STATES = ['starting', 'healthy', 'unhealthy'] as const;

/** mo_<daemon>_streams_open / _streams_refused_total / _streams_cut_off_total, by kind, read at each scrape. */
export function registerStreamMetrics(
  registry: Registry,
  daemon: 'agent' | 'scheduler',
  limits: { stats(): StreamKindStats[] },
): void {
  const registers = [registry];
  new Gauge({
    name: `mo_${daemon}_streams_open`,
    help: 'Long-lived gRPC streams open now, by kind (logs, upload, download, heartbeat, watch, ...).',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const s of limits.stats()) this.set({ kind: s.kind }, s.open);
    },
  });
  new Counter({
    name: `mo_${daemon}_streams_refused_total`,
    help: 'Streams refused with RESOURCE_EXHAUSTED because their kind was at its cap (--max-streams), by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      for (const s of limits.stats()) this.inc({ kind: s.kind }, s.refused);
    },
  });
  new Counter({
    name: `mo_${daemon}_streams_cut_off_total`,
    help: 'Streams ended with RESOURCE_EXHAUSTED because the peer stalled (a reader took nothing, a client sent nothing) past --stream-stall-timeout, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      for (const s of limits.stats()) this.inc({ kind: s.kind }, s.cutOff);
    },
  });
}

export function createAgentMetrics(options: AgentMetricsOptions): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];

  const info = new Gauge({
    name: 'mo_agent_info',
    help: 'Build and identity of this mo agent; always 1, the labels carry the information.',
    labelNames: ['version', 'node'] as const,
    registers,
  });
  info.set({ version: options.version, node: options.node }, 1);

  const workloads = new Gauge({
    name: 'mo_agent_workloads',
    help: 'Workloads this agent currently tracks, by state.',
    labelNames: ['state'] as const,
    registers,
  });
  const workloadStarts = new Counter({
    name: 'mo_agent_workload_starts_total',
    help: 'StartWorkload requests handled, by result (ok, invalid: rejected by validation, error: failed to start).',
    labelNames: ['result'] as const,
    registers,
  });
  const workloadExits = new Counter({
    name: 'mo_agent_workload_exits_total',
    help: 'Workloads that reached a terminal state on this agent, by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const workloadStartDuration = new Histogram({
    name: 'mo_agent_workload_start_duration_seconds',
    help: 'Time from receiving a StartWorkload request to the workload running, for successful starts.',
    buckets: START_DURATION_BUCKETS,
    registers,
  });
  let refreshNode: (() => void) | undefined;
  // The first of the node gauges: its collect refreshes them all before any is read.
  const nodeCpuUtilization = new Gauge({
    name: 'mo_node_cpu_utilization_ratio',
    help: 'Share of all CPUs of this node that were busy (not idle or iowait) over the last sample interval, 0..1.',
    registers,
    collect() {
      refreshNode?.();
    },
  });
  const nodeMemoryTotal = new Gauge({
    name: 'mo_node_memory_total_bytes',
    help: 'Physical memory of this node (MemTotal in /proc/meminfo).',
    registers,
  });
  const nodeMemoryAvailable = new Gauge({
    name: 'mo_node_memory_available_bytes',
    help: 'Memory available for new workloads without swapping (MemAvailable in /proc/meminfo).',
    registers,
  });
  const load = (minutes: 1 | 5 | 15) =>
    new Gauge({
      name: `mo_node_load${minutes}`,
      help: `${minutes}-minute load average of this node (/proc/loadavg).`,
      registers,
    });
  const nodeLoad1 = load(1);
  const nodeLoad5 = load(5);
  const nodeLoad15 = load(15);
  const grpcRequests = new Counter({
    name: 'mo_agent_grpc_requests_total',
    help: 'gRPC requests served by this agent, by full method name and grpc status code name.',
    labelNames: ['method', 'code'] as const,
    registers,
  });

  const schedulerConnected = new Gauge({
    name: 'mo_agent_scheduler_connected',
    help: 'Whether this agent is registered with the scheduler and its heartbeat stream is open (1) or not (0, also when no scheduler is configured).',
    registers,
  });
  schedulerConnected.set(0);

  // mo_event_loop_delay_seconds: the daemon's own event-loop delay since the previous scrape.
  const loopDelay = new EventLoopDelay();
  new Gauge({
    name: LOOP_DELAY_METRIC.name,
    help: LOOP_DELAY_METRIC.help,
    labelNames: ['stat'] as const,
    registers: registers,
    collect() {
      const d = loopDelay.snapshot();
      this.set({ stat: 'p50' }, d.p50);
      this.set({ stat: 'p99' }, d.p99);
      this.set({ stat: 'max' }, d.max);
    },
  });

  // Export every known series from the start, at 0: a series that appears only on its first event
  // makes rate() and absent() alerts miss that first event.
  for (const state of AGENT_WORKLOAD_STATES) workloads.set({ state }, 0);
  for (const result of START_RESULTS) workloadStarts.inc({ result }, 0);
  for (const outcome of EXIT_OUTCOMES) workloadExits.inc({ outcome }, 0);
  const checkResults = new Counter({
    name: 'mo_agent_check_results_total',
    help: 'Health check probes run by this agent, by kind (http, tcp, exec) and result (pass, fail).',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  for (const kind of CHECK_KINDS) for (const result of ['pass', 'fail']) checkResults.inc({ kind, result }, 0);
  let healthCounts: () => Record<string, number> = () => ({});
  new Gauge({
    name: 'mo_agent_workloads_by_health',
    help: 'Running workloads with health checks, by how their checks stand (starting, healthy, unhealthy).',
    labelNames: ['health'] as const,
    registers,
    collect() {
      const counts = healthCounts();
      for (const health of HEALTH_STATES) this.set({ health }, counts[health] ?? 0);
    },
  });

  if (options.defaultMetrics ?? true) {
    // Less prom-client's event-loop lag sampler and its three `_total` gauges (PROM_DEFAULTS).
    collectDefaultMetrics({ register: registry, ...PROM_DEFAULTS.options });
    for (const name of PROM_DEFAULTS.dropped) registry.removeSingleMetric(name);
  }

  return {
    registry,
    info,
    workloads,
    workloadStarts,
    workloadExits,
    workloadStartDuration,
    nodeCpuUtilization,
    nodeMemoryTotal,
    nodeMemoryAvailable,
    nodeLoad1,
    nodeLoad5,
    nodeLoad15,
    grpcRequests,
    schedulerConnected,
    setWorkloadCounts(counts) {
      for (const state of AGENT_WORKLOAD_STATES) workloads.set({ state }, counts[state] ?? 0);
    },
    sampleNodeOnScrape(refresh) {
      refreshNode = refresh;
    },
    setNodeMetrics(m) {
      nodeCpuUtilization.set(m.cpuUtilization);
      nodeMemoryTotal.set(m.memoryTotalBytes);
      nodeMemoryAvailable.set(m.memoryAvailableBytes);
      nodeLoad1.set(m.load1);
      nodeLoad5.set(m.load5);
      nodeLoad15.set(m.load15);
    },
    recordStart(result, durationSeconds) {
      workloadStarts.inc({ result });
      if (result === 'ok' && durationSeconds !== undefined) workloadStartDuration.observe(durationSeconds);
    },
    recordExit(outcome) {
      workloadExits.inc({ outcome });
    },
    recordGrpcRequest(method, code) {
      grpcRequests.inc({ method, code });
    },
    trackStreams(limits) {
      registerStreamMetrics(registry, 'agent', limits);
    },
    recordCheckResult(kind, ok) {
      checkResults.inc({ kind, result: ok ? 'pass' : 'fail' });
    },
    trackHealth(counts) {
      healthCounts = counts;
    },
  };
}
