// Original file: proto/mo/v1/workload.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A health check run by the agent (defaults as Kubernetes' probes; a job file fills them in).
 * Durations are milliseconds.
 */
export interface CheckSpec {
  /**
   * [a-z0-9][a-z0-9._-]{0,62}, unique in the workload.
   */
  'name'?: (string);
  /**
   * "http" (GET, no redirects), "tcp" (connect) or "exec" (a command in the workload's
   * environment: as its user for a process, `docker exec` in its container for docker).
   */
  'kind'?: (string);
  /**
   * http, tcp: the name of one of spec.ports.
   */
  'port'?: (string);
  /**
   * http: the path asked for (starts with "/").
   */
  'path'?: (string);
  /**
   * http: the status expected; 0 = any 2xx or 3xx.
   */
  'expectStatus'?: (number);
  /**
   * exec: argv (exit 0 passes).
   */
  'command'?: (string)[];
  'intervalMs'?: (number | string | Long);
  /**
   * At most interval_ms: checks of one workload never overlap.
   */
  'timeoutMs'?: (number | string | Long);
  /**
   * Passes in a row to become healthy, failures in a row to become unhealthy.
   */
  'successThreshold'?: (number);
  'failureThreshold'?: (number);
  /**
   * Failures in a row after which the agent stops the workload (it ends failed, with the check
   * named in its reason, and whoever keeps it running starts another); 0 = never.
   */
  'restartAfter'?: (number);
  /**
   * No check before this long after the workload started.
   */
  'initialDelayMs'?: (number | string | Long);
}

/**
 * A health check run by the agent (defaults as Kubernetes' probes; a job file fills them in).
 * Durations are milliseconds.
 */
export interface CheckSpec__Output {
  /**
   * [a-z0-9][a-z0-9._-]{0,62}, unique in the workload.
   */
  'name': (string);
  /**
   * "http" (GET, no redirects), "tcp" (connect) or "exec" (a command in the workload's
   * environment: as its user for a process, `docker exec` in its container for docker).
   */
  'kind': (string);
  /**
   * http, tcp: the name of one of spec.ports.
   */
  'port': (string);
  /**
   * http: the path asked for (starts with "/").
   */
  'path': (string);
  /**
   * http: the status expected; 0 = any 2xx or 3xx.
   */
  'expectStatus': (number);
  /**
   * exec: argv (exit 0 passes).
   */
  'command': (string)[];
  'intervalMs': (number);
  /**
   * At most interval_ms: checks of one workload never overlap.
   */
  'timeoutMs': (number);
  /**
   * Passes in a row to become healthy, failures in a row to become unhealthy.
   */
  'successThreshold': (number);
  'failureThreshold': (number);
  /**
   * Failures in a row after which the agent stops the workload (it ends failed, with the check
   * named in its reason, and whoever keeps it running starts another); 0 = never.
   */
  'restartAfter': (number);
  /**
   * No check before this long after the workload started.
   */
  'initialDelayMs': (number);
}
