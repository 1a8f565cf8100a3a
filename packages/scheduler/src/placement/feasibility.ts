// Feasibility: the checks a node must pass before it is scored, in the order they run. A node's
// first failed check is its rejection reason, counted for metrics and for "why was nothing placed".
import type { PlacementNode, PlacementRequest, RejectionReason, ResourceAmounts } from './types.js';

/**
 * The checks in the order they run: the pinned name first (for a pinned request every other node
 * is "not the requested node", whatever else is wrong with it), then cheap state flags, then
 * driver, labels, and last the resource arithmetic.
 */
export const CHECK_ORDER: readonly RejectionReason[] = [
  'node_name',
  'down',
  'ineligible',
  'avoided',
  'driver',
  'constraint',
  'cpu',
  'memory',
];

/** A request with its constraint map flattened once, so the per-node check does not allocate. */
export interface PreparedRequest {
  nodeName: string | undefined;
  driver: string;
  resources: ResourceAmounts;
  constraintKeys: string[];
  constraintValues: string[];
}

export function prepareRequest(req: PlacementRequest): PreparedRequest {
  const keys = Object.keys(req.constraints);
  return {
    nodeName: req.nodeName,
    driver: req.driver,
    resources: req.resources,
    constraintKeys: keys,
    constraintValues: keys.map((k) => req.constraints[k]!),
  };
}

/** The first check `node` fails for `req`, or undefined when it is feasible. */
export function firstRejection(
  node: PlacementNode,
  reserved: ResourceAmounts,
  req: PreparedRequest,
  nowMs: number,
): RejectionReason | undefined {
  if (req.nodeName !== undefined && node.name !== req.nodeName) return 'node_name';
  if (!node.up) return 'down';
  if (!node.eligible) return 'ineligible';
  if (node.avoidUntilMs > nowMs) return 'avoided';
  if (!node.drivers.includes(req.driver)) return 'driver';
  const keys = req.constraintKeys;
  for (let i = 0; i < keys.length; i++) {
    if (node.labels[keys[i]!] !== req.constraintValues[i]) return 'constraint';
  }
  if (node.capacity.cpuMillis - reserved.cpuMillis < req.resources.cpuMillis) return 'cpu';
  if (node.capacity.memoryBytes - reserved.memoryBytes < req.resources.memoryBytes) return 'memory';
  return undefined;
}
