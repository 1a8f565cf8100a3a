// Original file: proto/mo/v1/scheduler.proto


export interface GetClusterStatusRequest {
  /**
   * How many recent workloads to include (0 = 10).
   */
  'recentWorkloads'?: (number);
}

export interface GetClusterStatusRequest__Output {
  /**
   * How many recent workloads to include (0 = 10).
   */
  'recentWorkloads': (number);
}
