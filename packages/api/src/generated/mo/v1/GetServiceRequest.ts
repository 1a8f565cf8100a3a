// Original file: proto/mo/v1/jobs.proto


export interface GetServiceRequest {
  'name'?: (string);
  /**
   * Also instances that are not healthy (starting, unhealthy, not running).
   */
  'all'?: (boolean);
}

export interface GetServiceRequest__Output {
  'name': (string);
  /**
   * Also instances that are not healthy (starting, unhealthy, not running).
   */
  'all': (boolean);
}
