// Original file: proto/mo/v1/jobs.proto

import type { Deployment as _mo_v1_Deployment, Deployment__Output as _mo_v1_Deployment__Output } from '../../mo/v1/Deployment.js';
import type { JobInstance as _mo_v1_JobInstance, JobInstance__Output as _mo_v1_JobInstance__Output } from '../../mo/v1/JobInstance.js';
import type { Long } from '@grpc/proto-loader';

export interface Job {
  'name'?: (string);
  /**
   * "service" or "batch".
   */
  'type'?: (string);
  /**
   * The current version (the one being deployed, if a deployment is on).
   */
  'version'?: (number);
  'count'?: (number);
  /**
   * StopJob was called (and no RunJob since).
   */
  'stopped'?: (boolean);
  /**
   * The current version's spec, normalized (every default written out), as JSON.
   */
  'spec'?: (string);
  /**
   * The latest deployment.
   */
  'deployment'?: (_mo_v1_Deployment | null);
  /**
   * The last version whose deployment succeeded (0: none): what auto_revert goes back to.
   */
  'lastGoodVersion'?: (number);
  /**
   * Live instances (and the last ended one of each index), by index; empty in ListJobs and in
   * JobEvent (each instance's changes are workload events).
   */
  'instances'?: (_mo_v1_JobInstance)[];
  /**
   * Instances by state, and how many are healthy (or running, without checks).
   */
  'running'?: (number);
  'healthy'?: (number);
  'pending'?: (number);
  'createdAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
}

export interface Job__Output {
  'name': (string);
  /**
   * "service" or "batch".
   */
  'type': (string);
  /**
   * The current version (the one being deployed, if a deployment is on).
   */
  'version': (number);
  'count': (number);
  /**
   * StopJob was called (and no RunJob since).
   */
  'stopped': (boolean);
  /**
   * The current version's spec, normalized (every default written out), as JSON.
   */
  'spec': (string);
  /**
   * The latest deployment.
   */
  'deployment': (_mo_v1_Deployment__Output | null);
  /**
   * The last version whose deployment succeeded (0: none): what auto_revert goes back to.
   */
  'lastGoodVersion': (number);
  /**
   * Live instances (and the last ended one of each index), by index; empty in ListJobs and in
   * JobEvent (each instance's changes are workload events).
   */
  'instances': (_mo_v1_JobInstance__Output)[];
  /**
   * Instances by state, and how many are healthy (or running, without checks).
   */
  'running': (number);
  'healthy': (number);
  'pending': (number);
  'createdAtMs': (number);
  'updatedAtMs': (number);
}
