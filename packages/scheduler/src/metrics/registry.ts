// The scheduler's Prometheus metrics, in a registry of its own (a test process may hold several
// daemons). Gauges that mirror state are computed at scrape time from the live objects, so they
// can never drift from what the scheduler actually holds.
import type { StreamKindStats } from '@mo/api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EventLoopDelay, LOOP_DELAY_METRIC, PROM_DEFAULTS } from '@mo/api';
import type { RejectionReason } from '../placement/types.js';
import type { WorkloadStateName } from '../workloads/record.js';

const WORKLOAD_STATES: WorkloadStateName[] = [
  'pending',
  'starting',
  'running',
  'succeeded',
  'failed',
  'stopped',
  'lost',
];
export interface SchedulerMetricsSources {
  nodeCounts(): Record<'up' | 'down', number>;
  workloadCounts(): ReadonlyMap<WorkloadStateName, number>;
  queueDepth(): number;
  rejections(): Partial<Record<RejectionReason, number>>;
  /** Long-lived streams by kind (StreamLimits.stats). */
  streams?(): StreamKindStats[];
}

export interface SchedulerMetrics {
  readonly registry: Registry;
  placement(result: 'placed' | 'failed', seconds: number): void;
  recordGrpcRequest(method: string, code: string): void;
  /** An /api/v1 request ended, named by the gRPC method it is, with its status code's name. */
  recordHttpRequest(method: string, code: string): void;
  /** A call refused because its caller was over its rate (mutating, register, heartbeat). */
  recordRateLimited(callClass: string): void;
  /** An upload answered before every live artifact mirror had reported it (several schedulers). */
  recordReplicationTimeout(): void;
}

export function createSchedulerMetrics(
  version: string,
  sources: SchedulerMetricsSources,
  defaultMetrics = true,
): SchedulerMetrics {
  const registry = new Registry();
  if (defaultMetrics) {
    collectDefaultMetrics({ register: registry, ...PROM_DEFAULTS.options });
    for (const name of PROM_DEFAULTS.dropped) registry.removeSingleMetric(name);
  }
  // mo_event_loop_delay_seconds: the daemon's own event-loop delay since the previous scrape.
  const loopDelay = new EventLoopDelay();
  new Gauge({
    name: LOOP_DELAY_METRIC.name,
    help: LOOP_DELAY_METRIC.help,
    labelNames: ['stat'] as const,
    registers: [registry],
    collect() {
      const d = loopDelay.snapshot();
      this.set({ stat: 'p50' }, d.p50);
      this.set({ stat: 'p99' }, d.p99);
      this.set({ stat: 'max' }, d.max);
    },
  });
  new Gauge({
    name: 'mo_scheduler_info',
    help: 'Scheduler build information (always 1).',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version }, 1);
  new Gauge({
    name: 'mo_scheduler_nodes',
    help: 'Registered nodes by status.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const c = sources.nodeCounts();
      this.set({ status: 'up' }, c.up);
      this.set({ status: 'down' }, c.down);
    },
  });
  new Gauge({
    name: 'mo_scheduler_workloads',
    help: 'Workloads known to the scheduler, by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = sources.workloadCounts();
      for (const state of WORKLOAD_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  new Gauge({
    name: 'mo_scheduler_queue_depth',
    help: 'Workloads waiting for placement (pending).',
    registers: [registry],
    collect() {
      this.set(sources.queueDepth());
    },
  });
  let lastRejections: Partial<Record<RejectionReason, number>> = {};
  const rejections = new Counter({
    name: 'mo_scheduler_placement_rejections_total',
    help: 'Nodes rejected by placement feasibility checks, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      // The engine keeps cumulative counts; add the difference since the last scrape.
      const now = sources.rejections();
      for (const [reason, n] of Object.entries(now)) {
        const delta = n - (lastRejections[reason as RejectionReason] ?? 0);
        if (delta > 0) rejections.inc({ reason }, delta);
      }
      lastRejections = { ...now };
    },
  });
  const placements = new Counter({
    name: 'mo_scheduler_placements_total',
    help: 'Placement decisions, by result (placed, or failed: no feasible node).',
    labelNames: ['result'],
    registers: [registry],
  });
  placements.inc({ result: 'placed' }, 0);
  placements.inc({ result: 'failed' }, 0);
  const duration = new Histogram({
    name: 'mo_scheduler_placement_duration_seconds',
    help: 'Time to take one placement decision.',
    buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01],
    registers: [registry],
  });
  const grpcRequests = new Counter({
    name: 'mo_scheduler_grpc_requests_total',
    help: 'gRPC requests handled, by method and status code.',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'mo_scheduler_http_requests_total',
    help: '/api/v1 requests handled, by the gRPC method each is and status code (as gRPC names it).',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'mo_scheduler_rate_limited_total',
    help: 'Calls refused with RESOURCE_EXHAUSTED because their caller was over its rate per identity (--rate-limit), by class of call.',
    labelNames: ['class'],
    registers: [registry],
  });
  const replicationTimeouts = new Counter({
    name: 'mo_scheduler_artifact_replication_timeouts_total',
    help: 'Artifact uploads answered after the replication wait passed with a follower mirror still lacking the artifact (several schedulers on etcd).',
    registers: [registry],
  });
  if (sources.streams) {
    const streams = sources.streams;
    new Gauge({
      name: 'mo_scheduler_streams_open',
      help: 'Long-lived gRPC streams open now, by kind (logs, upload, download, heartbeat, watch, ...).',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const s of streams()) this.set({ kind: s.kind }, s.open);
      },
    });
    new Counter({
      name: 'mo_scheduler_streams_refused_total',
      help: 'Streams refused with RESOURCE_EXHAUSTED because their kind was at its cap (--max-streams), by kind.',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of streams()) this.inc({ kind: s.kind }, s.refused);
      },
    });
    new Counter({
      name: 'mo_scheduler_streams_cut_off_total',
      help: 'Streams ended with RESOURCE_EXHAUSTED because the peer stalled (a reader took nothing, a client sent nothing) past --stream-stall-timeout, by kind.',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of streams()) this.inc({ kind: s.kind }, s.cutOff);
      },
    });
  }
  return {
    registry,
    placement(result, seconds) {
      placements.inc({ result });
      duration.observe(seconds);
    },
    recordGrpcRequest(method, code) {
      grpcRequests.inc({ method, code });
    },
    recordHttpRequest(method, code) {
      httpRequests.inc({ method, code });
    },
    recordRateLimited(callClass) {
      rateLimited.inc({ class: callClass });
    },
    recordReplicationTimeout() {
      replicationTimeouts.inc();
    },
  };
}
