// Original file: proto/mo/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One rollout of one version of a job (a batch job's run of a version is one too).
 */
export interface Deployment {
  'version'?: (number);
  /**
   * "running", "succeeded", "failed" or "cancelled".
   */
  'state'?: (string);
  'desired'?: (number);
  'placed'?: (number);
  'healthy'?: (number);
  'unhealthy'?: (number);
  /**
   * Batch: instances done.
   */
  'succeeded'?: (number);
  'startedAtMs'?: (number | string | Long);
  'endedAtMs'?: (number | string | Long);
  'reason'?: (string);
}

/**
 * One rollout of one version of a job (a batch job's run of a version is one too).
 */
export interface Deployment__Output {
  'version': (number);
  /**
   * "running", "succeeded", "failed" or "cancelled".
   */
  'state': (string);
  'desired': (number);
  'placed': (number);
  'healthy': (number);
  'unhealthy': (number);
  /**
   * Batch: instances done.
   */
  'succeeded': (number);
  'startedAtMs': (number);
  'endedAtMs': (number);
  'reason': (string);
}
