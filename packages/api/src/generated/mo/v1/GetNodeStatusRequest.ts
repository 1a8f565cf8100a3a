// Original file: proto/mo/v1/agent.proto


export interface GetNodeStatusRequest {
  /**
   * Omit the workload list (facts and metrics only).
   */
  'omitWorkloads'?: (boolean);
}

export interface GetNodeStatusRequest__Output {
  /**
   * Omit the workload list (facts and metrics only).
   */
  'omitWorkloads': (boolean);
}
