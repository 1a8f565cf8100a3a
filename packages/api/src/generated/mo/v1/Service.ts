// Original file: proto/mo/v1/jobs.proto

import type { ServiceInstance as _mo_v1_ServiceInstance, ServiceInstance__Output as _mo_v1_ServiceInstance__Output } from '../../mo/v1/ServiceInstance.js';

export interface Service {
  'name'?: (string);
  'instances'?: (_mo_v1_ServiceInstance)[];
}

export interface Service__Output {
  'name': (string);
  'instances': (_mo_v1_ServiceInstance__Output)[];
}
