// Original file: proto/mo/v1/scheduler.proto


export interface RemoveNodeRequest {
  /**
   * The node's name or id.
   */
  'node'?: (string);
}

export interface RemoveNodeRequest__Output {
  /**
   * The node's name or id.
   */
  'node': (string);
}
