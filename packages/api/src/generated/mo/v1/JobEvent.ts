// Original file: proto/mo/v1/jobs.proto

import type { Job as _mo_v1_Job, Job__Output as _mo_v1_Job__Output } from '../../mo/v1/Job.js';
import type { Service as _mo_v1_Service, Service__Output as _mo_v1_Service__Output } from '../../mo/v1/Service.js';

/**
 * A change of a job, on the cluster's event stream (WatchRequest.include_jobs).
 */
export interface JobEvent {
  'name'?: (string);
  /**
   * "version" (a new current version, or a revert), "deployment" (its record changed),
   * "instances" (the set of healthy instances changed: a reverse proxy reloads), "stopped".
   */
  'what'?: (string);
  'job'?: (_mo_v1_Job | null);
  /**
   * For "instances": the healthy ones now.
   */
  'service'?: (_mo_v1_Service | null);
}

/**
 * A change of a job, on the cluster's event stream (WatchRequest.include_jobs).
 */
export interface JobEvent__Output {
  'name': (string);
  /**
   * "version" (a new current version, or a revert), "deployment" (its record changed),
   * "instances" (the set of healthy instances changed: a reverse proxy reloads), "stopped".
   */
  'what': (string);
  'job': (_mo_v1_Job__Output | null);
  /**
   * For "instances": the healthy ones now.
   */
  'service': (_mo_v1_Service__Output | null);
}
