// Feasibility: the checks a node must pass before it is scored, in the order they run. A node's
// first failed check is its rejection reason, counted for metrics and for "why was nothing placed".
// The checks themselves run in the engine's hot loop (engine.ts) on its packed node rows; the
// driver and label checks run once per node class (node-classes.ts), not once per node.
import type { FitRequest, RejectionReason } from './types.js';

/**
 * The checks in the order they run, indexed by the engine's reason codes: the pinned name first
 * (for a pinned request every other node is "not the requested node", whatever else is wrong with
 * it), then cheap state flags, then driver and labels, and last the resource arithmetic.
 */
export const CHECK_ORDER = [
  'node_name',
  'down',
  'ineligible',
  'avoided',
  'driver',
  'constraint',
  'cpu',
  'memory',
  'ports',
] as const satisfies readonly RejectionReason[];

export const R_NODE_NAME = 0;
export const R_DOWN = 1;
export const R_INELIGIBLE = 2;
export const R_AVOIDED = 3;
export const R_DRIVER = 4;
export const R_CONSTRAINT = 5;
export const R_CPU = 6;
export const R_MEMORY = 7;
export const R_PORTS = 8;

/** A request with its constraint map flattened once, so the per-node checks do not allocate. */
export interface PreparedRequest {
  driver: string;
  cpuMillis: number;
  memoryBytes: number;
  /** 0 for most requests: only then does the engine read its host-port columns. */
  hostPorts: number;
  constraintKeys: string[];
  constraintValues: string[];
}

export function prepareRequest(req: FitRequest): PreparedRequest {
  const keys = Object.keys(req.constraints);
  return {
    driver: req.driver,
    cpuMillis: req.resources.cpuMillis,
    memoryBytes: req.resources.memoryBytes,
    hostPorts: req.resources.hostPorts ?? 0,
    constraintKeys: keys,
    constraintValues: keys.map((k) => req.constraints[k]!),
  };
}

/** The driver and label checks for one node class: R_DRIVER, R_CONSTRAINT, or -1 when it passes. */
export function classRejection(
  drivers: readonly string[],
  labels: Readonly<Record<string, string>>,
  req: PreparedRequest,
): number {
  if (!drivers.includes(req.driver)) return R_DRIVER;
  const keys = req.constraintKeys;
  for (let i = 0; i < keys.length; i++) {
    if (labels[keys[i]!] !== req.constraintValues[i]) return R_CONSTRAINT;
  }
  return -1;
}
