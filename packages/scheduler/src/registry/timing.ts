// How often a node beats and how long it may be silent: the options, and the timing they give a
// node by cluster size and by whether it has work.
export interface LivenessOptions {
  /** Heartbeat interval for small clusters (default 1 s). */
  heartbeatIntervalMs: number;
  /** A node is down this long after its last heartbeat, for small clusters (default 5 s). */
  downAfterMs: number;
  /**
   * The interval of a node with nothing on it (default 10 × heartbeatIntervalMs; 0 or less than
   * heartbeatIntervalMs: as a busy node). Its down-after stretches by the same ratio.
   */
  idleHeartbeatIntervalMs?: number;
  /** Cluster-wide heartbeat budget per second (default 50). */
  maxHeartbeatsPerSecond: number;
  /** Consecutive failed starts that open a node's circuit breaker (default 3). */
  breakerThreshold: number;
  /** How long a node is avoided once its breaker opened (default 30 s). */
  breakerCooldownMs: number;
  /** A node down this long is forgotten (default 24 h; 0 = never). */
  forgetDownAfterMs?: number;
}

export interface HeartbeatTiming {
  heartbeatIntervalMs: number;
  downAfterMs: number;
}

/**
 * A node's heartbeat interval and down-after. The interval stretches so the whole cluster stays
 * under maxHeartbeatsPerSecond; a node with nothing on it beats at the idle interval, since its
 * liveness only matters for placing new work (a start on a dead node fails and is placed again).
 * An idle agent so wakes for a heartbeat every 10 s, not every second (issue 19's idle CPU), while
 * a node with workloads keeps the 1 s interval and its down-after: how soon they are `unknown`.
 * The down-after stretches by the interval's ratio, so as many heartbeats are missed before down.
 */
export function heartbeatTiming(
  o: Pick<
    LivenessOptions,
    'heartbeatIntervalMs' | 'downAfterMs' | 'maxHeartbeatsPerSecond' | 'idleHeartbeatIntervalMs'
  >,
  clusterSize: number,
  idle: boolean,
): HeartbeatTiming {
  const { heartbeatIntervalMs, downAfterMs, maxHeartbeatsPerSecond } = o;
  const stretched = Math.ceil((clusterSize / maxHeartbeatsPerSecond) * 1000);
  const idleMs = o.idleHeartbeatIntervalMs ?? IDLE_HEARTBEAT_FACTOR * heartbeatIntervalMs;
  const interval = Math.max(heartbeatIntervalMs, stretched, idle ? idleMs : 0);
  return { heartbeatIntervalMs: interval, downAfterMs: Math.round(downAfterMs * (interval / heartbeatIntervalMs)) };
}

/** The idle interval by default: this many busy intervals. */
export const IDLE_HEARTBEAT_FACTOR = 10;
