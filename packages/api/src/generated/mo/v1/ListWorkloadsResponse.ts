// Original file: proto/mo/v1/scheduler.proto

import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';

export interface ListWorkloadsResponse {
  'workloads'?: (_mo_v1_ScheduledWorkload)[];
  /**
   * Matching workloads in all, across every page.
   */
  'total'?: (number);
  /**
   * Empty on the last page.
   */
  'nextPageToken'?: (string);
}

export interface ListWorkloadsResponse__Output {
  'workloads': (_mo_v1_ScheduledWorkload__Output)[];
  /**
   * Matching workloads in all, across every page.
   */
  'total': (number);
  /**
   * Empty on the last page.
   */
  'nextPageToken': (string);
}
