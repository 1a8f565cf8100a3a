// Event-loop delay of a daemon, for its `mo_event_loop_delay_seconds` metric: how late the loop
// ran timers, measured by Node's own sampler (perf_hooks.monitorEventLoopDelay).
// A request whose work grows with its size shows here first: the agent's heartbeats and every
// other call wait behind it (the scheduler marks a node down whose heartbeats stop).
//
// Sampled only while the daemon works. Node's sampler is a timer every RESOLUTION_MS: 100 wakeups
// a second, ~0.1-0.2 % of a core on this machine for a daemon that otherwise wakes a few times a
// second (the idle target is 0.1 %). So it is armed by activity (`noteActivity`: every gRPC call's
// start, every HTTP request) and parks itself once the loop has been nearly idle for QUIET_CHECKS
// seconds running. A call that blocks the loop arms the sampler before its handler runs, so its
// delay is measured; an idle daemon runs no timer for it at all.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { after, every, type Timer } from '../timers.js';

/** Sampling period: delays are measured with this granularity. */
const RESOLUTION_MS = 10;
/** While armed, the loop's utilization is checked this often. */
const CHECK_MS = 1000;
/** A second under this utilization (0..1) is quiet: the idle heartbeat work is ~0.001-0.003. */
const QUIET_UTILIZATION = 0.01;
/** Quiet checks in a row before the sampler parks. */
const QUIET_CHECKS = 5;

export interface LoopDelaySnapshot {
  /** Seconds, over the window since the previous snapshot (or the start). */
  p50: number;
  p99: number;
  max: number;
}

export interface LoopDelayOptions {
  /** Sample from the start (default: a daemon's start is work); otherwise from the first activity. */
  armed?: boolean;
  /** Tests: the check period, the quiet utilization and the quiet checks before parking. */
  checkMs?: number;
  quietUtilization?: number;
  quietChecks?: number;
}

/** The samplers of this process (one per metrics registry), armed together by noteActivity. */
const live = new Set<EventLoopDelay>();

/** Work arrived (a call, a request): every live sampler measures until the loop is quiet again. */
export function noteActivity(): void {
  for (const d of live) d.arm();
}

export class EventLoopDelay {
  private readonly histogram: IntervalHistogram;
  private check: Timer | undefined;
  private quiet = 0;
  private lastElu: EventLoopUtilization | undefined;
  private readonly o: Required<LoopDelayOptions>;
  /** Seconds: how late the loop came round while Node's sampler was not yet recording (see bridge). */
  private firstMax = 0;

  constructor(options: LoopDelayOptions = {}) {
    this.o = {
      armed: true,
      checkMs: CHECK_MS,
      quietUtilization: QUIET_UTILIZATION,
      quietChecks: QUIET_CHECKS,
      ...options,
    };
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    live.add(this);
    if (this.o.armed) this.arm();
  }

  /** Whether the sampler runs now (tests). */
  get armed(): boolean {
    return this.check !== undefined;
  }

  /** Starts sampling (if parked) and restarts the quiet count. */
  arm(): void {
    this.quiet = 0;
    if (this.check) return;
    this.histogram.enable();
    this.lastElu = performance.eventLoopUtilization();
    this.check = every(this.o.checkMs, () => this.onCheck());
    this.bridge(performance.now());
  }

  /**
   * Node's sampler records from its second tick on, so until it does, a timer of the same period
   * measures the loop by how late it runs (the rest of the arming turn: the call's synchronous
   * work; then each later turn), chained until the sampler has recorded. With only the arming turn
   * measured, a later turn that blocked the loop before that tick went unseen: under CI's load a
   * JS timer due earlier let a 150 ms block run before the sampler's first tick (max read 0.03 s).
   */
  private bridge(from: number): void {
    after(RESOLUTION_MS, () => {
      const now = performance.now();
      this.firstMax = Math.max(this.firstMax, Math.max(0, now - from - RESOLUTION_MS) / 1e3);
      if (this.check && this.histogram.count === 0) this.bridge(now);
    });
  }

  private onCheck(): void {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, this.lastElu).utilization;
    this.lastElu = now;
    if (busy >= this.o.quietUtilization) this.quiet = 0;
    else if (++this.quiet >= this.o.quietChecks) this.park();
  }

  private park(): void {
    this.check?.cancel();
    this.check = undefined;
    this.histogram.disable(); // what it recorded stays for the next snapshot
  }

  /** The delays since the previous snapshot; starts the next window. */
  snapshot(): LoopDelaySnapshot {
    const h = this.histogram;
    // Node records each sampling interval whole (the period plus the delay, in ns): the delay is
    // what passes the period. An empty window (parked throughout) reads 0, not NaN.
    const s = (ns: number) => (Number.isFinite(ns) && h.count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) / 1e3 : 0);
    const out = { p50: s(h.percentile(50)), p99: s(h.percentile(99)), max: Math.max(s(h.max), this.firstMax) };
    h.reset();
    this.firstMax = 0;
    return out;
  }

  close(): void {
    this.park();
    live.delete(this);
  }
}

/**
 * The metric both daemons export: a gauge labelled `stat` (p50, p99, max). Not a Prometheus summary
 * (`quantile`): Node's sampler gives the window's percentiles, not the sum and count one needs.
 */
export const LOOP_DELAY_METRIC = {
  name: 'mo_event_loop_delay_seconds',
  help:
    'How late the event loop ran since the previous scrape: its p50, p99 and max (label stat), ' +
    `sampled every ${RESOLUTION_MS} ms while the daemon works (from a call or request until ` +
    `${QUIET_CHECKS} s of a nearly idle loop; 0 when idle throughout). Above ~0.05 s, requests and heartbeats wait.`,
};

/**
 * How the daemons register prom-client's default process_* and nodejs_* metrics (prom-client is
 * theirs, not this package's): `collectDefaultMetrics({ register, ...PROM_DEFAULTS.options })`,
 * then `removeSingleMetric` of each of PROM_DEFAULTS.dropped.
 * - prom-client's nodejs_eventloop_lag_* run their own 10 ms sampler, always (a second 100
 *   wakeups/s beside ours): given a period it never reaches, and dropped; mo_event_loop_delay_seconds
 *   measures the same while the daemon works.
 * - nodejs_active_{handles,requests,resources}_total are gauges named `_total`, which
 *   `promtool check metrics` flags (prometheus/client_js#283); they are only the sums of
 *   nodejs_active_{handles,requests,resources}{type}: `sum without (type) (...)` gives them.
 */
export const PROM_DEFAULTS = {
  options: { eventLoopMonitoringPrecision: 2 ** 31 - 1 },
  dropped: [
    'nodejs_eventloop_lag_seconds',
    'nodejs_eventloop_lag_min_seconds',
    'nodejs_eventloop_lag_max_seconds',
    'nodejs_eventloop_lag_mean_seconds',
    'nodejs_eventloop_lag_stddev_seconds',
    'nodejs_eventloop_lag_p50_seconds',
    'nodejs_eventloop_lag_p90_seconds',
    'nodejs_eventloop_lag_p99_seconds',
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ],
} as const;
