// Original file: proto/mo/v1/scheduler.proto

import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from '../../mo/v1/WorkloadSpec.js';
import type { SchedulingSpec as _mo_v1_SchedulingSpec, SchedulingSpec__Output as _mo_v1_SchedulingSpec__Output } from '../../mo/v1/SchedulingSpec.js';
import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from '../../mo/v1/ExitStatus.js';
import type { WorkloadEvent as _mo_v1_WorkloadEvent, WorkloadEvent__Output as _mo_v1_WorkloadEvent__Output } from '../../mo/v1/WorkloadEvent.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from '../../mo/v1/PortMapping.js';
import type { PastAllocation as _mo_v1_PastAllocation, PastAllocation__Output as _mo_v1_PastAllocation__Output } from '../../mo/v1/PastAllocation.js';
import type { Health as _mo_v1_Health, Health__Output as _mo_v1_Health__Output } from '../../mo/v1/Health.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from '../../mo/v1/CheckStatus.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A workload as the scheduler tracks it, across all of its allocations.
 */
export interface ScheduledWorkload {
  'id'?: (string);
  'spec'?: (_mo_v1_WorkloadSpec | null);
  'scheduling'?: (_mo_v1_SchedulingSpec | null);
  'idempotencyKey'?: (string);
  'state'?: (_mo_v1_WorkloadState);
  /**
   * Why it is in this state; for pending, why it waits ("3 nodes: 2 lacked memory, 1 down").
   */
  'reason'?: (string);
  /**
   * The current (latest) allocation and where it is.
   */
  'allocationId'?: (string);
  'nodeId'?: (string);
  'nodeName'?: (string);
  /**
   * Runs so far (1 for the first start), and how many restarts the policy still allows in this
   * row (-1: unlimited).
   */
  'attempt'?: (number);
  'restartsLeft'?: (number);
  'pid'?: (number);
  'exit'?: (_mo_v1_ExitStatus | null);
  'createdAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  /**
   * When a pending restart becomes eligible for placement (0 = now).
   */
  'notBeforeMs'?: (number | string | Long);
  'events'?: (_mo_v1_WorkloadEvent)[];
  /**
   * Host ports of the current allocation (docker workloads that publish ports), as its agent reports.
   */
  'ports'?: (_mo_v1_PortMapping)[];
  /**
   * What the workload wrote to $MO_OUTPUT (key=value lines), as its agent reported when it ended.
   */
  'outputs'?: ({[key: string]: string});
  /**
   * While unknown: since when its node has not been heard from, and when it is given up (declared
   * lost, and replaced per its restart policy) unless the node returns first. 0 otherwise.
   */
  'unknownSinceMs'?: (number | string | Long);
  'lostAtMs'?: (number | string | Long);
  /**
   * Who the current allocation runs (or ran) as, as its agent reported (WorkloadStatus.run_as):
   * spec.user resolved on that node, or that node's default user. Empty until reported.
   */
  'runAs'?: (string);
  /**
   * The array it belongs to (SubmitWorkloadRequest.count) and its index there (MO_INDEX); empty and
   * 0 for a workload submitted alone.
   */
  'groupId'?: (string);
  'groupIndex'?: (number);
  /**
   * The allocations before the current one that ran (restarts), oldest first, at most the last 10.
   * Their logs stay on their nodes as long as those keep them (see StreamWorkloadLogsRequest).
   */
  'previousAllocations'?: (_mo_v1_PastAllocation)[];
  /**
   * Its health checks, as its agent last reported them (WorkloadStatus.health/.checks); the
   * time is the agent's.
   */
  'health'?: (_mo_v1_Health);
  'checks'?: (_mo_v1_CheckStatus)[];
  'healthChangedAtMs'?: (number | string | Long);
  /**
   * The job it is an instance of (jobs.proto), that job's version it runs and its index there
   * (`web[3]`); empty and 0 for a workload submitted on its own.
   */
  'job'?: (string);
  'jobVersion'?: (number);
  'jobIndex'?: (number);
}

/**
 * A workload as the scheduler tracks it, across all of its allocations.
 */
export interface ScheduledWorkload__Output {
  'id': (string);
  'spec': (_mo_v1_WorkloadSpec__Output | null);
  'scheduling': (_mo_v1_SchedulingSpec__Output | null);
  'idempotencyKey': (string);
  'state': (_mo_v1_WorkloadState__Output);
  /**
   * Why it is in this state; for pending, why it waits ("3 nodes: 2 lacked memory, 1 down").
   */
  'reason': (string);
  /**
   * The current (latest) allocation and where it is.
   */
  'allocationId': (string);
  'nodeId': (string);
  'nodeName': (string);
  /**
   * Runs so far (1 for the first start), and how many restarts the policy still allows in this
   * row (-1: unlimited).
   */
  'attempt': (number);
  'restartsLeft': (number);
  'pid': (number);
  'exit': (_mo_v1_ExitStatus__Output | null);
  'createdAtMs': (number);
  'updatedAtMs': (number);
  /**
   * When a pending restart becomes eligible for placement (0 = now).
   */
  'notBeforeMs': (number);
  'events': (_mo_v1_WorkloadEvent__Output)[];
  /**
   * Host ports of the current allocation (docker workloads that publish ports), as its agent reports.
   */
  'ports': (_mo_v1_PortMapping__Output)[];
  /**
   * What the workload wrote to $MO_OUTPUT (key=value lines), as its agent reported when it ended.
   */
  'outputs': ({[key: string]: string});
  /**
   * While unknown: since when its node has not been heard from, and when it is given up (declared
   * lost, and replaced per its restart policy) unless the node returns first. 0 otherwise.
   */
  'unknownSinceMs': (number);
  'lostAtMs': (number);
  /**
   * Who the current allocation runs (or ran) as, as its agent reported (WorkloadStatus.run_as):
   * spec.user resolved on that node, or that node's default user. Empty until reported.
   */
  'runAs': (string);
  /**
   * The array it belongs to (SubmitWorkloadRequest.count) and its index there (MO_INDEX); empty and
   * 0 for a workload submitted alone.
   */
  'groupId': (string);
  'groupIndex': (number);
  /**
   * The allocations before the current one that ran (restarts), oldest first, at most the last 10.
   * Their logs stay on their nodes as long as those keep them (see StreamWorkloadLogsRequest).
   */
  'previousAllocations': (_mo_v1_PastAllocation__Output)[];
  /**
   * Its health checks, as its agent last reported them (WorkloadStatus.health/.checks); the
   * time is the agent's.
   */
  'health': (_mo_v1_Health__Output);
  'checks': (_mo_v1_CheckStatus__Output)[];
  'healthChangedAtMs': (number);
  /**
   * The job it is an instance of (jobs.proto), that job's version it runs and its index there
   * (`web[3]`); empty and 0 for a workload submitted on its own.
   */
  'job': (string);
  'jobVersion': (number);
  'jobIndex': (number);
}
