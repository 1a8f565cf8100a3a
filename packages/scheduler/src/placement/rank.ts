// Ranking: how full a node would be with the request on it, blending declared reservations with
// measured use, turned into Nomad's fit score (ScoreFitBinPack / ScoreFitSpread), normalised to 0..1.
import type { Strategy } from './types.js';

/**
 * Fraction (0..1) of one resource in use once the request lands, blending what is reserved
 * (declared, exact but optimistic) with what is measured (real, but lagging a heartbeat):
 * w * (reserved + request) / capacity + (1 - w) * (measured + request) / capacity.
 */
export function usedFraction(reserved: number, measured: number, request: number, capacity: number, w: number): number {
  if (capacity <= 0) return 1;
  const f = (w * (reserved + request) + (1 - w) * (measured + request)) / capacity;
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/**
 * Score of a node given its used CPU and memory fractions with the request on it; higher is better.
 * Both curves are Nomad's: with free fractions fc, fm, binpack = (20 - 10^fc - 10^fm) / 18 (fuller
 * is better) and spread = (10^fc + 10^fm - 2) / 18 (emptier is better). The exponent makes the last
 * free capacity count most, so bin-packing closes nodes off rather than leaving slivers everywhere.
 */
export function fitScore(cpuUsed: number, memUsed: number, strategy: Strategy): number {
  const free = Math.exp((1 - cpuUsed) * Math.LN10) + Math.exp((1 - memUsed) * Math.LN10); // 10^x, faster than **
  return strategy === 'binpack' ? (20 - free) / 18 : (free - 2) / 18;
}
