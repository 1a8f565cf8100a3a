// Original file: proto/mo/v1/jobs.proto


export interface ListJobsRequest {
  /**
   * Most jobs in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListJobsRequest__Output {
  /**
   * Most jobs in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize': (number);
  'pageToken': (string);
}
