// Original file: proto/mo/v1/workload.proto

import type { Health as _mo_v1_Health, Health__Output as _mo_v1_Health__Output } from '../../mo/v1/Health.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One health check's state on one workload.
 */
export interface CheckStatus {
  'name'?: (string);
  'health'?: (_mo_v1_Health);
  /**
   * The last probe's outcome, short ("HTTP 200", "connect ECONNREFUSED 10.0.0.2:3001", "exit 1").
   */
  'detail'?: (string);
  /**
   * Passes and failures in a row (one of them is 0).
   */
  'successes'?: (number);
  'failures'?: (number);
  'checkedAtMs'?: (number | string | Long);
  /**
   * When its health last changed (or it started: starting).
   */
  'changedAtMs'?: (number | string | Long);
}

/**
 * One health check's state on one workload.
 */
export interface CheckStatus__Output {
  'name': (string);
  'health': (_mo_v1_Health__Output);
  /**
   * The last probe's outcome, short ("HTTP 200", "connect ECONNREFUSED 10.0.0.2:3001", "exit 1").
   */
  'detail': (string);
  /**
   * Passes and failures in a row (one of them is 0).
   */
  'successes': (number);
  'failures': (number);
  'checkedAtMs': (number);
  /**
   * When its health last changed (or it started: starting).
   */
  'changedAtMs': (number);
}
