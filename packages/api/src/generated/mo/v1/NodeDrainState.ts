// Original file: proto/mo/v1/scheduler.proto

export const NodeDrainState = {
  /**
   * no drain
   */
  NODE_DRAIN_STATE_UNSPECIFIED: 'NODE_DRAIN_STATE_UNSPECIFIED',
  NODE_DRAIN_STATE_DRAINING: 'NODE_DRAIN_STATE_DRAINING',
  /**
   * Nothing of the drain is left on the node; it stays ineligible until made eligible.
   */
  NODE_DRAIN_STATE_DRAINED: 'NODE_DRAIN_STATE_DRAINED',
} as const;

export type NodeDrainState =
  /**
   * no drain
   */
  | 'NODE_DRAIN_STATE_UNSPECIFIED'
  | 0
  | 'NODE_DRAIN_STATE_DRAINING'
  | 1
  /**
   * Nothing of the drain is left on the node; it stays ineligible until made eligible.
   */
  | 'NODE_DRAIN_STATE_DRAINED'
  | 2

export type NodeDrainState__Output = typeof NodeDrainState[keyof typeof NodeDrainState]
