// Original file: proto/mo/v1/workload.proto

import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from '../../mo/v1/WorkloadSpec.js';
import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from '../../mo/v1/ExitStatus.js';
import type { WorkloadUsage as _mo_v1_WorkloadUsage, WorkloadUsage__Output as _mo_v1_WorkloadUsage__Output } from '../../mo/v1/WorkloadUsage.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from '../../mo/v1/PortMapping.js';
import type { Health as _mo_v1_Health, Health__Output as _mo_v1_Health__Output } from '../../mo/v1/Health.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from '../../mo/v1/CheckStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface WorkloadStatus {
  'spec'?: (_mo_v1_WorkloadSpec | null);
  'state'?: (_mo_v1_WorkloadState);
  /**
   * Why the workload is in this state ("exited with code 3", "stopped by request", ...).
   */
  'reason'?: (string);
  'pid'?: (number);
  'createdAtMs'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'exit'?: (_mo_v1_ExitStatus | null);
  'usage'?: (_mo_v1_WorkloadUsage | null);
  /**
   * Host ports mapped to container ports (docker workloads that publish ports), while it runs.
   */
  'ports'?: (_mo_v1_PortMapping)[];
  /**
   * key=value lines the workload wrote to $MO_OUTPUT (read when it ends; at most 64 KiB).
   */
  'outputs'?: ({[key: string]: string});
  /**
   * Lines of that file that were not key=value with a valid key (ignored).
   */
  'outputsIgnored'?: (number);
  /**
   * Who it runs (or ran) as, as its agent resolved spec.user (or its default user):
   * "name (uid:gid)", with ", groups g1,g2" inside the parentheses when it has more groups.
   * Empty for workloads started before agents recorded it.
   */
  'runAs'?: (string);
  /**
   * Its checks taken together: unhealthy if any is, else starting if any is, else healthy;
   * unspecified without checks. Kept across an agent restart.
   */
  'health'?: (_mo_v1_Health);
  'checks'?: (_mo_v1_CheckStatus)[];
  /**
   * Since when `health` has held (agent clock).
   */
  'healthChangedAtMs'?: (number | string | Long);
}

export interface WorkloadStatus__Output {
  'spec': (_mo_v1_WorkloadSpec__Output | null);
  'state': (_mo_v1_WorkloadState__Output);
  /**
   * Why the workload is in this state ("exited with code 3", "stopped by request", ...).
   */
  'reason': (string);
  'pid': (number);
  'createdAtMs': (number);
  'startedAtMs': (number);
  'exit': (_mo_v1_ExitStatus__Output | null);
  'usage': (_mo_v1_WorkloadUsage__Output | null);
  /**
   * Host ports mapped to container ports (docker workloads that publish ports), while it runs.
   */
  'ports': (_mo_v1_PortMapping__Output)[];
  /**
   * key=value lines the workload wrote to $MO_OUTPUT (read when it ends; at most 64 KiB).
   */
  'outputs': ({[key: string]: string});
  /**
   * Lines of that file that were not key=value with a valid key (ignored).
   */
  'outputsIgnored': (number);
  /**
   * Who it runs (or ran) as, as its agent resolved spec.user (or its default user):
   * "name (uid:gid)", with ", groups g1,g2" inside the parentheses when it has more groups.
   * Empty for workloads started before agents recorded it.
   */
  'runAs': (string);
  /**
   * Its checks taken together: unhealthy if any is, else starting if any is, else healthy;
   * unspecified without checks. Kept across an agent restart.
   */
  'health': (_mo_v1_Health__Output);
  'checks': (_mo_v1_CheckStatus__Output)[];
  /**
   * Since when `health` has held (agent clock).
   */
  'healthChangedAtMs': (number);
}
