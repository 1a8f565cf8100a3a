/**
 * Placement: where a workload runs. Pure (no grpc, fs or store); see README.md for the pipeline.
 *
 * ```ts
 * import { PlacementEngine } from './placement/index.js';
 * const engine = new PlacementEngine({ defaultStrategy: 'spread' });
 * engine.upsertNode(node); // from the registry, on every change
 * const r = engine.place({ workloadId, driver: 'process', resources, constraints: {} });
 * if (r.ok) engine.reserve(r.nodeId, resources);
 * ```
 *
 * Exports: `PlacementEngine`, `resolvePlacementEngineOptions`, and the contract types.
 */
export { PlacementEngine } from './engine.js';
export { resolvePlacementEngineOptions, type ResolvedPlacementEngineOptions } from './options.js';
export type * from './types.js';
