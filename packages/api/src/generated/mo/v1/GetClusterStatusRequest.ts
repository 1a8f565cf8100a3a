// Original file: proto/mo/v1/scheduler.proto


export interface GetClusterStatusRequest {
  /**
   * How many recent workloads to include (0 = 10, at most 1000).
   */
  'recentWorkloads'?: (number);
  /**
   * How many nodes to include, by name (0 = 100; above 1000 = 1000).
   */
  'maxNodes'?: (number);
}

export interface GetClusterStatusRequest__Output {
  /**
   * How many recent workloads to include (0 = 10, at most 1000).
   */
  'recentWorkloads': (number);
  /**
   * How many nodes to include, by name (0 = 100; above 1000 = 1000).
   */
  'maxNodes': (number);
}
