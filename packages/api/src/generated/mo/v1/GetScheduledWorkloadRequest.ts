// Original file: proto/mo/v1/scheduler.proto


export interface GetScheduledWorkloadRequest {
  'workloadId'?: (string);
}

export interface GetScheduledWorkloadRequest__Output {
  'workloadId': (string);
}
