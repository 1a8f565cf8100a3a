// Original file: proto/mo/v1/jobs.proto


/**
 * One difference between two versions of a job, in the job spec's terms (jobs/README.md).
 */
export interface JobChange {
  /**
   * "count", "task.env.DEBUG", "checks[ready].intervalMs", "ports[admin]".
   */
  'path'?: (string);
  /**
   * JSON of the old and new values; empty for an addition (from) or a removal (to).
   */
  'from'?: (string);
  'to'?: (string);
}

/**
 * One difference between two versions of a job, in the job spec's terms (jobs/README.md).
 */
export interface JobChange__Output {
  /**
   * "count", "task.env.DEBUG", "checks[ready].intervalMs", "ports[admin]".
   */
  'path': (string);
  /**
   * JSON of the old and new values; empty for an addition (from) or a removal (to).
   */
  'from': (string);
  'to': (string);
}
