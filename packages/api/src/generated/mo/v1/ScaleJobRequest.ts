// Original file: proto/mo/v1/jobs.proto


export interface ScaleJobRequest {
  'name'?: (string);
  /**
   * 0..10000; 0 stops every instance but keeps the job running (a later scale starts them).
   */
  'count'?: (number);
}

export interface ScaleJobRequest__Output {
  'name': (string);
  /**
   * 0..10000; 0 stops every instance but keeps the job running (a later scale starts them).
   */
  'count': (number);
}
