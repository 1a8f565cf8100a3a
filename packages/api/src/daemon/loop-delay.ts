// Event-loop delay of a daemon, for its `mo_event_loop_delay_seconds` metric: how late the loop
// ran timers, measured by Node's own sampler (perf_hooks.monitorEventLoopDelay, no timer of ours).
// A request whose work grows with its size shows here first: the agent's heartbeats and every
// other call wait behind it (the scheduler marks a node down whose heartbeats stop).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Sampling period: delays are measured with this granularity. */
const RESOLUTION_MS = 10;

export interface LoopDelaySnapshot {
  /** Seconds, over the window since the previous snapshot (or the start). */
  p50: number;
  p99: number;
  max: number;
}

export class EventLoopDelay {
  private readonly histogram: IntervalHistogram;

  constructor() {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  /** The delays since the previous snapshot; starts the next window. */
  snapshot(): LoopDelaySnapshot {
    const h = this.histogram;
    // Node records each sampling interval whole (the period plus the delay, in ns): the delay is
    // what passes the period. An empty window reads 0, not NaN.
    const s = (ns: number) => (Number.isFinite(ns) && h.count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) / 1e3 : 0);
    const out = { p50: s(h.percentile(50)), p99: s(h.percentile(99)), max: s(h.max) };
    h.reset();
    return out;
  }

  close(): void {
    this.histogram.disable();
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
    `sampled every ${RESOLUTION_MS} ms. Above ~0.05 s, requests and heartbeats wait.`,
};
