// Original file: proto/mo/v1/workload.proto

import type { Long } from '@grpc/proto-loader';

/**
 * How a workload's main process ended. Exactly one of exit_code/signal is meaningful.
 */
export interface ExitStatus {
  'exited'?: (boolean);
  'exitCode'?: (number);
  /**
   * Signal name ("SIGKILL") when killed by a signal.
   */
  'signal'?: (string);
  'finishedAtMs'?: (number | string | Long);
}

/**
 * How a workload's main process ended. Exactly one of exit_code/signal is meaningful.
 */
export interface ExitStatus__Output {
  'exited': (boolean);
  'exitCode': (number);
  /**
   * Signal name ("SIGKILL") when killed by a signal.
   */
  'signal': (string);
  'finishedAtMs': (number);
}
