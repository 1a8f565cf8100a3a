// Original file: proto/mo/v1/jobs.proto

import type { Job as _mo_v1_Job, Job__Output as _mo_v1_Job__Output } from '../../mo/v1/Job.js';
import type { JobChange as _mo_v1_JobChange, JobChange__Output as _mo_v1_JobChange__Output } from '../../mo/v1/JobChange.js';

export interface RunJobResponse {
  'job'?: (_mo_v1_Job | null);
  /**
   * False: the file was the job's current version already (nothing was done).
   */
  'changed'?: (boolean);
  /**
   * "create", "none", "scale" or "update".
   */
  'kind'?: (string);
  'changes'?: (_mo_v1_JobChange)[];
}

export interface RunJobResponse__Output {
  'job': (_mo_v1_Job__Output | null);
  /**
   * False: the file was the job's current version already (nothing was done).
   */
  'changed': (boolean);
  /**
   * "create", "none", "scale" or "update".
   */
  'kind': (string);
  'changes': (_mo_v1_JobChange__Output)[];
}
