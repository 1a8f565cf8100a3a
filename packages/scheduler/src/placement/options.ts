// The engine's options: the one place defaults are filled and nonsense is rejected.
import { randomSeed } from './random.js';
import type { PlacementEngineOptions } from './types.js';

/** The options with defaults filled in. */
export type ResolvedPlacementEngineOptions = Required<PlacementEngineOptions>;

/** Fills defaults and rejects nonsense with a RangeError naming the option. */
export function resolvePlacementEngineOptions(options: PlacementEngineOptions = {}): ResolvedPlacementEngineOptions {
  const resolved = {
    seed: options.seed ?? randomSeed(),
    defaultStrategy: options.defaultStrategy ?? 'binpack',
    reservedWeight: options.reservedWeight ?? 0.7,
    minSample: options.minSample ?? 3,
  } satisfies ResolvedPlacementEngineOptions;
  if (!Number.isInteger(resolved.seed)) throw new RangeError(`seed must be an integer, got ${resolved.seed}`);
  if (resolved.defaultStrategy !== 'binpack' && resolved.defaultStrategy !== 'spread') {
    throw new RangeError(`defaultStrategy must be "binpack" or "spread", got ${String(resolved.defaultStrategy)}`);
  }
  if (!(resolved.reservedWeight >= 0 && resolved.reservedWeight <= 1)) {
    throw new RangeError(`reservedWeight must be within 0..1, got ${resolved.reservedWeight}`);
  }
  if (!Number.isInteger(resolved.minSample) || resolved.minSample < 1) {
    throw new RangeError(`minSample must be a positive integer, got ${resolved.minSample}`);
  }
  return resolved;
}
