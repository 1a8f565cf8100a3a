// Original file: proto/mo/v1/jobs.proto


export interface RunJobRequest {
  /**
   * The job file, YAML or JSON text (at most 256 KiB).
   */
  'spec'?: (string);
}

export interface RunJobRequest__Output {
  /**
   * The job file, YAML or JSON text (at most 256 KiB).
   */
  'spec': (string);
}
