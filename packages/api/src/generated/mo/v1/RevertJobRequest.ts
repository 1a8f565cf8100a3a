// Original file: proto/mo/v1/jobs.proto


export interface RevertJobRequest {
  'name'?: (string);
  'version'?: (number);
}

export interface RevertJobRequest__Output {
  'name': (string);
  'version': (number);
}
