// Original file: proto/mo/v1/jobs.proto

import type { JobChange as _mo_v1_JobChange, JobChange__Output as _mo_v1_JobChange__Output } from '../../mo/v1/JobChange.js';
import type { PlannedPlacement as _mo_v1_PlannedPlacement, PlannedPlacement__Output as _mo_v1_PlannedPlacement__Output } from '../../mo/v1/PlannedPlacement.js';

export interface JobPlan {
  /**
   * "create", "none", "scale" or "update".
   */
  'kind'?: (string);
  'changes'?: (_mo_v1_JobChange)[];
  /**
   * The version RunJob would make current (the current one for none and scale).
   */
  'version'?: (number);
  /**
   * Instances it would start and stop now (an update starts max_parallel at first).
   */
  'starts'?: (number);
  'stops'?: (number);
  'placements'?: (_mo_v1_PlannedPlacement)[];
}

export interface JobPlan__Output {
  /**
   * "create", "none", "scale" or "update".
   */
  'kind': (string);
  'changes': (_mo_v1_JobChange__Output)[];
  /**
   * The version RunJob would make current (the current one for none and scale).
   */
  'version': (number);
  /**
   * Instances it would start and stop now (an update starts max_parallel at first).
   */
  'starts': (number);
  'stops': (number);
  'placements': (_mo_v1_PlannedPlacement__Output)[];
}
