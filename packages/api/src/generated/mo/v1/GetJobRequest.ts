// Original file: proto/mo/v1/jobs.proto


export interface GetJobRequest {
  'name'?: (string);
}

export interface GetJobRequest__Output {
  'name': (string);
}
