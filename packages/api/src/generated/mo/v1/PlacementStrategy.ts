// Original file: proto/mo/v1/scheduler.proto

export const PlacementStrategy = {
  /**
   * the cluster default
   */
  PLACEMENT_STRATEGY_UNSPECIFIED: 'PLACEMENT_STRATEGY_UNSPECIFIED',
  PLACEMENT_STRATEGY_BINPACK: 'PLACEMENT_STRATEGY_BINPACK',
  PLACEMENT_STRATEGY_SPREAD: 'PLACEMENT_STRATEGY_SPREAD',
} as const;

export type PlacementStrategy =
  /**
   * the cluster default
   */
  | 'PLACEMENT_STRATEGY_UNSPECIFIED'
  | 0
  | 'PLACEMENT_STRATEGY_BINPACK'
  | 1
  | 'PLACEMENT_STRATEGY_SPREAD'
  | 2

export type PlacementStrategy__Output = typeof PlacementStrategy[keyof typeof PlacementStrategy]
