// Original file: proto/mo/v1/scheduler.proto

import type { RestartMode as _mo_v1_RestartMode, RestartMode__Output as _mo_v1_RestartMode__Output } from '../../mo/v1/RestartMode.js';
import type { Long } from '@grpc/proto-loader';

export interface RestartPolicy {
  'mode'?: (_mo_v1_RestartMode);
  /**
   * Restarts in a row at most; 0 = unlimited. The count starts over once a run has lasted
   * stable_after (default 10 min), as Kubernetes resets its crash-loop backoff.
   */
  'maxAttempts'?: (number);
  /**
   * Backoff before restart n (of a row) is min(initial * 2^(n-1), max), with +-20% jitter.
   * 0 = defaults: 1 s and 5 min.
   */
  'initialBackoffMs'?: (number | string | Long);
  'maxBackoffMs'?: (number | string | Long);
  /**
   * A run that lasts this long resets the count and the backoff; 0 = default (10 min).
   */
  'stableAfterMs'?: (number | string | Long);
}

export interface RestartPolicy__Output {
  'mode': (_mo_v1_RestartMode__Output);
  /**
   * Restarts in a row at most; 0 = unlimited. The count starts over once a run has lasted
   * stable_after (default 10 min), as Kubernetes resets its crash-loop backoff.
   */
  'maxAttempts': (number);
  /**
   * Backoff before restart n (of a row) is min(initial * 2^(n-1), max), with +-20% jitter.
   * 0 = defaults: 1 s and 5 min.
   */
  'initialBackoffMs': (number);
  'maxBackoffMs': (number);
  /**
   * A run that lasts this long resets the count and the backoff; 0 = default (10 min).
   */
  'stableAfterMs': (number);
}
