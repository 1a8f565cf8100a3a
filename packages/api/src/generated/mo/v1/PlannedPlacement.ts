// Original file: proto/mo/v1/jobs.proto


/**
 * Where a new instance of the plan would go.
 */
export interface PlannedPlacement {
  'index'?: (number);
  /**
   * Empty when it could not be placed now; reason says why ("3 nodes: 2 lacked memory, ...").
   */
  'nodeId'?: (string);
  'nodeName'?: (string);
  'reason'?: (string);
}

/**
 * Where a new instance of the plan would go.
 */
export interface PlannedPlacement__Output {
  'index': (number);
  /**
   * Empty when it could not be placed now; reason says why ("3 nodes: 2 lacked memory, ...").
   */
  'nodeId': (string);
  'nodeName': (string);
  'reason': (string);
}
