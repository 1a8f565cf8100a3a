// Ranking: how full a node would be with the request on it, blending declared reservations with
// measured use, turned into Nomad's fit score (ScoreFitBinPack / ScoreFitSpread), normalised to 0..1.
import type { ResourceAmounts, PlacementNode, Strategy } from './types.js';

/**
 * Fraction (0..1) of one resource in use once the request lands, blending what is reserved
 * (declared, exact but optimistic) with what is measured (real, but lagging a heartbeat).
 */
function usedFraction(reserved: number, measured: number, request: number, capacity: number, w: number): number {
  if (capacity <= 0) return 1;
  const f = (w * (reserved + request) + (1 - w) * (measured + request)) / capacity;
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/**
 * Score of placing `request` on `node`, higher is better. Both curves are Nomad's: with free
 * fractions fc, fm, binpack = (20 - 10^fc - 10^fm) / 18 (fuller is better) and
 * spread = (10^fc + 10^fm - 2) / 18 (emptier is better). The exponent makes the last free
 * capacity count most, so binpack closes nodes off rather than leaving slivers everywhere.
 */
export function fitScore(
  node: PlacementNode,
  reserved: ResourceAmounts,
  request: ResourceAmounts,
  strategy: Strategy,
  reservedWeight: number,
): number {
  const cap = node.capacity;
  const cpu = usedFraction(
    reserved.cpuMillis,
    node.measured.cpuUtilization * cap.cpuMillis,
    request.cpuMillis,
    cap.cpuMillis,
    reservedWeight,
  );
  const mem = usedFraction(
    reserved.memoryBytes,
    node.measured.memoryUsedBytes,
    request.memoryBytes,
    cap.memoryBytes,
    reservedWeight,
  );
  const free = 10 ** (1 - cpu) + 10 ** (1 - mem);
  return strategy === 'binpack' ? (20 - free) / 18 : (free - 2) / 18;
}
