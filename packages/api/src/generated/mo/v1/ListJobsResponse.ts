// Original file: proto/mo/v1/jobs.proto

import type { Job as _mo_v1_Job, Job__Output as _mo_v1_Job__Output } from '../../mo/v1/Job.js';

export interface ListJobsResponse {
  'jobs'?: (_mo_v1_Job)[];
  'nextPageToken'?: (string);
}

export interface ListJobsResponse__Output {
  'jobs': (_mo_v1_Job__Output)[];
  'nextPageToken': (string);
}
