// Original file: proto/mo/v1/agent.proto


export interface GetWorkloadRequest {
  'workloadId'?: (string);
}

export interface GetWorkloadRequest__Output {
  'workloadId': (string);
}
