// The placement engine's inputs and outputs. Pure data: no grpc, fs or store types here, so the
// engine can be unit-tested, benchmarked on simulated nodes and replayed from a seed.

export type Strategy = 'binpack' | 'spread';

export interface ResourceAmounts {
  cpuMillis: number;
  memoryBytes: number;
  /** Host ports (a docker workload's published ports; a node's docker port range). Absent = 0. */
  hostPorts?: number;
}

/** What placement knows about one node. The registry keeps it current; the engine never does I/O. */
export interface PlacementNode {
  id: string;
  name: string;
  /** Only 'up' nodes are feasible. */
  up: boolean;
  /** False when an operator marked it ineligible (drain); not used by the CLI yet. */
  eligible: boolean;
  drivers: readonly string[];
  labels: Readonly<Record<string, string>>;
  capacity: ResourceAmounts;
  /** Measured use from heartbeats: CPU 0..1 of the whole host, memory in use (total - available). */
  measured: { cpuUtilization: number; memoryUsedBytes: number };
  /** Per-node circuit breaker: the node is skipped until this time (ms since epoch). 0 = never. */
  avoidUntilMs: number;
}

export interface PlacementRequest {
  /** Only used to derive replayable randomness and in explanations. */
  workloadId: string;
  driver: string;
  resources: ResourceAmounts;
  /** Node labels that must equal these values. */
  constraints: Readonly<Record<string, string>>;
  /** Pin to this node name (feasibility still applies). */
  nodeName?: string;
  /** Undefined = the engine's default strategy. */
  strategy?: Strategy;
  /** Batch-style work scores 2 candidates instead of about log2(N). */
  batch?: boolean;
}

/** Named reasons a node is rejected; every rejection is counted under one of them. */
export type RejectionReason =
  | 'down'
  | 'ineligible'
  | 'avoided' // circuit breaker open after repeated start failures
  | 'driver' // driver not available ("no node has docker")
  | 'constraint' // labels did not match
  | 'node_name' // pinned to another node
  | 'cpu' // not enough free declared CPU
  | 'memory' // not enough free declared memory
  | 'ports'; // not enough free host ports

/** What feasibility on one node depends on (PlacementEngine.fits): the shape of a request. */
export type FitRequest = Pick<PlacementRequest, 'driver' | 'resources' | 'constraints' | 'nodeName'>;

export type PlacementResult =
  | {
      ok: true;
      nodeId: string;
      nodeName: string;
      score: number;
      /** How many feasible candidates were scored (the limit stage's sample). */
      scored: number;
      /** How many nodes were looked at to find them. */
      examined: number;
    }
  | {
      ok: false;
      /** Human explanation, e.g. "3 nodes: 2 lacked memory, 1 down" or "no nodes registered". */
      reason: string;
      /** Every node's first rejection reason, counted. */
      rejections: Partial<Record<RejectionReason, number>>;
      examined: number;
      /**
       * When the answer may change by itself: the earliest end of a rejecting node's avoidance
       * (circuit breaker). Absent when only an event (a node registering, room freed) can change it.
       */
      retryAtMs?: number;
    };

export interface PlacementEngineOptions {
  /** Seed of the engine's PRNG: the same seed, nodes and requests replay the same decisions. */
  seed?: number;
  defaultStrategy?: Strategy;
  /** Weight of declared reservations vs measured utilisation in ranking, 0..1 (default 0.7). */
  reservedWeight?: number;
  /** Smallest sample the limit stage scores for non-batch work (default 3; Nomad uses 2). */
  minSample?: number;
}
