// Original file: proto/mo/v1/jobs.proto

import type { JobVersionInfo as _mo_v1_JobVersionInfo, JobVersionInfo__Output as _mo_v1_JobVersionInfo__Output } from '../../mo/v1/JobVersionInfo.js';
import type { Deployment as _mo_v1_Deployment, Deployment__Output as _mo_v1_Deployment__Output } from '../../mo/v1/Deployment.js';

export interface JobHistoryResponse {
  /**
   * Newest first.
   */
  'versions'?: (_mo_v1_JobVersionInfo)[];
  /**
   * Newest first.
   */
  'deployments'?: (_mo_v1_Deployment)[];
}

export interface JobHistoryResponse__Output {
  /**
   * Newest first.
   */
  'versions': (_mo_v1_JobVersionInfo__Output)[];
  /**
   * Newest first.
   */
  'deployments': (_mo_v1_Deployment__Output)[];
}
