// Original file: proto/mo/v1/jobs.proto

import type { Health as _mo_v1_Health, Health__Output as _mo_v1_Health__Output } from '../../mo/v1/Health.js';
import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from '../../mo/v1/PortMapping.js';

/**
 * Where to reach one instance of a service.
 */
export interface ServiceInstance {
  'workloadId'?: (string);
  'version'?: (number);
  'index'?: (number);
  'health'?: (_mo_v1_Health);
  'state'?: (_mo_v1_WorkloadState);
  'nodeName'?: (string);
  /**
   * The node's host as its agent advertises it.
   */
  'host'?: (string);
  /**
   * Its named ports there (name, host_port).
   */
  'ports'?: (_mo_v1_PortMapping)[];
  /**
   * host:port of its first named port, by name order: what a reverse proxy dials.
   */
  'address'?: (string);
}

/**
 * Where to reach one instance of a service.
 */
export interface ServiceInstance__Output {
  'workloadId': (string);
  'version': (number);
  'index': (number);
  'health': (_mo_v1_Health__Output);
  'state': (_mo_v1_WorkloadState__Output);
  'nodeName': (string);
  /**
   * The node's host as its agent advertises it.
   */
  'host': (string);
  /**
   * Its named ports there (name, host_port).
   */
  'ports': (_mo_v1_PortMapping__Output)[];
  /**
   * host:port of its first named port, by name order: what a reverse proxy dials.
   */
  'address': (string);
}
