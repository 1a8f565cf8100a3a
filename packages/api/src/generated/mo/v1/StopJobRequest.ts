// Original file: proto/mo/v1/jobs.proto


export interface StopJobRequest {
  'name'?: (string);
}

export interface StopJobRequest__Output {
  'name': (string);
}
