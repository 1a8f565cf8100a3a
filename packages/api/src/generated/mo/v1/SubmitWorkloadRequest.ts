// Original file: proto/mo/v1/scheduler.proto

import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from '../../mo/v1/WorkloadSpec.js';
import type { SchedulingSpec as _mo_v1_SchedulingSpec, SchedulingSpec__Output as _mo_v1_SchedulingSpec__Output } from '../../mo/v1/SchedulingSpec.js';

export interface SubmitWorkloadRequest {
  /**
   * spec.id must be empty: the scheduler assigns ids. spec.resources are what placement reserves.
   */
  'spec'?: (_mo_v1_WorkloadSpec | null);
  'scheduling'?: (_mo_v1_SchedulingSpec | null);
  /**
   * A retried submit with the same key returns the first workload instead of creating another.
   * At most 128 characters, no NUL. Remembered for the scheduler's --idempotency-window (24 h)
   * from its first use, whatever becomes of the workload: while the workload's record is kept the
   * retry gets it (existing = true); once the record is retired, ALREADY_EXISTS naming its id.
   */
  'idempotencyKey'?: (string);
  /**
   * 0: one workload. 1..10000: an array of count workloads of this spec, one group (group_id), like
   * Slurm's job arrays and Nomad's count: member i (0-based) gets env MO_INDEX=i, MO_COUNT=count and
   * MO_GROUP=<group id> (so spec.env may not set those), and spec.name, if set, becomes
   * "<name>-<i>". All are persisted in one transaction, or none; an idempotency key names the group.
   */
  'count'?: (number);
}

export interface SubmitWorkloadRequest__Output {
  /**
   * spec.id must be empty: the scheduler assigns ids. spec.resources are what placement reserves.
   */
  'spec': (_mo_v1_WorkloadSpec__Output | null);
  'scheduling': (_mo_v1_SchedulingSpec__Output | null);
  /**
   * A retried submit with the same key returns the first workload instead of creating another.
   * At most 128 characters, no NUL. Remembered for the scheduler's --idempotency-window (24 h)
   * from its first use, whatever becomes of the workload: while the workload's record is kept the
   * retry gets it (existing = true); once the record is retired, ALREADY_EXISTS naming its id.
   */
  'idempotencyKey': (string);
  /**
   * 0: one workload. 1..10000: an array of count workloads of this spec, one group (group_id), like
   * Slurm's job arrays and Nomad's count: member i (0-based) gets env MO_INDEX=i, MO_COUNT=count and
   * MO_GROUP=<group id> (so spec.env may not set those), and spec.name, if set, becomes
   * "<name>-<i>". All are persisted in one transaction, or none; an idempotency key names the group.
   */
  'count': (number);
}
