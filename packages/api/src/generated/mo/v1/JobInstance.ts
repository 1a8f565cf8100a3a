// Original file: proto/mo/v1/jobs.proto

import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';
import type { Health as _mo_v1_Health, Health__Output as _mo_v1_Health__Output } from '../../mo/v1/Health.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from '../../mo/v1/PortMapping.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One instance of a job: a workload the scheduler started for it.
 */
export interface JobInstance {
  'workloadId'?: (string);
  'version'?: (number);
  'index'?: (number);
  /**
   * Attempts at this index for this version (1 for the first).
   */
  'attempt'?: (number);
  'state'?: (_mo_v1_WorkloadState);
  'reason'?: (string);
  'health'?: (_mo_v1_Health);
  'nodeId'?: (string);
  'nodeName'?: (string);
  /**
   * The node's host as its agent advertises it, and the ports it got there.
   */
  'host'?: (string);
  'ports'?: (_mo_v1_PortMapping)[];
  'startedAtMs'?: (number | string | Long);
}

/**
 * One instance of a job: a workload the scheduler started for it.
 */
export interface JobInstance__Output {
  'workloadId': (string);
  'version': (number);
  'index': (number);
  /**
   * Attempts at this index for this version (1 for the first).
   */
  'attempt': (number);
  'state': (_mo_v1_WorkloadState__Output);
  'reason': (string);
  'health': (_mo_v1_Health__Output);
  'nodeId': (string);
  'nodeName': (string);
  /**
   * The node's host as its agent advertises it, and the ports it got there.
   */
  'host': (string);
  'ports': (_mo_v1_PortMapping__Output)[];
  'startedAtMs': (number);
}
