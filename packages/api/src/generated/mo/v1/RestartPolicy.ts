// Original file: proto/mo/v1/scheduler.proto

import type { RestartMode as _mo_v1_RestartMode, RestartMode__Output as _mo_v1_RestartMode__Output } from '../../mo/v1/RestartMode.js';
import type { Long } from '@grpc/proto-loader';

export interface RestartPolicy {
  'mode'?: (_mo_v1_RestartMode);
  /**
   * Attempts after the first run; 0 means the scheduler's default (3).
   */
  'maxAttempts'?: (number);
  /**
   * Backoff before attempt n is min(initial * 2^(n-1), max), with +-20% jitter. 0 = defaults.
   */
  'initialBackoffMs'?: (number | string | Long);
  'maxBackoffMs'?: (number | string | Long);
}

export interface RestartPolicy__Output {
  'mode': (_mo_v1_RestartMode__Output);
  /**
   * Attempts after the first run; 0 means the scheduler's default (3).
   */
  'maxAttempts': (number);
  /**
   * Backoff before attempt n is min(initial * 2^(n-1), max), with +-20% jitter. 0 = defaults.
   */
  'initialBackoffMs': (number);
  'maxBackoffMs': (number);
}
