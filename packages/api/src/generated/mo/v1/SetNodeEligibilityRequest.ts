// Original file: proto/mo/v1/scheduler.proto


export interface SetNodeEligibilityRequest {
  /**
   * The node's name or id.
   */
  'node'?: (string);
  'eligible'?: (boolean);
}

export interface SetNodeEligibilityRequest__Output {
  /**
   * The node's name or id.
   */
  'node': (string);
  'eligible': (boolean);
}
